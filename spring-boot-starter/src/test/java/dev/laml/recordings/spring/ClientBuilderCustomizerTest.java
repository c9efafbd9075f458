package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.Ordered;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.laml.recordings.spring.StartupFailureTest.invalid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClientBuilderCustomizer} beans, the public extension point: applied in order after the properties, and a value
 * one sets that the client refuses at build time fails startup naming the setting's property, found from the
 * exception's setting name (not its message).
 */
class ClientBuilderCustomizerTest {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class))
            .withPropertyValues("laml.recordings.space=example", "laml.recordings.tls-engine=openssl");

    @Test
    void customizersRunInOrderAfterThePropertiesAndMayOverrideThem() {
        List<String> calls = new ArrayList<>();
        runner.withBean("second", ClientBuilderCustomizer.class, () -> new Named("second", calls, Ordered.LOWEST_PRECEDENCE))
                .withBean("first", ClientBuilderCustomizer.class, () -> new Named("first", calls, Ordered.HIGHEST_PRECEDENCE))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(calls).containsExactly("first", "second");
                    assertThat(context.getBean(RecordingsClient.class).tlsEngine())
                            .as("the last customizer's engine wins over the property").isEqualTo(TlsEngine.JDK);
                });
    }

    @Test
    void aValueACustomizerSetsThatBuildRefusesFailsStartupNamingItsProperty() throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        runner.withBean(ClientBuilderCustomizer.class, () -> builder -> builder.trustedCertificates(notPem))
                .run(context -> {
                    assertThat(context).hasFailed();
                    // The trusted-certificates property is not set: only the exception's setting() can tell.
                    assertThat(invalid(context.getStartupFailure()).property())
                            .isEqualTo("laml.recordings.trusted-certificates");
                });
    }

    /** Records its name when called and sets the JDK engine; ordered as given. */
    private record Named(String name, List<String> calls, int order) implements ClientBuilderCustomizer, Ordered {
        @Override
        public void customize(RecordingsClient.Builder builder) {
            calls.add(name);
            builder.tlsEngine(TlsEngine.JDK);
        }

        @Override
        public int getOrder() {
            return order;
        }
    }
}
