package dev.laml.recordings.reactor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static dev.laml.recordings.reactor.TestData.PROJECT;
import static dev.laml.recordings.reactor.TestData.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Building a client: what is accepted, what is refused, and what is never shown. */
class ClientBuilderTest {

    @Test
    void aSpaceNameBecomesTheSignalWireHost() {
        try (RecordingsClient client = RecordingsClient.builder().space("example").build()) {
            assertThat(client.baseUrl()).isEqualTo(URI.create("https://example.signalwire.com"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.com#", "a.b", "x@y", "a/b", "a:80", "", " ", "a\nb", "-a"})
    void aSpaceThatIsNotOneDnsLabelIsRefusedByTheSetter(String space) {
        assertThatThrownBy(() -> RecordingsClient.builder().space(space))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("space");
    }

    @Test
    void plainHttpIsForLoopbackUnlessExplicitlyAllowed() {
        assertThatThrownBy(() -> RecordingsClient.builder().baseUrl(URI.create("http://example.com")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
        RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:8080")).build().close();
        RecordingsClient.builder().baseUrl(URI.create("http://example.com")).allowInsecureHttp().build().close();
        RecordingsClient.builder().baseUrl(URI.create("https://proxy.example.com/signalwire/")).build().close();
    }

    @Test
    void exactlyOneOfSpaceAndBaseUrl() {
        assertThatThrownBy(() -> RecordingsClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RecordingsClient.builder().space("a").baseUrl(URI.create("https://b.example")).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void credentialsThatCouldSplitAHeaderAreRefused() {
        assertThatThrownBy(() -> RecordingsClient.builder().credentials("pro:ject", TOKEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projectId");
        assertThatThrownBy(() -> RecordingsClient.builder().credentials("project\r\nX-Evil: 1", TOKEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingsClient.builder().credentials(PROJECT, "tok\nen"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tok"));
    }

    @Test
    void noToStringShowsTheTokenInAnyForm() {
        String basic = Base64.getEncoder().encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
        RecordingsClient.Builder builder = RecordingsClient.builder().space("example").credentials(PROJECT, TOKEN);
        try (RecordingsClient client = builder.build()) {
            for (String shown : new String[] {builder.toString(), client.toString()}) {
                assertThat(shown).contains(PROJECT).doesNotContain(TOKEN).doesNotContain(basic);
            }
        }
    }

    @Test
    void limitsAndTimeoutsMustBePositive() {
        RecordingsClient.Builder b = RecordingsClient.builder();
        assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.pendingAcquireMaxCount(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.responseTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxMetadataBytes(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tlsHandshakeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadProxyOrNoProxyPatternIsRefusedByTheSetterWithoutRepeatingCredentials() {
        RecordingsClient.Builder b = RecordingsClient.builder();
        assertThatThrownBy(() -> b.proxy(URI.create("ftp://alice:pw-123@proxy:21")))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("alice").doesNotContain("pw-123"));
        assertThatThrownBy(() -> b.noProxy("10.0.0.0/40")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.noProxy("")).isInstanceOf(IllegalArgumentException.class);
        b.proxy(null); // none, the default
    }

    @Test
    void toStringShowsTheTlsEngineAndTheProxyButNeverItsCredentials() {
        RecordingsClient.Builder builder = RecordingsClient.builder().space("example")
                .tlsEngine(TlsEngine.JDK).proxy(URI.create("http://alice:pw-123@proxy.corp:3128"));
        try (RecordingsClient client = builder.build()) {
            assertThat(client.toString()).contains("tls=JDK", "proxy=http://proxy.corp:3128 (with credentials)");
            assertThat(builder.toString()).contains("tlsEngine=JDK", "proxy=http://proxy.corp:3128");
            for (String shown : new String[] {builder.toString(), client.toString()}) {
                assertThat(shown).doesNotContain("alice").doesNotContain("pw-123");
            }
        }
    }
}
