package dev.laml.recordings.reactor;

import dev.laml.recordings.Credentials;
import dev.laml.recordings.InvalidSettingException;
import dev.laml.recordings.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every value a builder refuses comes back as an {@link InvalidSettingException} whose {@code setting()} is the name of
 * the method that took it: what the starter and the CLI map to their own property and option names. These tests look
 * at {@code setting()}, never at the message, which is for people and may be reworded.
 */
class InvalidSettingTest {

    @TempDir
    Path dir;

    private static RecordingsClient.Builder space() {
        return RecordingsClient.builder().space("example");
    }

    @Test
    void eachSetterNamesItsOwnSetting() {
        Map<String, Runnable> refusals = Map.ofEntries(
                Map.entry("space", () -> RecordingsClient.builder().space("not a label")),
                Map.entry("projectId", () -> space().credentials("a:b", "token")),
                Map.entry("apiToken", () -> space().credentials("project", "to\r\nken")),
                Map.entry("maxMetadataBytes", () -> space().maxMetadataBytes(10)),
                Map.entry("maxConnections", () -> space().maxConnections(0)),
                Map.entry("pendingAcquireMaxCount", () -> space().pendingAcquireMaxCount(-1)),
                Map.entry("pendingAcquireTimeout", () -> space().pendingAcquireTimeout(Duration.ZERO)),
                Map.entry("maxIdleTime", () -> space().maxIdleTime(Duration.ofSeconds(-1))),
                Map.entry("connectTimeout", () -> space().connectTimeout(Duration.ZERO)),
                Map.entry("responseTimeout", () -> space().responseTimeout(Duration.ZERO)),
                Map.entry("idleTimeout", () -> space().idleTimeout(Duration.ZERO)),
                Map.entry("retryNotFoundFor", () -> space().retryNotFoundFor(Duration.ofSeconds(-1))),
                Map.entry("tlsHandshakeTimeout", () -> space().tlsHandshakeTimeout(Duration.ZERO)),
                Map.entry("proxy", () -> space().proxy(URI.create("ftp://proxy:21"))),
                Map.entry("noProxy", () -> space().noProxy("10.0.0.0/99")),
                Map.entry("meterRegistry", () -> space().meterRegistry("not a registry")));
        refusals.forEach((setting, call) -> assertThat(settingOf(call::run)).as(setting).isEqualTo(setting));
    }

    @Test
    void buildNamesTheSettingItCouldNotUse() throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate", StandardCharsets.US_ASCII);

        assertThat(settingOf(() -> space().trustedCertificates(notPem).build())).isEqualTo("trustedCertificates");
        assertThat(settingOf(() -> space().trustedCertificates(dir.resolve("missing.pem")).build()))
                .isEqualTo("trustedCertificates");
        assertThat(settingOf(() -> RecordingsClient.builder().baseUrl(URI.create("http://example.com")).build()))
                .isEqualTo("baseUrl");
    }

    @Test
    void anUninitialisedTrustManagerFactoryIsNamedAsSuch() throws Exception {
        TrustManagerFactory notInitialised = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());

        assertThat(settingOf(() -> space().trustManagerFactory(notInitialised).build())).isEqualTo("trustManagerFactory");
    }

    @Test
    void retryPolicyAndCredentialsNameTheirSettingsToo() {
        assertThat(settingOf(() -> RetryPolicy.defaults().maxAttempts(0))).isEqualTo("maxAttempts");
        assertThat(settingOf(() -> RetryPolicy.defaults().baseDelay(Duration.ZERO))).isEqualTo("baseDelay");
        assertThat(settingOf(() -> RetryPolicy.defaults().resumeWithoutProgressFor(Duration.ofSeconds(-1))))
                .isEqualTo("resumeWithoutProgressFor");
        assertThat(settingOf(() -> Credentials.of("", "token"))).isEqualTo("projectId");
        assertThat(settingOf(() -> Credentials.of("project", ""))).isEqualTo("apiToken");
    }

    @Test
    void theExceptionIsStillAnIllegalArgumentExceptionAndNeverShowsTheToken() {
        assertThatThrownBy(() -> space().credentials("project", "secret\ntoken"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
    }

    @Test
    void aTlsEngineIsReportedAsTheEnumNeverAsAuto() {
        try (RecordingsClient client = space().tlsEngine(TlsEngine.JDK).build()) {
            assertThat(client.tlsEngine()).isEqualTo(TlsEngine.JDK);
        }
        try (RecordingsClient client = space().build()) {
            assertThat(client.tlsEngine()).isIn(TlsEngine.OPENSSL, TlsEngine.JDK);
        }
    }

    private static String settingOf(Runnable call) {
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, call::run);
        assertThat(e).as("an InvalidSettingException").isNotNull();
        return e.setting();
    }
}
