package dev.laml.recordings.reactor.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Proxy URIs as users write them, and curl's NO_PROXY rules, without a socket. */
class ProxySettingsTest {

    private static ProxySettings proxy(String... noProxy) {
        return ProxySettings.parse(URI.create("http://proxy.corp:3128"), Arrays.asList(noProxy));
    }

    @ParameterizedTest(name = "NO_PROXY={0}, host {1}: proxied {2}")
    @CsvSource({
            // no list: everything is proxied, loopback included
            "'', 127.0.0.1, true",
            "'', localhost, true",
            "'', example.signalwire.com, true",
            // '*' alone turns the proxy off
            "'*', example.signalwire.com, false",
            // a name matches itself and every name under it, with or without a leading dot or '*.'
            "signalwire.com, signalwire.com, false",
            "signalwire.com, example.signalwire.com, false",
            ".signalwire.com, example.signalwire.com, false",
            ".signalwire.com, signalwire.com, false",
            "*.signalwire.com, a.b.signalwire.com, false",
            "signalwire.com, badsignalwire.com, true",
            "signalwire.com, signalwire.com.evil.example, true",
            // case and a trailing dot do not matter
            "SignalWire.COM, example.signalwire.com., false",
            // addresses: equal, or in a CIDR range; names are never resolved to match them
            "127.0.0.1, 127.0.0.1, false",
            "127.0.0.1, localhost, true",
            "10.0.0.0/8, 10.20.30.40, false",
            "10.0.0.0/8, 11.0.0.1, true",
            "192.168.1.0/24, 192.168.1.255, false",
            "192.168.1.0/24, 192.168.2.1, true",
            "::1, [::1], false",
            "fd00::/8, fd12:3456::1, false",
            "fd00::/8, fe80::1, true",
            "0.0.0.0/0, 8.8.8.8, false",
    })
    void noProxyFollowsCurl(String noProxy, String host, boolean proxied) {
        ProxySettings settings = noProxy.isEmpty() ? proxy() : proxy(noProxy);
        assertThat(settings.appliesTo(host)).isEqualTo(proxied);
    }

    @Test
    void severalEntriesAnyOfWhichExcludes() {
        ProxySettings settings = proxy("localhost", "*.internal", "10.0.0.0/8");
        assertThat(settings.appliesTo("localhost")).isFalse();
        assertThat(settings.appliesTo("api.internal")).isFalse();
        assertThat(settings.appliesTo("10.1.1.1")).isFalse();
        assertThat(settings.appliesTo("example.signalwire.com")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.0/33", "10.0.0.0/x", "a*b.example", "host/8", "bad host"})
    void malformedNoProxyEntriesAreRefused(String pattern) {
        assertThatThrownBy(() -> ProxySettings.validateNoProxy(pattern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("noProxy:");
    }

    @Test
    void theProxyUriIsValidatedAndItsPortDefaultsTo1080AsInCurl() {
        assertThat(ProxySettings.parse(URI.create("http://proxy.corp"), List.of()).hostPort()).isEqualTo("proxy.corp:1080");
        assertThat(ProxySettings.parse(URI.create("socks5://127.0.0.1:1081"), List.of()).describe())
                .isEqualTo("socks5://127.0.0.1:1081");
        assertThat(ProxySettings.parse(URI.create("http://[::1]:3128"), List.of()).hostPort()).isEqualTo("[::1]:3128");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://proxy:21", "https://proxy:443", "proxy.corp:3128", "http:///nohost",
            "http://proxy:3128/path", "http://proxy:3128?q=1", "socks5://user:pw@proxy:1080"})
    void otherProxyUrisAreRefused(String uri) {
        assertThatThrownBy(() -> ProxySettings.parse(URI.create(uri), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("proxy:");
    }

    @Test
    void credentialsAreKeptOutOfEveryDescriptionAndMessage() {
        ProxySettings settings = ProxySettings.parse(URI.create("http://alice:s3cr%40t@proxy.corp:3128"), List.of());
        assertThat(settings.describe()).isEqualTo("http://proxy.corp:3128 (with credentials)").doesNotContain("alice", "s3cr");
        assertThat(settings.toString()).doesNotContain("alice", "s3cr");
        assertThat(settings.hasCredentials()).isTrue();

        assertThatThrownBy(() -> ProxySettings.parse(URI.create("http://alice:s3cret@proxy.corp:3128/x"), List.of()))
                .hasMessageNotContaining("alice").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> ProxySettings.parse(URI.create("gopher://alice:s3cret@proxy.corp:3128"), List.of()))
                .hasMessageNotContaining("alice").hasMessageNotContaining("s3cret");
        // An unencoded '/' or '#' moves part of the password out of the user info, where only hiding the whole URI helps.
        for (String leaky : List.of("http://bob:Sec/Ret9@127.0.0.1:3128", "http://bob:Sec#Ret9@127.0.0.1:3128",
                "http://bob:Sec?Ret9@127.0.0.1:3128")) {
            assertThatThrownBy(() -> ProxySettings.parse(URI.create(leaky), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("Sec").hasMessageNotContaining("Ret9").hasMessageNotContaining("bob");
        }
    }
}
