package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.ConnectFailedException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.FirstByteCounter;
import io.netty.handler.ssl.NotSslRecordException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Exceptions;
import reactor.netty.http.client.PrematureCloseException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every way a connection fails, met for real, reads as plain words that name the server's {@code host:port} and the
 * reason, with the transport's own exception kept as the cause and no class name in the message; a server that
 * speaks the other scheme ({@code http://} to a TLS port, {@code https://} to a plain one) is said to, and asked once.
 */
class TransferFailureMessagesTest {

    private static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    private static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";
    /** Three attempts, quickly: what is retried shows in {@link TransferException#attempts()}. */
    private static final RetryPolicy THREE_QUICK_ATTEMPTS =
            RetryPolicy.defaults().maxAttempts(3).baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2));

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

    private RecordingsClient client(URI baseUrl, RetryPolicy retries) {
        return opened(RecordingsClient.builder().baseUrl(baseUrl).allowInsecureHttp().retryPolicy(retries)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    private static Throwable downloadFailure(RecordingsClient client, String account, String recording) {
        return Exceptions.unwrap(catchThrowable(() ->
                client.download(account, recording, AudioFormat.WAV).blockLast(Duration.ofSeconds(30))));
    }

    private static Throwable downloadFailure(RecordingsClient client) {
        return downloadFailure(client, ACCOUNT, RECORDING);
    }

    /** Plain words: no Java class name (a word ending in Exception, a package), one line. */
    private static void assertPlainWords(Throwable t) {
        assertThat(t.getMessage())
                .doesNotContainPattern("[A-Za-z]*(Exception|Error)\\b")
                .doesNotContain("io.netty").doesNotContain("reactor.").doesNotContain("java.")
                .doesNotContain("(..)").doesNotContain("\n");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ connecting

    @Test
    void aClosedPortIsConnectionRefusedByItsHostAndPortAndStillRetried() throws IOException {
        int port = closedPort();

        Throwable t = downloadFailure(client(URI.create("http://127.0.0.1:" + port), THREE_QUICK_ATTEMPTS));

        // Typed apart: nothing was sent, so even a write may repeat it (RELIABILITY.md, "Writes").
        assertThat(t).isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("connection refused by 127.0.0.1:" + port)
                .hasRootCauseInstanceOf(ConnectException.class);
        assertThat(t.getCause()).isInstanceOf(ConnectException.class);
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).as("refused is retried: the server may be restarting").isEqualTo(3);
    }

    @Test
    void anUnknownHostIsNamedWithItsPort() {
        Throwable t = downloadFailure(client(URI.create("http://no-such-host.invalid:8080"), RetryPolicy.none()));

        assertThat(t).isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("unknown host no-such-host.invalid")
                .hasMessageContaining("no-such-host.invalid:8080");
        assertThat(t).cause().isNotNull();
        assertThat(hasInChain(t, UnknownHostException.class)).as("the resolver's exception is kept").isTrue();
        assertPlainWords(t);
    }

    // ------------------------------------------------------------------ closed or reset before an answer

    @Test
    void aServerThatClosesBeforeAnsweringIsSaidToAndRetried() throws IOException {
        RawServer server = opened(RawServer.start(socket -> socket.close()));

        Throwable t = downloadFailure(client(server.baseUrl(), THREE_QUICK_ATTEMPTS));

        assertThat(t).isExactlyInstanceOf(TransferException.class)
                .hasMessageContaining("127.0.0.1:" + server.port() + " closed the connection before responding");
        assertThat(t.getCause()).isInstanceOf(PrematureCloseException.class);
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).isEqualTo(3);
        assertThat(server.httpRequests()).isEqualTo(3);
    }

    @Test
    void aServerThatResetsBeforeAnsweringIsSaidToAndRetried() throws IOException {
        RawServer server = opened(RawServer.start(socket -> {
            socket.setSoLinger(true, 0);
            socket.close();
        }));

        Throwable t = downloadFailure(client(server.baseUrl(), THREE_QUICK_ATTEMPTS));

        assertThat(t).isInstanceOf(TransferException.class);
        // Which of the two the client meets depends on whether the reset arrives before or after its own close.
        assertThat(t.getMessage()).containsAnyOf("connection reset by 127.0.0.1:" + server.port(),
                "127.0.0.1:" + server.port() + " closed the connection before responding");
        assertThat(t.getCause()).isInstanceOf(IOException.class);
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).isEqualTo(3);
        assertThat(server.httpRequests()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ broken during the body

    @Test
    void aBodyCutByACloseSaysWhoClosedIt() {
        RecordingsServer server = opened(RecordingsServer.start());
        TestRecording recording = server.addRecording(RecordingSpec.create().size(Format.WAV, 100_044));
        server.enqueueFault(Fault.closeAfterBytes(10_000));

        Throwable t = downloadFailure(client(server.baseUrl(), RetryPolicy.none()), recording.accountSid(),
                recording.sid());

        assertThat(t).isInstanceOf(IncompleteBodyException.class)
                .hasMessageContaining("body ended after")
                .hasMessageContaining("127.0.0.1:" + server.port() + " closed the connection during the response");
        assertThat(t.getCause()).isInstanceOf(IOException.class);
        assertPlainWords(t);
    }

    @Test
    void aBodyCutByAResetSaysWhoResetIt() {
        RecordingsServer server = opened(RecordingsServer.start());
        TestRecording recording = server.addRecording(RecordingSpec.create().size(Format.WAV, 1_000_044));
        server.enqueueFault(Fault.throttle(4_000_000).and(Fault.resetAfterBytes(100_000)));

        Throwable t = downloadFailure(client(server.baseUrl(), RetryPolicy.none()), recording.accountSid(),
                recording.sid());

        assertThat(t).isInstanceOf(IncompleteBodyException.class).hasMessageContaining("body ended after");
        // A reset the client reads as such, or, when the kernel reported the end first, as a close.
        assertThat(t.getMessage()).containsAnyOf("(connection reset by 127.0.0.1:" + server.port() + ")",
                "(127.0.0.1:" + server.port() + " closed the connection during the response)");
        assertThat(t.getCause()).isInstanceOf(IOException.class);
        assertPlainWords(t);
    }

    // ------------------------------------------------------------------ the other scheme

    @Test
    void aTlsServerAskedOverHttpIsSaidToSpeakTlsAndAskedOnce() throws IOException {
        RecordingsServer tls = opened(RecordingsServer.builder().tls().start());
        FirstByteCounter counter = opened(FirstByteCounter.start(tls.port()));

        Throwable t = downloadFailure(client(URI.create("http://127.0.0.1:" + counter.port()), THREE_QUICK_ATTEMPTS));

        assertThat(t).isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("the server at 127.0.0.1:" + counter.port() + " speaks TLS")
                .hasMessageContaining("use https://");
        assertThat(t.getCause()).as("the close the client met").isInstanceOf(PrematureCloseException.class);
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).isEqualTo(1);
        assertThat(counter.httpRequests()).as("requests").isEqualTo(1);
        assertThat(counter.tlsHellos()).as("the one probe that asked whether it speaks TLS").isEqualTo(1);
    }

    @Test
    void aServerThatAnswersAPlainRequestWithATlsAlertIsSaidToSpeakTlsWithoutAProbe() throws IOException {
        byte[] alert = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
        RawServer server = opened(RawServer.start(socket -> {
            socket.getOutputStream().write(alert);
            socket.shutdownOutput();
            socket.getInputStream().readAllBytes();
            socket.close();
        }));

        Throwable t = downloadFailure(client(server.baseUrl(), THREE_QUICK_ATTEMPTS));

        assertThat(t).isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining("the server at 127.0.0.1:" + server.port() + " speaks TLS")
                .hasMessageContaining("use https://");
        assertThat(t.getCause()).as("what the first bytes were").hasMessageContaining("15 03 03 00 02");
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).isEqualTo(1);
        assertThat(server.httpRequests()).isEqualTo(1);
        assertThat(server.connections()).as("no probe: the bytes said it").isEqualTo(1);
    }

    @Test
    void aPlainServerAskedOverHttpsIsSaidToSpeakPlainHttpAndAskedOnce() throws IOException {
        RecordingsServer plain = opened(RecordingsServer.start());
        FirstByteCounter counter = opened(FirstByteCounter.start(plain.port()));

        Throwable t = downloadFailure(client(URI.create("https://127.0.0.1:" + counter.port()), THREE_QUICK_ATTEMPTS));

        assertThat(t).isInstanceOf(TlsException.class)
                .hasMessageContaining("the server at 127.0.0.1:" + counter.port() + " does not speak TLS")
                .hasMessageContaining("plain-HTTP server")
                .hasMessageContaining("use http://");
        assertThat(hasInChain(t, NotSslRecordException.class)).as("Netty's exception is kept").isTrue();
        assertPlainWords(t);
        assertThat(((TransferException) t).attempts()).isEqualTo(1);
        assertThat(counter.tlsHellos()).as("handshakes started").isEqualTo(1);
        assertThat(counter.httpRequests()).isZero();
    }

    @Test
    void aPlainServerThatClosedOnceIsNotMistakenForTlsAndTheRetrySucceeds() {
        RecordingsServer server = opened(RecordingsServer.start());
        TestRecording recording = server.addRecording(RecordingSpec.create().size(Format.WAV, 20_044));
        server.enqueueFault(Fault.raw(new byte[] {'H'}, Fault.After.CLOSE));

        List<java.nio.ByteBuffer> body = client(server.baseUrl(), THREE_QUICK_ATTEMPTS)
                .download(recording.accountSid(), recording.sid(), AudioFormat.WAV).collectList()
                .block(Duration.ofSeconds(30));

        assertThat(TestData.sha256(body)).isEqualTo(recording.sha256(Format.WAV));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    private static boolean hasInChain(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A server on blocking sockets that reads what a connection sends first, then lets {@code then} end it, and
     * counts the connections and those that began with an HTTP request.
     */
    static final class RawServer implements AutoCloseable {
        interface Then {
            void accept(Socket socket) throws IOException;
        }

        private final ServerSocket socket;
        private final Thread acceptor;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger httpRequests = new AtomicInteger();

        private RawServer(Then then) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        s.setSoTimeout(5_000);
                        InputStream in = s.getInputStream();
                        byte[] first = new byte[16 * 1024];
                        int n = in.read(first);
                        if (n > 0 && first[0] >= 'A' && first[0] <= 'Z') {
                            httpRequests.incrementAndGet();
                        }
                        then.accept(s);
                    } catch (IOException e) {
                        // Closed, or the client went away: the next connection, if any.
                    }
                }
            }, "raw-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static RawServer start(Then then) throws IOException {
            return new RawServer(then);
        }

        int port() {
            return socket.getLocalPort();
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + port());
        }

        int connections() {
            return connections.get();
        }

        int httpRequests() {
            return httpRequests.get();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5_000);
        }
    }
}
