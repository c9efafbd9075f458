package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Fault#raw(byte[], Fault.After)}: the bytes a test gives reach the client exactly, whatever they are, and
 * the connection then closes or stalls as asked; over plain HTTP and over TLS.
 */
@Timeout(30)
class RawFaultTest {

    /** Not HTTP, not text: every byte value, and lines ended badly. */
    private static final byte[] GARBAGE = garbage();

    private static RecordingsServer server;
    private static TestRecording recording;

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(1));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.clearFaults();
        server.resetCounters();
    }

    private static byte[] garbage() {
        byte[] bytes = new byte[600];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        byte[] lead = "HTTP/1.1 2OO OK\nContent-Length: -5\r\n".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(lead, 0, bytes, 0, lead.length);
        return bytes;
    }

    /** One GET on a fresh socket; everything the server sent until it closed, or until {@code quiet} passed. */
    private static Received get(String path, Duration quiet) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout((int) quiet.toMillis());
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
                return new Received(out.toByteArray(), true);
            } catch (SocketTimeoutException stillOpen) {
                return new Received(out.toByteArray(), false);
            }
        }
    }

    private record Received(byte[] bytes, boolean closed) {
    }

    @Test
    void theBytesAreSentExactlyAndThenTheConnectionCloses() throws IOException {
        server.enqueueFault(Fault.raw(GARBAGE));

        Received received = get(recording.url(Format.WAV).getPath(), Duration.ofSeconds(10));

        assertThat(received.bytes()).isEqualTo(GARBAGE);
        assertThat(received.closed()).as("closed by the server").isTrue();
    }

    @Test
    void stallSendsTheBytesAndThenNothingWhileKeepingTheConnectionOpen() throws IOException {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Le";
        server.enqueueFault(Fault.raw(head, Fault.After.STALL));

        Received received = get(recording.url(Format.WAV).getPath(), Duration.ofMillis(500));

        assertThat(new String(received.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo(head);
        assertThat(received.closed()).as("still open after 500 ms").isFalse();
    }

    @Test
    void aValidLookingAnswerIsNotCompletedOrFixedByTheServer() throws IOException {
        // No Content-Length, no Date, no Connection header: a real server's encoder would add or fix them.
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n\r\nID3";
        server.enqueueFault(Fault.raw(answer));

        Received received = get(recording.url(Format.MP3).getPath(), Duration.ofSeconds(10));

        assertThat(new String(received.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo(answer);
    }

    @Test
    void theRequestIsLoggedAndOnlyTheNextOneIsAnsweredRaw() throws IOException {
        server.enqueueFault(Fault.raw("junk"));

        get(recording.url(Format.WAV).getPath(), Duration.ofSeconds(10));
        Received next = get(recording.url(Format.WAV).getPath(), Duration.ofMillis(500));

        assertThat(server.requestCount(recording.url(Format.WAV).getPath())).isEqualTo(2);
        assertThat(server.takeRequest().path()).isEqualTo(recording.url(Format.WAV).getPath());
        assertThat(new String(next.bytes(), 0, 15, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(server.bytesWritten()).as("only the real answer's body is counted")
                .isEqualTo(recording.size(Format.WAV));
    }

    @Test
    void latencyComesBeforeTheFirstByte() throws IOException {
        server.enqueueFault(Fault.latency(Duration.ofMillis(300)).and(Fault.raw("HTTP/1.1 204 No Content\r\n\r\n")));

        long start = System.nanoTime();
        Received received = get(recording.url(Format.WAV).getPath(), Duration.ofSeconds(10));

        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
        assertThat(new String(received.bytes(), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");
    }

    @Test
    void overTlsTheBytesTravelInsideTheSessionAndTheCloseIsClean() throws Exception {
        try (RecordingsServer tls = RecordingsServer.builder().tls().start()) {
            TestRecording r = tls.addRecording(RecordingSpec.create().durationSeconds(1));
            String answer = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nabc";
            tls.enqueueFault(Fault.raw(answer));

            TlsProbe.Exchange exchange = TlsProbe.get(TlsProbe.trusting(tls.certificatePem()), tls.port(),
                    r.url(Format.WAV).getPath());

            assertThat(exchange.head() + "\r\n\r\n" + new String(exchange.body(), StandardCharsets.ISO_8859_1))
                    .isEqualTo(answer);
            assertThat(exchange.closeNotify()).as("close_notify, then FIN").isTrue();
        }
    }

    @Test
    void faultsAreValuesThatCopyTheirBytes() {
        byte[] bytes = "HTTP/1.1 2OO OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        Fault fault = Fault.raw(bytes);
        bytes[0] = 'X';

        assertThat(fault).isEqualTo(Fault.raw("HTTP/1.1 2OO OK\r\n\r\n"))
                .isEqualTo(Fault.raw("HTTP/1.1 2OO OK\r\n\r\n", Fault.After.CLOSE))
                .isNotEqualTo(Fault.raw("HTTP/1.1 2OO OK\r\n\r\n", Fault.After.STALL))
                .hasSameHashCodeAs(Fault.raw("HTTP/1.1 2OO OK\r\n\r\n"));
        assertThat(fault.toString()).isEqualTo("Fault[raw=19 bytes \"HTTP/1.1 2OO OK\\r\\n\\r\\n\", then CLOSE]");
        assertThat(Fault.raw(Arrays.copyOf(GARBAGE, 60)).toString()).contains("\\n", "\\x", "\"…");
    }

    @Test
    void misuseIsRefusedAtOnce() {
        assertThatThrownBy(() -> Fault.raw(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.raw("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.raw("caf\u00e9 \u20ac")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("character 5");
        assertThatThrownBy(() -> Fault.raw((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fault.raw("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fault.raw("x").and(Fault.closeAfterBytes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency only");
        assertThatThrownBy(() -> Fault.throttle(10).and(Fault.raw("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency only");
        assertThatThrownBy(() -> Fault.raw("x").and(Fault.status(503)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    }
}
