package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.ResponseTimeoutException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The answers of issue 13's table, each served byte for byte ({@link Fault#raw}) to every operation of the client:
 * each ends in a {@link MalformedResponseException} that carries the parser's own exception as its cause, after one
 * request (never retried), never as an {@code IllegalArgumentException} or a Netty or JDK parsing type at the top,
 * and without a leaked buffer (the leak extension fails the class) or a connection that a later request could read
 * the rest of.
 */
class MalformedResponsesTest {

    private static final Duration T = Duration.ofSeconds(20);

    @RegisterExtension
    static final RecordingsServerExtension recordings =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(TestData.PROJECT, TestData.TOKEN));

    private static RecordingsClient client;
    private static TestRecording recording;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        recording = recordings.server().addRecording(RecordingSpec.create().seed(13).durationSeconds(2));
        // Retries on, with short waits: a malformed answer must still be met only once.
        client = RecordingsClient.builder().baseUrl(recordings.baseUrl())
                .credentials(TestData.PROJECT, TestData.TOKEN)
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20)))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** Every publisher of the client, reduced to its end. */
    enum Operation {
        DOWNLOAD, DOWNLOAD_TO, OPEN_AND_BODY, FETCH, LIST, LIST_PAGE, DELETE, AWAIT_COMPLETED;

        Mono<?> run(RecordingsClient client, TestRecording r, Path dir) {
            return switch (this) {
                case DOWNLOAD -> client.download(r.accountSid(), r.sid(), AudioFormat.WAV).then();
                case DOWNLOAD_TO -> client.downloadTo(r.accountSid(), r.sid(), AudioFormat.WAV, dir.resolve("a.wav"));
                case OPEN_AND_BODY -> client.open(r.accountSid(), r.sid(), AudioFormat.MP3)
                        .flatMapMany(AudioResponse::body).then();
                case FETCH -> client.fetch(r.accountSid(), r.sid());
                case LIST -> client.list(r.accountSid(), RecordingQuery.all()).then();
                case LIST_PAGE -> client.listPage(r.accountSid(), RecordingQuery.all());
                case DELETE -> client.delete(r.accountSid(), r.sid());
                case AWAIT_COMPLETED -> client.awaitCompleted(r.accountSid(), r.sid(), Duration.ofSeconds(5));
            };
        }
    }

    /**
     * Serves {@code answer} to the next request, runs {@code operation} and checks the contract: a
     * {@link MalformedResponseException} with the parser's exception ({@code parserException}) as its cause, one
     * request, nothing left on disk, and the client still working.
     */
    private MalformedResponseException assertMalformed(Operation operation, byte[] answer,
            Class<? extends Throwable> parserException) throws IOException {
        recordings.server().enqueueFault(Fault.raw(answer));

        Throwable e = failure(() -> operation.run(client, recording, dir).block(T));

        assertThat(e).as("%s", operation).isInstanceOf(MalformedResponseException.class)
                .isInstanceOf(TransferException.class)
                .hasMessageContaining("the response is not valid HTTP");
        assertThat(e.getMessage()).as("names the request, never the token")
                .contains(recording.accountSid()).doesNotContain(TestData.TOKEN);
        assertThat(e.getCause()).as("the parser's own exception").isInstanceOf(parserException);
        assertThat(((MalformedResponseException) e).attempts()).as("never retried").isEqualTo(1);
        assertThat(recordings.server().requestCount()).as("one request").isEqualTo(1);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no file, no temp file").isEmpty();
        }
        assertClientStillWorks();
        return (MalformedResponseException) e;
    }

    private static void assertClientStillWorks() {
        assertExact(client);
    }

    /** What the call failed with, as its subscriber saw it (block() wraps checked exceptions). */
    private static Throwable failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return reactor.core.Exceptions.unwrap(catchThrowable(call));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ the table of issue 13, row by row

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aNegativeContentLength(Operation operation) throws IOException {
        assertMalformed(operation, bytes("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: -5\r\n\r\n"
                + "abcde"), IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void twoDifferentContentLengths(Operation operation) throws IOException {
        assertMalformed(operation, bytes("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 5\r\n"
                + "Content-Length: 6\r\n\r\nabcdef"), IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aContentLengthBeyondLong(Operation operation) throws IOException {
        MalformedResponseException e = assertMalformed(operation, bytes("HTTP/1.1 200 OK\r\n"
                + "Content-Type: audio/x-wav\r\nContent-Length: 99999999999999999999999\r\n\r\nabcde"),
                IllegalArgumentException.class);
        assertThat(e.getCause()).hasCauseInstanceOf(NumberFormatException.class);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aHeaderLineOver16KiB(Operation operation) throws IOException {
        assertMalformed(operation, bytes("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nX-Padding: "
                + "a".repeat(17 * 1024) + "\r\nContent-Length: 5\r\n\r\nabcde"), TooLongHttpHeaderException.class);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aChunkSizeThatIsNotHex(Operation operation) throws IOException {
        // A valid head and a first chunk: the failure comes mid-body, after bytes may have been handed on.
        MalformedResponseException e = assertMalformed(operation, bytes("HTTP/1.1 200 OK\r\n"
                + "Content-Type: audio/x-wav\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nRIFF!\r\nzz\r\nabc\r\n0\r\n\r\n"),
                NumberFormatException.class);
        assertThat(e).hasMessageContaining("body framing");
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aStatusLineWhoseCodeIsNotANumber(Operation operation) throws IOException {
        MalformedResponseException e = assertMalformed(operation,
                bytes("HTTP/1.1 2OO OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 5\r\n\r\nabcde"),
                NumberFormatException.class);
        assertThat(e).hasMessageContaining("status line or headers").hasMessageContaining("2OO")
                .as("the parser's words, not its class").hasMessageNotContaining("NumberFormatException");
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void bytesThatAreNotHttpAtAll(Operation operation) throws IOException {
        byte[] garbage = new byte[512];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 37 + 11);
        }
        Throwable cause = assertMalformed(operation, garbage, Throwable.class).getCause();
        assertThat(cause).isNotInstanceOf(TransferException.class);
        assertThat(cause.getClass().getName()).startsWith("io.netty.handler.codec");
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aRedirectWhoseLocationHoldsControlBytes(Operation operation) throws IOException {
        assertMalformed(operation, bytes("HTTP/1.1 302 Found\r\nLocation: /api/\u0001\u0007x\r\n"
                + "Content-Length: 0\r\n\r\n"), IllegalArgumentException.class);
    }

    @Test
    void overHttpsAMalformedAnswerInsideTlsIsAMalformedResponseNotATlsError() {
        try (RecordingsServer tls = RecordingsServer.builder().tls().start()) {
            TestRecording r = tls.addRecording(RecordingSpec.create().seed(14).durationSeconds(1));
            tls.enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: -5\r\n\r\n"));
            try (RecordingsClient https = RecordingsClient.builder().baseUrl(tls.baseUrl())
                    .trustedCertificates(tls.writeCertificatePem(dir.resolve("ca.pem"))).build()) {
                Throwable e = failure(() -> https.download(r.accountSid(), r.sid(), AudioFormat.WAV).then().block(T));

                assertThat(e).isInstanceOf(MalformedResponseException.class)
                        .isNotInstanceOf(dev.laml.recordings.TlsException.class)
                        .hasCauseInstanceOf(IllegalArgumentException.class);
                assertThat(tls.requestCount()).as("never retried").isEqualTo(1);
                List<ByteBuffer> again = https.download(r.accountSid(), r.sid(), AudioFormat.WAV).collectList().block(T);
                assertThat(TestData.sha256(again)).isEqualTo(r.sha256(Format.WAV));
            }
        }
    }

    // ------------------------------------------------------------------ never a hang, never a reused connection

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"DOWNLOAD", "OPEN_AND_BODY", "FETCH", "LIST", "DELETE"})
    void aHeadThatStallsMidwayEndsAtTheResponseTimeout(Operation operation) {
        try (RecordingsClient impatient = RecordingsClient.builder().baseUrl(recordings.baseUrl())
                .credentials(TestData.PROJECT, TestData.TOKEN).retryPolicy(RetryPolicy.none())
                .responseTimeout(Duration.ofMillis(500)).build()) {
            recordings.server().enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Le",
                    Fault.After.STALL));

            long start = System.nanoTime();
            Throwable e = failure(() -> operation.run(impatient, recording, dir).block(T));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(e).as("%s", operation).isInstanceOf(ResponseTimeoutException.class);
            assertThat(millis).isBetween(400L, 5_000L);
        }
    }

    @Test
    void aBodyThatStallsAfterAValidHeadEndsAtTheIdleTimeout() {
        try (RecordingsClient impatient = RecordingsClient.builder().baseUrl(recordings.baseUrl())
                .retryPolicy(RetryPolicy.none()).idleTimeout(Duration.ofMillis(500)).build()) {
            recordings.server().enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\n"
                    + "Content-Length: 100\r\n\r\nRIFF", Fault.After.STALL));

            Throwable e = failure(() -> impatient.download(recording.accountSid(), recording.sid(),
                    AudioFormat.WAV).then().block(T));

            assertThat(e).isInstanceOf(TransferException.class).isNotInstanceOf(MalformedResponseException.class)
                    .hasMessageContaining("ended after 4 of 100 bytes");
        }
    }

    @Test
    void aMalformedAnswerClosesItsConnectionSoNoLaterRequestReadsWhatIsLeftOfIt() {
        // The server keeps its side open after the bad head: only the client can end this connection.
        recordings.server().enqueueFault(Fault.raw("HTTP/1.1 2OO OK\r\nContent-Length: 3\r\n\r\nabc"
                + "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 4\r\n\r\nRIFF", Fault.After.STALL));
        try (RecordingsClient fresh = RecordingsClient.builder().baseUrl(recordings.baseUrl()).build()) {
            Throwable e = failure(() -> fresh.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                    .then().block(T));
            assertThat(e).isInstanceOf(MalformedResponseException.class);

            assertExact(fresh);
            assertThat(recordings.server().connectionCount()).as("the second download had a new connection")
                    .isEqualTo(2);
        }
    }

    @Test
    void bytesLeftOverAfterAGoodAnswerNeverBecomeTheNextAnswer() {
        // A server that sends more than its Content-Length and keeps the connection: the excess is not HTTP.
        recordings.server().enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\n"
                + "Content-Length: 4\r\n\r\nRIFFgarbage after the body\r\n\r\n", Fault.After.STALL));
        try (RecordingsClient fresh = RecordingsClient.builder().baseUrl(recordings.baseUrl()).build()) {
            List<ByteBuffer> first = fresh.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                    .collectList().block(T);
            assertThat(TestData.size(first)).isEqualTo(4);

            assertExact(fresh);
            assertThat(recordings.server().connectionCount()).isEqualTo(2);
        }
    }

    private static void assertExact(RecordingsClient c) {
        List<ByteBuffer> audio = c.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                .collectList().block(T);
        assertThat(TestData.sha256(audio)).isEqualTo(recording.sha256(Format.WAV));
    }
}
