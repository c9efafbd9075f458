package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.FirstByteCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a script and a person read when the server cannot be talked to: exit 6 and one line on stderr, in words that
 * name the server's {@code host:port} and the reason, never a Java class; a server that speaks the other scheme is
 * said to, with the scheme to use, and asked once (retrying cannot help).
 */
class ConnectionFailureTest {

    static final String PROJECT = "5b0d1c2e-7f3a-4b6c-9d8e-0a1b2c3d4e5f";
    static final String TOKEN = "PTwords-canary-3d1f";
    static final String SID = "19e436af-5688-4307-b03b-bdb2b42b8142";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    /** One line on stderr, in words: no exception class, no Netty, the token nowhere. */
    static void assertOneLineInWords(CliRun r) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ").hasLineCount(1)
                .doesNotContainPattern("[A-Za-z]*(Exception|Error)\\b")
                .doesNotContain("io.netty").doesNotContain("reactor.").doesNotContain("(..)")
                .doesNotContain(TOKEN);
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aClosedPortIsConnectionRefusedByHostAndPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        CliRun r = CliRun.run(env(), "metadata", "--base-url", "http://127.0.0.1:" + port, "--sid", SID,
                "--attempts", "2");

        assertOneLineInWords(r);
        // Retried (a stopped server may be restarting), and said so.
        assertThat(r.stderr()).contains("connection refused by 127.0.0.1:" + port).containsPattern("\\b2 attempts\\b");
    }

    @Test
    void aTlsServerAskedOverHttpIsSaidToSpeakTlsAfterOneRequest() throws IOException {
        RecordingsServer tls = opened(RecordingsServer.builder().tls().credentials(PROJECT, TOKEN).start());
        TestRecording recording = tls.addRecording(RecordingSpec.create());
        FirstByteCounter counter = opened(FirstByteCounter.start(tls.port()));

        CliRun r = CliRun.run(env(), "download", "--base-url", "http://127.0.0.1:" + counter.port(),
                "--account", recording.accountSid(), "--sid", recording.sid(), "-o", "-");

        assertOneLineInWords(r);
        assertThat(r.stderr()).contains("the server at 127.0.0.1:" + counter.port() + " speaks TLS")
                .contains("use https://").doesNotContain("attempts");
        assertThat(counter.httpRequests()).as("requests").isEqualTo(1);
    }

    @Test
    void aPlainServerAskedOverHttpsIsSaidToSpeakPlainHttpAfterOneHandshake() throws IOException {
        RecordingsServer plain = opened(RecordingsServer.builder().credentials(PROJECT, TOKEN).start());
        TestRecording recording = plain.addRecording(RecordingSpec.create());
        FirstByteCounter counter = opened(FirstByteCounter.start(plain.port()));

        CliRun r = CliRun.run(env(), "metadata", "--base-url", "https://127.0.0.1:" + counter.port(),
                "--account", recording.accountSid(), "--sid", recording.sid());

        assertOneLineInWords(r);
        assertThat(r.stderr()).contains("the server at 127.0.0.1:" + counter.port() + " does not speak TLS")
                .contains("use http://").doesNotContain("attempts");
        assertThat(counter.tlsHellos()).as("handshakes").isEqualTo(1);
        assertThat(counter.httpRequests()).isZero();
    }
}
