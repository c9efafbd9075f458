package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code download --url}: a media URL is fetched from the server's own origin, and from another host only when
 * {@code --media-host} names it; anything else is refused as invalid input (exit 2) before a request is sent.
 */
class DownloadUrlTest {

    @RegisterExtension
    static final RecordingsServerExtension testkit = new RecordingsServerExtension(RecordingsServer.builder());

    static TestRecording recording;

    @TempDir
    Path dir;

    @BeforeAll
    static void addRecording() {
        recording = testkit.server().addRecording(RecordingSpec.create().size(Format.MP3, 40_000));
    }

    @BeforeEach
    void resetCounters() {
        testkit.server().resetCounters();
    }

    private static String base() {
        return testkit.baseUrl().toString();
    }

    /** The recording's MP3 URL with the server's host spelled {@code localhost}: the same server, another host. */
    private static String elsewhere() {
        return "http://localhost:" + testkit.server().port() + recording.url(Format.MP3).getRawPath();
    }

    @Test
    void aUrlOnTheServersOriginIsDownloadedIntoAFileNamedAfterIt() throws IOException {
        CliRun r = CliRun.run("download", "--base-url", base(), "--url", recording.url(Format.MP3).toString(),
                "-o", dir.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve(recording.sid() + ".mp3"))).isEqualTo(recording.bytes(Format.MP3));
    }

    @Test
    void aUrlOnAnotherHostIsRefusedNamingTheHostAndTheOption() {
        CliRun r = CliRun.run("download", "--base-url", base(), "--url", elsewhere(), "-o", dir.resolve("a.mp3").toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ")
                .contains("refusing host localhost", "--media-host localhost", base());
        assertThat(testkit.server().requestCount()).isZero();
        assertThat(dir.resolve("a.mp3")).doesNotExist();
    }

    @Test
    void aLoopbackAdminUrlIsRefusedWhenTheServerIsASpace() {
        CliRun r = CliRun.run("download", "--space", "example", "--url", "http://127.0.0.1:8080/admin",
                "-o", dir.resolve("a").toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("refusing host 127.0.0.1", "https://example.signalwire.com", "--media-host");
    }

    @Test
    void aHostNamedWithMediaHostIsDownloadedAndTheOptionRepeats() throws IOException {
        Path target = dir.resolve("call.mp3");
        CliRun r = CliRun.run("download", "--base-url", base(), "--url", elsewhere(), "-o", target.toString(),
                "--media-host", "*.signalwire.com", "--media-host", "localhost");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(recording.bytes(Format.MP3));
    }

    @Test
    void aMalformedMediaHostIsInvalidInput() {
        CliRun r = CliRun.run("download", "--base-url", base(), "--url", elsewhere(), "--media-host", "*.com");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("recordings: error: --media-host: ").contains("\"*.com\"");
    }

    @Test
    void sidAndUrlAreMutuallyExclusive() {
        CliRun r = CliRun.run("download", "--base-url", base(), "--sid", recording.sid(), "--url", elsewhere());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("--sid", "--url").hasLineCount(1);
    }

    @Test
    void aUrlWithUserInfoIsRefusedWithoutRepeatingIt() {
        CliRun r = CliRun.run("download", "--base-url", base(), "--url",
                "http://user:pa55@127.0.0.1:" + testkit.server().port() + "/a.mp3");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("user info").doesNotContain("pa55");
    }
}
