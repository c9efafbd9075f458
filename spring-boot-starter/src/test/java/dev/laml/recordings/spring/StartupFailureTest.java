package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.spring.internal.InvalidRecordingsPropertiesException;
import dev.laml.recordings.spring.internal.RecordingsFailureAnalyzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration that cannot make a client fails startup, saying which property to fix and how. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    private static final String ACCOUNT = "1b5c8c7e-8f0a-4a39-9d5c-3a4f5e6d7c8b";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class));

    @Test
    void withNeitherSpaceNorBaseUrlStartupFailsSayingWhatToSet() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(invalid(context.getStartupFailure()))
                    .hasMessageContaining("laml.recordings.space").hasMessageContaining("laml.recordings.base-url");
            FailureAnalysis analysis = new RecordingsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("neither laml.recordings.space nor laml.recordings.base-url is set");
            assertThat(analysis.getAction()).contains("Set laml.recordings.space").contains("laml.recordings.base-url");
        });
    }

    @Test
    void withBothSpaceAndBaseUrlStartupFails() {
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.base-url=http://127.0.0.1:8080")
                .run(context -> assertThat(invalid(context.getStartupFailure()))
                        .hasMessageContaining("both laml.recordings.space and laml.recordings.base-url are set"));
    }

    @Test
    void anEmptySpaceCountsAsNotSet() {
        // "${SIGNALWIRE_SPACE:}" with the variable unset.
        runner.withPropertyValues("laml.recordings.space=", "laml.recordings.base-url=http://127.0.0.1:8080")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aBadAccountSidFailsAtBindingNamingTheProperty() {
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.account-sid=AC123")
                .run(context -> {
                    BindException bind = bindFailure(context.getStartupFailure());
                    assertThat(bind.getProperty().getName().toString()).isEqualTo("laml.recordings.account-sid");
                    assertThat(bind).rootCause().hasMessageStartingWith("laml.recordings.account-sid: ")
                            .hasMessageContaining("must be a UUID").hasMessageContaining("\"AC123\"");
                });
    }

    @Test
    void aBadAccountSidFailsEvenWhenTheApplicationBringsItsOwnClient() {
        runner.withBean(RecordingsClient.class, () -> RecordingsClient.builder().space("own").build())
                .withPropertyValues("laml.recordings.account-sid=../../etc")
                .run(context -> assertThat(bindFailure(context.getStartupFailure()).getProperty().getName().toString())
                        .isEqualTo("laml.recordings.account-sid"));
    }

    @Test
    void aGoodAccountSidBinds() {
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.account-sid=" + ACCOUNT)
                .run(context -> assertThat(context.getBean(RecordingsProperties.class).getAccountSid()).isEqualTo(ACCOUNT));
    }

    @Test
    void aProjectIdWithoutATokenFailsNamingTheMissingOne() {
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.project-id=p")
                .run(context -> assertThat(invalid(context.getStartupFailure()))
                        .hasMessageContaining("laml.recordings.project-id is set but laml.recordings.api-token is not"));
    }

    /**
     * Each property reaches its builder method: a value the client refuses fails startup with a message that names
     * exactly that property (and carries the client's own reason).
     */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "space                       | not a label!        | space must be a single DNS label",
            "project-id                  | a:b                 | projectId must not contain ':'",
            "max-metadata-bytes          | 10                  | maxMetadataBytes must be at least 1024",
            "max-connections             | 0                   | maxConnections must be positive",
            "pending-acquire-max-count   | -1                  | pendingAcquireMaxCount must be positive",
            "pending-acquire-timeout     | 0s                  | pendingAcquireTimeout must be a positive duration",
            "max-idle-time               | 0s                  | maxIdleTime must be a positive duration",
            "connect-timeout             | 0s                  | connectTimeout must be a positive duration",
            "response-timeout            | -1s                 | responseTimeout must be a positive duration",
            "idle-timeout                | 0ms                 | idleTimeout must be a positive duration",
            "retry.max-attempts          | 0                   | maxAttempts must be at least 1",
            "retry.base-delay            | 0s                  | baseDelay must be positive",
            "retry.max-delay             | 0s                  | maxDelay must be positive",
            "retry.max-retry-after       | 0s                  | maxRetryAfter must be positive",
            "retry.resume-without-progress-for | -1s           | resumeWithoutProgressFor must be zero or positive",
            "retry.max-resume-delay      | 0s                  | maxResumeDelay must be positive",
            "retry-not-found-for         | -1s                 | window must be zero or positive",
            "tls-handshake-timeout       | 0s                  | tlsHandshakeTimeout must be a positive duration",
            "trusted-certificates        | /no/such/ca.pem     | /no/such/ca.pem",
            "proxy                       | ftp://proxy:21      | 'ftp'",
            "no-proxy                    | 10.0.0.0/99         | 10.0.0.0/99",
            "media-hosts                 | *.com               | mediaHosts pattern \"*.com\" is not valid",
    })
    void aValueTheClientRefusesFailsStartupNamingItsProperty(String property, String value, String reason) {
        String name = "laml.recordings." + property;
        ApplicationContextRunner configured = runner.withPropertyValues(name + "=" + value);
        if (!property.equals("space")) {
            configured = configured.withPropertyValues("laml.recordings.space=example");
        }
        if (property.equals("project-id")) {
            configured = configured.withPropertyValues("laml.recordings.api-token=t");
        }
        configured.run(context -> {
            assertThat(context).hasFailed();
            assertThat(invalid(context.getStartupFailure()).property()).isEqualTo(name);
            FailureAnalysis analysis = new RecordingsFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).as("failure analysis").isNotNull();
            assertThat(analysis.getDescription()).contains(name + ": ").contains(reason);
            assertThat(analysis.getAction()).contains(name);
        });
    }

    @Test
    void plainHttpToAnotherHostNeedsAllowInsecureHttp() {
        runner.withPropertyValues("laml.recordings.base-url=http://emulator.internal:8080")
                .run(context -> assertThat(invalid(context.getStartupFailure()))
                        .hasMessageStartingWith("laml.recordings.base-url: "));
        runner.withPropertyValues("laml.recordings.base-url=http://emulator.internal:8080",
                        "laml.recordings.allow-insecure-http=true")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aRealApplicationPrintsBootsFailureReportWithTheDescriptionAndTheAction(CapturedOutput output) {
        // The analyzer is found through META-INF/spring.factories, as in any application.
        SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off");
        assertThatThrownBy(app::run).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("The RecordingsClient could not be configured: neither laml.recordings.space nor")
                .contains("Set laml.recordings.space to your SignalWire space");
    }

    @Test
    void aRealApplicationReportsABadAccountSidAgainstItsProperty(CapturedOutput output) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "laml.recordings.space=example",
                        "laml.recordings.account-sid=AC123");
        assertThatThrownBy(app::run).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Property: laml.recordings.account-sid")
                .contains("Reason: java.lang.IllegalArgumentException: laml.recordings.account-sid: accountSid must be a UUID");
    }

    @Test
    void aMissingTrustedCertificatesFileIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.trusted-certificates=" + missing)
                .run(context -> assertThat(invalid(context.getStartupFailure()))
                        .hasMessageStartingWith("laml.recordings.trusted-certificates: ")
                        .hasMessageContaining("missing.pem"));
    }

    /** The starter's exception in a failure's causes: what the failure analyzer reports. */
    static InvalidRecordingsPropertiesException invalid(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidRecordingsPropertiesException found) {
                return found;
            }
        }
        throw new AssertionError("no InvalidRecordingsPropertiesException in the causes of " + failure, failure);
    }

    private static BindException bindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException found) {
                return found;
            }
        }
        throw new AssertionError("no BindException in the causes of " + failure, failure);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(RecordingsAutoConfiguration.class)
    static class App {
    }
}
