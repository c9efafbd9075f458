package dev.laml.recordings.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@DisplayName("ApiEndpoint: where requests (and credentials) may go")
class ApiEndpointTest {

    @Nested
    @DisplayName("forSpace(space)")
    class ForSpace {

        @Test
        void aSpaceNameBecomesItsSignalwireHttpsOrigin() {
            assertThat(ApiEndpoint.forSpace("example").baseUrl())
                    .isEqualTo(URI.create("https://example.signalwire.com"));
        }

        @Test
        void upperCaseIsLowered() {
            assertThat(ApiEndpoint.forSpace("ExAmPle-01").baseUrl())
                    .isEqualTo(URI.create("https://example-01.signalwire.com"));
        }

        @Test
        void aLabelOf63CharactersIsAccepted() {
            String label = "a".repeat(63);
            assertThat(ApiEndpoint.forSpace(label).baseUrl().getHost()).isEqualTo(label + ".signalwire.com");
        }

        @Test
        void aLabelOf64CharactersIsRejected() {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.forSpace("a".repeat(64)))
                    .withMessageContaining("space");
        }

        @Test
        void aSingleCharacterAndInnerHyphensAreAccepted() {
            assertThat(ApiEndpoint.forSpace("x").baseUrl()).isEqualTo(URI.create("https://x.signalwire.com"));
            assertThat(ApiEndpoint.forSpace("a-b-c").baseUrl()).isEqualTo(URI.create("https://a-b-c.signalwire.com"));
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @NullSource
        @ValueSource(strings = {"evil.com#", "a.b", "x@y", "a/b", "a:80", "", " ", "a b", "\n", "a\r\nb", "-a", "a-",
                "ex%61mple", "exämple", "пример", "例え", "example\n", "example?x", "example\\x", "ex_ample"})
        void anythingButOneDnsLabelIsRejectedNamingTheParameter(String space) {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.forSpace(space))
                    .withMessageStartingWith("space ")
                    .withMessageNotContaining("\r")
                    .withMessageNotContaining("\n");
        }
    }

    @Nested
    @DisplayName("of(baseUrl, allowInsecureHttp)")
    class ExplicitBaseUrl {

        @ParameterizedTest(name = "[{index}] {0} -> {1}")
        @CsvSource({
                "https://example.com,                 https://example.com",
                "https://example.com/,                https://example.com",
                "https://example.com:8443,            https://example.com:8443",
                "https://example.com:8443/,           https://example.com:8443",
                "https://proxy.example/prefix,        https://proxy.example/prefix",
                "https://proxy.example/prefix/,       https://proxy.example/prefix",
                "https://proxy.example/a/b//,         https://proxy.example/a/b",
                "HTTPS://Proxy.Example:8443/Prefix/,  https://proxy.example:8443/Prefix",
        })
        void httpsIsAcceptedWithPortAndPathPrefixAndTrailingSlashesAreStripped(String given, String expected) {
            assertThat(ApiEndpoint.of(URI.create(given), false).baseUrl()).isEqualTo(URI.create(expected));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://127.0.0.1", "http://127.0.0.1:8080", "http://127.1.2.3:9/", "http://localhost",
                "http://LOCALHOST:8080", "http://[::1]", "http://[::1]:8080/"})
        void plainHttpIsAcceptedForLoopbackHosts(String url) {
            ApiEndpoint endpoint = ApiEndpoint.of(URI.create(url), false);
            assertThat(endpoint.baseUrl().getScheme()).isEqualTo("http");
            assertThat(endpoint.isInsecureHttpAllowed()).isFalse();
        }

        @Test
        void anIpv6LoopbackKeepsItsBrackets() {
            assertThat(ApiEndpoint.of(URI.create("http://[::1]:8080/"), false).baseUrl())
                    .isEqualTo(URI.create("http://[::1]:8080"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://example.com", "http://10.0.0.1", "http://127.0.0.1.evil.com",
                "http://localhost.evil.com", "http://127.0.0.256", "http://127.1", "http://[::2]",
                "http://0x7f.0.0.1"})
        void plainHttpToAnythingElseIsRejected(String url) {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.of(URI.create(url), false))
                    .withMessageStartingWith("baseUrl ");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://example.com", "http://10.0.0.1:8080/prefix"})
        void plainHttpToAnythingElseIsAcceptedWhenExplicitlyAllowed(String url) {
            ApiEndpoint endpoint = ApiEndpoint.of(URI.create(url), true);
            assertThat(endpoint.baseUrl().getScheme()).isEqualTo("http");
            assertThat(endpoint.isInsecureHttpAllowed()).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"ftp://example.com", "file:///etc/passwd", "ws://example.com", "/relative/path",
                "relative", "//example.com/x", "mailto:x", "https:example.com", "https:///nohost",
                "https://example.com?x=1", "https://example.com/?x=1", "https://example.com#f",
                "https://example.com/p#f", "https://example.com/..", "https://example.com/a/../b",
                "https://example.com/a/..", "https://example.com/a/./b", "https://example.com/a/.",
                "https://example.com/a%2fb", "https://example.com/a;b", "https://example.com/a//b"})
        void nonHttpSchemesRelativeOrOpaqueUrlsQueriesFragmentsAndDotSegmentsAreRejected(String url) {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.of(URI.create(url), true))
                    .withMessageStartingWith("baseUrl ");
        }

        @Test
        void nullIsRejectedNamingTheParameter() {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.of(null, false))
                    .withMessageStartingWith("baseUrl ");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://user:pw@example.com", "https://user:pw@example.com:8443/prefix",
                "http://user:pw@localhost", "https://user:pw@under_score.example/", "https:user:pw@example.com",
                "//user:pw@example.com/", "ftp://user:pw@example.com/"})
        void userInfoIsRejectedAndThePasswordIsNeverEchoed(String url) {
            assertThatIllegalArgumentException().isThrownBy(() -> ApiEndpoint.of(URI.create(url), true))
                    .withMessageStartingWith("baseUrl ")
                    .withMessageNotContaining("pw");
        }
    }

    @Test
    void aRejectedUrlWithUserInfoStillShowsItsHost() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ApiEndpoint.of(URI.create("https://user:pw@under_score.example/"), false))
                .withMessageContaining("<redacted>@under_score.example")
                .withMessageNotContaining("user");
    }

    @Nested
    @DisplayName("isSameOrigin(url)")
    class SameOrigin {

        private final ApiEndpoint https = ApiEndpoint.forSpace("example");
        private final ApiEndpoint local = ApiEndpoint.of(URI.create("http://localhost:8080/prefix"), false);

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com/x.wav", "https://example.signalwire.com:443/x",
                "HTTPS://EXAMPLE.signalwire.com/x", "https://example.signalwire.com"})
        void sameSchemeHostAndEffectivePortIsSameOrigin(String url) {
            assertThat(https.isSameOrigin(URI.create(url))).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://example.signalwire.com/x", "https://example.signalwire.com:8443/x",
                "https://other.signalwire.com/x", "https://example.signalwire.com.evil.com/x",
                "https://evil.com/https://example.signalwire.com/", "/relative", "mailto:x"})
        void anotherSchemeHostOrPortIsNot(String url) {
            assertThat(https.isSameOrigin(URI.create(url))).isFalse();
        }

        @Test
        void nullIsNotSameOrigin() {
            assertThat(https.isSameOrigin(null)).isFalse();
        }

        @Test
        void defaultHttpPortAndExplicitPortsAreComparedAsNumbers() {
            ApiEndpoint plain = ApiEndpoint.of(URI.create("http://localhost"), false);
            assertThat(plain.isSameOrigin(URI.create("http://localhost:80/x"))).isTrue();
            assertThat(plain.isSameOrigin(URI.create("http://localhost:8080/x"))).isFalse();
            assertThat(plain.isSameOrigin(URI.create("https://localhost:80/x"))).isFalse();
        }

        @Test
        void thePathPrefixDoesNotMatterForTheOrigin() {
            assertThat(local.isSameOrigin(URI.create("http://localhost:8080/elsewhere"))).isTrue();
            assertThat(local.isSameOrigin(URI.create("http://localhost/prefix"))).isFalse();
            assertThat(local.isSameOrigin(URI.create("http://127.0.0.1:8080/prefix"))).isFalse();
        }
    }

    @Test
    void equalBaseUrlsMakeEqualEndpoints() {
        assertThat(ApiEndpoint.forSpace("Example")).isEqualTo(ApiEndpoint.of(URI.create("https://example.signalwire.com/"), false))
                .hasSameHashCodeAs(ApiEndpoint.forSpace("example"))
                .isNotEqualTo(ApiEndpoint.forSpace("other"));
        assertThat(ApiEndpoint.forSpace("example")).hasToString("ApiEndpoint[https://example.signalwire.com]");
    }

    @Test
    void endpointsForSpacesNeverAllowInsecureHttp() {
        assertThat(ApiEndpoint.forSpace("example").isInsecureHttpAllowed()).isFalse();
    }
}
