package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token and a proxy's password appear in no toString, no log line and no startup failure report. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsTest {

    private static final String TOKEN = "PTtok3n-never-shown";
    private static final String PASSWORD = "pr0xy-pa55w0rd";

    @Test
    void toStringShowsTheSettingsButNotTheSecrets() {
        RecordingsProperties p = new RecordingsProperties();
        p.setSpace("example");
        p.setProjectId("my-project");
        p.setApiToken(TOKEN);
        p.setProxy("http://proxy-user:" + PASSWORD + "@proxy.example:3128");
        p.getRetry().setMaxAttempts(2);

        assertThat(p.toString()).isEqualTo("RecordingsProperties[space=example, projectId=my-project, apiToken=<redacted>, "
                + "retry=Retry[maxAttempts=2], proxy=http://proxy-user:******@proxy.example:3128]");
    }

    @Test
    void noLogLineCarriesTheTokenOrTheProxyPasswordEvenAtDebug(CapturedOutput output) {
        try (RecordingsServer server = RecordingsServer.builder().credentials("my-project", TOKEN).start()) {
            TestRecording rec = server.addRecording();
            try (ConfigurableApplicationContext context = app(
                    "debug=true", // Boot's condition evaluation report
                    "logging.level.dev.laml=TRACE", "logging.level.org.springframework=DEBUG",
                    "logging.level.reactor.netty=DEBUG",
                    "laml.recordings.base-url=" + server.baseUrl(),
                    "laml.recordings.project-id=my-project", "laml.recordings.api-token=" + TOKEN,
                    // Configured, and bypassed for the testkit on loopback.
                    "laml.recordings.proxy=http://proxy-user:" + PASSWORD + "@proxy.example:3128",
                    "laml.recordings.no-proxy=127.0.0.1").run()) {
                RecordingsClient client = context.getBean(RecordingsClient.class);
                assertThat(client.fetch(rec.accountSid(), rec.sid()).block(Duration.ofSeconds(10))).isNotNull();
            }
        }
        assertThat(output).as("the starter logged what it created")
                .contains("Created RecordingsClient[").contains("project=my-project");
        assertNoSecret(output.toString());
    }

    @Test
    void aTokenTheClientRefusesIsReportedWithoutItsValue(CapturedOutput output) {
        String badToken = TOKEN + "\u0007";
        assertThatThrownBy(() -> app("laml.recordings.space=example", "laml.recordings.project-id=p",
                "laml.recordings.api-token=" + badToken).run()).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("laml.recordings.api-token: ");
        assertNoSecret(output.toString());
    }

    @Test
    void aProxyUriThatDoesNotParseIsReportedWithoutItsPassword(CapturedOutput output) {
        // '^' is not allowed in a URI: java.net.URI's own message would repeat the whole value.
        assertThatThrownBy(() -> app("laml.recordings.space=example",
                "laml.recordings.proxy=http://proxy-user:" + PASSWORD + "^@proxy.example:3128").run()).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("laml.recordings.proxy: not a URI");
        assertNoSecret(output.toString());
    }

    private static SpringApplicationBuilder app(String... properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off").properties(properties);
    }

    private static void assertNoSecret(String text) {
        assertThat(text).doesNotContain(TOKEN).doesNotContain(PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(("my-project:" + TOKEN).getBytes(StandardCharsets.UTF_8)));
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(RecordingsAutoConfiguration.class)
    static class App {
    }
}
