package dev.laml.recordings.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("MediaHosts: which hosts a caller's media URL may name besides the origin")
class MediaHostsTest {

    private static final ApiEndpoint SPACE = ApiEndpoint.forSpace("example");
    private static final ApiEndpoint LOCAL = ApiEndpoint.of(URI.create("http://127.0.0.1:9000/prefix"), false);

    private static boolean allows(MediaHosts hosts, ApiEndpoint endpoint, String url) {
        return hosts.allows(endpoint, URI.create(url));
    }

    @ParameterizedTest
    @CsvSource({
            "https://example.signalwire.com/a.mp3,       true",
            "https://Example.SignalWire.com:443/a.mp3,   true",
            "https://example.signalwire.com./a.mp3,      true",
            "http://example.signalwire.com/a.mp3,        false",
            "https://example.signalwire.com:8443/a.mp3,  false",
            "https://other.signalwire.com/a.mp3,         false",
            "https://169.254.169.254/latest/meta-data,   false",
            "http://127.0.0.1:8080/admin,                false"})
    void withNoPatternsOnlyTheOriginIsAllowed(String url, boolean allowed) {
        assertThat(allows(MediaHosts.none(), SPACE, url)).isEqualTo(allowed);
    }

    @Test
    void aBaseUrlsOriginIsItsSchemeHostAndPortWhateverItsPath() {
        assertThat(allows(MediaHosts.none(), LOCAL, "http://127.0.0.1:9000/elsewhere/a.mp3")).isTrue();
        assertThat(allows(MediaHosts.none(), LOCAL, "http://127.0.0.1:9001/a.mp3")).isFalse();
        assertThat(allows(MediaHosts.none(), LOCAL, "http://localhost:9000/a.mp3")).isFalse();
        assertThat(allows(MediaHosts.none(), LOCAL, "https://127.0.0.1:9000/a.mp3")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "https://a.signalwire.com/x,           true",
            "https://a.b.signalwire.com:8443/x,    true",
            "https://A.SIGNALWIRE.COM./x,          true",
            "https://signalwire.com/x,             false",
            "https://evil-signalwire.com/x,        false",
            "https://a.evil-signalwire.com/x,      false",
            "https://signalwire.com.evil.net/x,    false",
            "https://a.signalwire.com../x,         false"})
    void aWildcardMatchesNamesUnderItsDomainOnly(String url, boolean allowed) {
        assertThat(allows(MediaHosts.of("*.signalwire.com"), LOCAL, url)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.5,      https://10.0.0.5/x,                        true",
            "10.0.0.5,      https://10.0.0.50/x,                       false",
            "10.0.0.5,      https://10.0.0.5.nip.io/x,                 false",
            "::1,           https://[::1]:8443/x,                      true",
            "[::1],         https://[0:0:0:0:0:0:0:1]/x,               true",
            "[2001:DB8::1], https://[2001:db8:0:0:0:0:0:1]/x,          true",
            "[2001:db8::1], https://[2001:db8::2]/x,                   false",
            "169.254.169.254, https://[::ffff:169.254.169.254]/x,      true",
            "media.example.com, https://MEDIA.example.com./x,          true",
            "Media.Example.COM., https://media.example.com/x,          true",
            "media.example.com, https://media.example.com.evil.net/x,  false",
            "media.example.com, https://x.media.example.com/x,         false"})
    void exactPatternsMatchThatHostOnlyWhateverItsSpelling(String pattern, String url, boolean allowed) {
        assertThat(allows(MediaHosts.of(pattern), SPACE, url)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "*", "*.", "*.com", "*.com.", "**.example.com", "a.*.example.com", "*example.com",
            "https://example.com", "example.com:443", "example.com/a", "u@example.com", "exa mple.com", "-a.example.com",
            "a-.example.com", "example..com", "*.10.0.0.1", "*.example.123", "[::1", "::g", "fe80::1%eth0", "ex\u0000ample.com",
            "bücher.example"})
    void malformedPatternsAreRefusedNamingTheSetting(String pattern) {
        assertThatThrownBy(() -> MediaHosts.of(pattern))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("mediaHosts");
    }

    @Test
    void checkNamesTheHostTheOriginAndTheSetting() {
        MediaHosts hosts = MediaHosts.of("*.signalwire.com", "cdn.example.com");
        assertThatThrownBy(() -> hosts.check(LOCAL, URI.create("https://evil.example.net:444/a.mp3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("media URL refused: host \"evil.example.net\" (port 444) is neither the configured origin "
                        + "http://127.0.0.1:9000 nor a host allowed by mediaHosts (*.signalwire.com, cdn.example.com); "
                        + "add it to mediaHosts if media may come from there");
        assertThatThrownBy(() -> MediaHosts.none().check(SPACE, URI.create("https://evil.example.net/a.mp3")))
                .hasMessageContaining("mediaHosts (none set)");
    }

    @Test
    void patternsAreKeptAsGivenAndCompareByMeaning() {
        MediaHosts hosts = MediaHosts.of(" *.signalwire.com ", "CDN.example.com.");
        assertThat(hosts.patterns()).containsExactly("*.signalwire.com", "CDN.example.com.");
        assertThat(hosts).isEqualTo(MediaHosts.of(List.of("*.SignalWire.com", "cdn.example.com")))
                .hasToString("MediaHosts[*.signalwire.com, CDN.example.com.]");
        assertThat(MediaHosts.of()).isSameAs(MediaHosts.none());
        assertThat(MediaHosts.none().patterns()).isEmpty();
    }
}
