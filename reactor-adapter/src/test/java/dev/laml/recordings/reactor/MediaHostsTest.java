package dev.laml.recordings.reactor;

import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SSRF guard: a media URL is fetched only from the configured origin and the hosts
 * {@code mediaHosts(...)} allows; anything else is refused when the media method is called, with an
 * {@link IllegalArgumentException} naming the host and the setting, and nothing is sent.
 */
class MediaHostsTest {

    private static RecordingsServer server;
    private static TestRecording recording;

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().seed(41).size(Format.MP3, 20_000));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void resetCounters() {
        server.resetCounters();
    }

    private static RecordingsClient space(String... mediaHosts) {
        return RecordingsClient.builder().space("example").mediaHosts(mediaHosts).build();
    }

    @Test
    void aHostThatIsNeitherTheOriginNorAllowedIsRefusedNamingTheHostAndTheSetting() {
        try (RecordingsClient client = space()) {
            assertThatThrownBy(() -> client.download(URI.create("https://evil.example.net/a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"evil.example.net\"")
                    .hasMessageContaining("mediaHosts")
                    .hasMessageContaining("https://example.signalwire.com");
        }
    }

    @Test
    void theConfiguredOriginIsAllowedWithoutAnySetting() {
        try (RecordingsClient client = space()) {
            assertThatCode(() -> client.download(URI.create("https://example.signalwire.com/api/laml/x.mp3")))
                    .doesNotThrowAnyException();
            assertThatCode(() -> client.download(URI.create("https://EXAMPLE.signalwire.com:443/x.mp3")))
                    .doesNotThrowAnyException();
            // Another space on the same domain is another origin.
            assertThatThrownBy(() -> client.download(URI.create("https://other.signalwire.com/x.mp3")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"other.signalwire.com\"");
        }
    }

    @Test
    void aLoopbackAdminUrlIsRefusedWhenTheOriginIsElsewhere() {
        try (RecordingsClient client = space()) {
            assertThatThrownBy(() -> client.download(URI.create("http://127.0.0.1:8080/admin")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"127.0.0.1\" (port 8080)")
                    .hasMessageContaining("mediaHosts");
        }
    }

    @Test
    void anotherPortOnTheOriginsHostIsAnotherOriginAndNothingIsSent() {
        int otherPort = server.port() == 65535 ? 65534 : server.port() + 1;
        try (RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl()).build()) {
            assertThatThrownBy(() -> client.download(URI.create("http://127.0.0.1:" + otherPort + "/admin")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
        }
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void aCloudMetadataAddressIsRefusedOverHttpsToo() {
        try (RecordingsClient client = space("*.signalwire.com")) {
            assertThatThrownBy(() -> client.download(URI.create("https://169.254.169.254/latest/meta-data/iam/")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"169.254.169.254\"")
                    .hasMessageContaining("mediaHosts (*.signalwire.com)");
            assertThatThrownBy(() -> client.download(URI.create("https://[::ffff:169.254.169.254]/latest/")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
        }
    }

    @Test
    void aWildcardMatchesNamesUnderItsDomainOnly() {
        try (RecordingsClient client = space("*.signalwire.com")) {
            assertThatCode(() -> client.download(URI.create("https://files.signalwire.com/a.mp3"))).doesNotThrowAnyException();
            assertThatCode(() -> client.download(URI.create("https://a.b.signalwire.com:8443/a.mp3")))
                    .doesNotThrowAnyException();
            for (String refused : new String[] {"https://evil-signalwire.com/a.mp3", "https://signalwire.com/a.mp3",
                    "https://signalwire.com.evil.net/a.mp3", "https://files.signalwire.co/a.mp3"}) {
                assertThatThrownBy(() -> client.download(URI.create(refused))).as(refused)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
            }
        }
    }

    @Test
    void userInfoInAMediaUrlIsRefusedWithoutRepeatingIt() {
        try (RecordingsClient client = space("*.signalwire.com")) {
            // The classic confusion: what looks like the host is user info, and evil.net is the host.
            assertThatThrownBy(() -> client.download(URI.create("https://example.signalwire.com@evil.net/a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("user info")
                    .hasMessageNotContaining("example.signalwire.com");
            assertThatThrownBy(() -> client.download(URI.create("https://user:s3cret@files.signalwire.com/a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void ipLiteralsMatchOnlyTheListedAddress() {
        try (RecordingsClient client = space("10.0.0.5", "[::1]")) {
            assertThatCode(() -> client.download(URI.create("https://10.0.0.5/a.mp3"))).doesNotThrowAnyException();
            assertThatCode(() -> client.download(URI.create("https://[0:0:0:0:0:0:0:1]:8443/a.mp3")))
                    .doesNotThrowAnyException();
            for (String refused : new String[] {"https://10.0.0.6/a.mp3", "https://10.0.0.50/a.mp3",
                    "https://[::2]/a.mp3", "https://10.0.0.5.evil.net/a.mp3"}) {
                assertThatThrownBy(() -> client.download(URI.create(refused))).as(refused)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
            }
            // 10.0.0.5 as one decimal number: java.net.URI sees no host in it, so it is refused before the list.
            assertThatThrownBy(() -> client.download(URI.create("https://167772165/a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hostsAreComparedWithoutRegardToCaseOrATrailingDot() {
        try (RecordingsClient client = space("Media.Example.COM", "*.CDN.example.org.")) {
            assertThatCode(() -> client.download(URI.create("https://MEDIA.example.com/a.mp3"))).doesNotThrowAnyException();
            assertThatCode(() -> client.download(URI.create("https://media.example.com./a.mp3"))).doesNotThrowAnyException();
            assertThatCode(() -> client.download(URI.create("https://eu.cdn.EXAMPLE.org./a.mp3"))).doesNotThrowAnyException();
            assertThatThrownBy(() -> client.download(URI.create("https://media.example.com../a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void openAndDownloadToAreGuardedAlikeAndRefuseBeforeSending(@TempDir Path dir) {
        URI elsewhere = URI.create("http://localhost:" + server.port() + recording.url(Format.MP3).getRawPath());
        try (RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl()).build()) {
            assertThatThrownBy(() -> client.open(MediaRequest.of(elsewhere)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"localhost\"");
            assertThatThrownBy(() -> client.downloadTo(MediaRequest.of(elsewhere), dir.resolve("a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
            assertThatThrownBy(() -> client.download(MediaRequest.of(elsewhere)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
        }
        assertThat(server.requestCount()).isZero();
        assertThat(dir.resolve("a.mp3")).doesNotExist();
    }

    @Test
    void anAllowedHostIsFetched() {
        URI elsewhere = URI.create("http://localhost:" + server.port() + recording.url(Format.MP3).getRawPath());
        try (RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl()).mediaHosts("localhost").build()) {
            StepVerifier.create(client.download(elsewhere).map(b -> (long) b.remaining()).reduce(0L, Long::sum))
                    .expectNext(20_000L)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
        }
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void plainHttpStillGoesOnlyToLoopbackOnAnAllowedHost() {
        try (RecordingsClient client = space("media.example.com")) {
            assertThatThrownBy(() -> client.download(URI.create("http://media.example.com/a.mp3")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must use https");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "*", "*.com", "*.", "a.*.example.com", "*example.com", "https://example.com",
            "example.com:443", "example.com/path", "user@example.com", "exa mple.com", "-example.com", "*.10.0.0.1",
            "example..com"})
    void malformedPatternsAreRefusedByTheBuilderNamingTheSetting(String pattern) {
        assertThatThrownBy(() -> RecordingsClient.builder().mediaHosts(pattern))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
    }

    @Test
    void aNullPatternOrListIsRefused() {
        assertThatThrownBy(() -> RecordingsClient.builder().mediaHosts((String[]) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
        assertThatThrownBy(() -> RecordingsClient.builder().mediaHosts("example.com", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mediaHosts");
    }
}
