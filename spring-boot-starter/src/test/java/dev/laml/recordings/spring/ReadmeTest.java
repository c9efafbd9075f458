package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README's Spring Boot section honest: its application.yml binds, and its service, imports included, is
 * {@link Calls}, compiled here.
 */
class ReadmeTest {

    private static final String ACCOUNT = "1b5c8c7e-8f0a-4a39-9d5c-3a4f5e6d7c8b";

    private static String section() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Spring Boot\n");
        assertThat(start).as("README has a Spring Boot section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theApplicationYmlBindsAndMakesAClient() throws Exception {
        String section = section();
        int at = section.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = section.substring(at, section.indexOf("```", at));
        List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                .load("README application.yml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));

        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class))
                .withInitializer(context -> sources.forEach(context.getEnvironment().getPropertySources()::addLast))
                .withPropertyValues("SIGNALWIRE_PROJECT_ID=my-project", "SIGNALWIRE_API_TOKEN=my-token",
                        "SIGNALWIRE_ACCOUNT_SID=" + ACCOUNT)
                .withBean(Calls.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RecordingsProperties p = context.getBean(RecordingsProperties.class);
                    assertThat(p.getAccountSid()).isEqualTo(ACCOUNT);
                    assertThat(p.getResponseTimeout()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(p.getRetry().getMaxAttempts()).isEqualTo(6);
                    assertThat(p.getNoProxy()).containsExactly("*.internal", "10.0.0.0/8");
                    RecordingsClient client = context.getBean(RecordingsClient.class);
                    assertThat(client.baseUrl()).isEqualTo(URI.create("https://example.signalwire.com"));
                    assertThat(client.toString()).contains("proxy=http://proxy.internal:3128");
                    assertThat(context.getBean(Calls.class).audio("9e0cbb3a-4c1a-4f2a-8d52-f1b1f3a2c9d4")).isNotNull();
                });
    }

    @Test
    void theServiceWithItsImportsIsTheOneCompiledHere() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/spring/Calls.java"),
                StandardCharsets.UTF_8);
        int at = source.indexOf("// README:start\n") + "// README:start\n".length();
        assertThat(section()).contains(source.substring(at, source.indexOf("// README:end", at)));
    }
}
