package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Bodies in a content coding the client did not ask for (it sends {@code Accept-Encoding: identity}): gzip and
 * deflate are decoded as they stream, to exactly the recording's bytes; any other coding, or a coded body that does
 * not decode, is an {@link UnexpectedResponseException}; audio is never handed on still coded.
 */
class ContentEncodingTest {

    private static final Duration T = Duration.ofSeconds(20);

    @RegisterExtension
    static final RecordingsServerExtension recordings =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(TestData.PROJECT, TestData.TOKEN));

    private static RecordingsClient client;
    private static TestRecording recording;
    private static byte[] wav;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        recording = recordings.server().addRecording(RecordingSpec.create().seed(21).durationSeconds(20));
        wav = recording.bytes(Format.WAV);
        client = RecordingsClient.builder().baseUrl(recordings.baseUrl())
                .credentials(TestData.PROJECT, TestData.TOKEN)
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20)))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    // ------------------------------------------------------------------ answers, byte for byte

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    static byte[] deflate(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(6, raw))) {
            d.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** A head (each header a "Name: value" string; Content-Length added) and a body, as one answer. */
    static byte[] answer(String status, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** The same in chunked framing, in chunks of {@code chunk} bytes. */
    static byte[] chunked(String status, byte[] body, int chunk, String... headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("Transfer-Encoding: chunked\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (int at = 0; at < body.length; at += chunk) {
            int n = Math.min(chunk, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static void serve(byte[] rawAnswer) {
        recordings.server().enqueueFault(Fault.raw(rawAnswer));
    }

    private static byte[] bytes(List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private static byte[] download() {
        return bytes(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV).collectList().block(T));
    }

    private static Throwable failure(Flux<?> call) {
        return reactor.core.Exceptions.unwrap(catchThrowable(() -> call.blockLast(T)));
    }

    // ------------------------------------------------------------------ decoded

    @Test
    void gzipAudioNeverAskedForIsDecodedToTheExactBytes() {
        serve(answer("200 OK", gzip(wav), "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        assertThat(download()).isEqualTo(wav);
        RecordedRequest request = recordings.server().takeRequest();
        assertThat(request.header("Accept-Encoding")).as("the client asked for none").isEqualTo("identity");
    }

    @ParameterizedTest(name = "raw deflate: {0}")
    @ValueSource(booleans = {false, true})
    void deflateAudioZlibOrRawIsDecodedToTheExactBytes(boolean raw) {
        serve(answer("200 OK", deflate(wav, raw), "Content-Type: audio/x-wav", "Content-Encoding: deflate"));

        assertThat(download()).isEqualTo(wav);
    }

    @Test
    void aChunkedGzipBodyIsDecodedToTheExactBytes() {
        serve(chunked("200 OK", gzip(wav), 777, "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        assertThat(download()).isEqualTo(wav);
    }

    @Test
    void downloadToWritesTheDecodedBytes() throws IOException {
        serve(answer("200 OK", gzip(wav), "Content-Type: audio/x-wav", "Content-Encoding: gzip"));
        Path target = dir.resolve("call.wav");

        Long written = client.downloadTo(recording.accountSid(), recording.sid(), AudioFormat.WAV, target).block(T);

        assertThat(written).isEqualTo(wav.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(wav);
    }

    @Test
    void openReportsAnUnknownLengthForACodedBodyAndStreamsItDecoded() {
        byte[] coded = gzip(wav);
        serve(answer("200 OK", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip", "ETag: \"gz\""));

        AudioResponse audio = client.open(recording.accountSid(), recording.sid(), AudioFormat.WAV).block(T);

        assertThat(audio.contentLength()).as("Content-Length counts coded bytes").isEqualTo(-1);
        assertThat(audio.contentType()).isEqualTo("audio/x-wav");
        assertThat(bytes(audio.body().collectList().block(T))).isEqualTo(wav);
    }

    @Test
    void aRangeIsCutFromTheDecodedBytesOfAWholeCodedBody() {
        serve(answer("200 OK", gzip(wav), "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        byte[] part = bytes(client.download(MediaRequest.of(recording.accountSid(), recording.sid(), AudioFormat.WAV).range(ByteRange.of(100_000, 199_999))).collectList().block(T));

        assertThat(part).isEqualTo(Arrays.copyOfRange(wav, 100_000, 200_000));
    }

    @Test
    void aDecompressionBombIsHandedOnInPiecesAsTheSubscriberAsks() {
        byte[] silence = new byte[48 << 20];
        byte[] coded = gzip(silence);
        assertThat(coded.length).isLessThan(100_000);
        serve(answer("200 OK", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        long[] seen = {0, 0};
        // One element asked for at a time: each is one piece, made only when asked for.
        client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV).limitRate(1)
                .doOnNext(b -> {
                    assertThat(b.remaining()).isLessThanOrEqualTo(64 * 1024);
                    seen[0] += b.remaining();
                    seen[1]++;
                })
                .blockLast(T);
        assertThat(seen[0]).isEqualTo(silence.length);
        assertThat(seen[1]).isGreaterThanOrEqualTo(768);
    }

    @Test
    void cancellingAStalledSubscriberMidCodedBodyReleasesEverything() {
        serve(answer("200 OK", gzip(new byte[48 << 20]), "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        reactor.test.StepVerifier.create(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV), 1)
                .expectNextCount(1)
                .thenAwait(Duration.ofMillis(300))
                .thenCancel()
                .verify(T);

        assertThat(download()).as("the client keeps working").isEqualTo(wav);
    }

    @Test
    void gzipMetadataAndListsAreDecoded() {
        serve(answer("200 OK", gzip(recording.json().getBytes(StandardCharsets.UTF_8)),
                "Content-Type: application/json", "Content-Encoding: gzip"));
        Recording meta = client.fetch(recording.accountSid(), recording.sid()).block(T);
        assertThat(meta.sid()).isEqualTo(recording.sid());

        String page = "{\"recordings\": [" + recording.json() + "], \"page\": 0, \"page_size\": 50, "
                + "\"next_page_uri\": null}";
        serve(chunked("200 OK", gzip(page.getBytes(StandardCharsets.UTF_8)), 100, "Content-Type: application/json",
                "Content-Encoding: gzip"));
        List<Recording> listed = client.list(recording.accountSid(), RecordingQuery.all()).collectList().block(T);
        assertThat(listed).extracting(Recording::sid).containsExactly(recording.sid());
    }

    @Test
    void aGzipErrorBodyIsReadForItsCodeAndAnUndecodableOneLeavesTheStatusToSpeak() {
        byte[] notFound = "{\"code\": 20404, \"message\": \"The requested resource was not found\", \"status\": 404}"
                .getBytes(StandardCharsets.UTF_8);
        serve(answer("404 Not Found", gzip(notFound), "Content-Type: application/json", "Content-Encoding: gzip"));
        assertThat(failure(client.fetch(recording.accountSid(), recording.sid()).flux()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo(20404));

        serve(answer("404 Not Found", notFound, "Content-Type: application/json", "Content-Encoding: br"));
        assertThat(failure(client.fetch(recording.accountSid(), recording.sid()).flux()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isNull());
    }

    // ------------------------------------------------------------------ refused

    @ParameterizedTest(name = "Content-Encoding: {0}")
    @ValueSource(strings = {"br", "compress", "zstd", "gzip, gzip", "x-unknown"})
    void aCodingThatIsNotDecodedIsAnUnexpectedResponseAndNoByteIsEmitted(String coding) {
        serve(answer("200 OK", gzip(wav), "Content-Type: audio/x-wav", "Content-Encoding: " + coding));
        List<ByteBuffer> emitted = new java.util.concurrent.CopyOnWriteArrayList<>();

        Throwable e = failure(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                .doOnNext(emitted::add));

        assertThat(e).isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("does not decode");
        assertThat(emitted).as("no byte emitted").isEmpty();
        assertThat(recordings.server().requestCount()).as("never retried").isEqualTo(1);
    }

    @Test
    void aTransferCodingOtherThanChunkedIsRefusedToo() {
        serve(chunked("200 OK", gzip(wav), 4096, "Content-Type: audio/x-wav", "Transfer-Encoding: gzip"));

        assertThat(failure(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("Transfer-Encoding");
    }

    @Test
    void aGzipBodyWhoseChecksumIsWrongFailsWithTheDecodersComplaintAndIsNotRetried() {
        byte[] coded = gzip(wav);
        coded[coded.length - 6] ^= 0x55; // in the trailer's CRC-32
        serve(answer("200 OK", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        Throwable e = failure(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV));

        assertThat(e).isInstanceOf(UnexpectedResponseException.class).hasCauseInstanceOf(ZipException.class)
                .hasMessageContaining("CRC-32");
        assertThat(recordings.server().requestCount()).isEqualTo(1);
    }

    @Test
    void aGzipStreamThatEndsBeforeItsBodyDoesIsUndecodable() {
        byte[] coded = Arrays.copyOf(gzip(wav), 5000); // complete by its Content-Length, not as gzip
        serve(answer("200 OK", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip"));

        assertThat(failure(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("ends before its end");
    }

    @Test
    void aCodedPartIsRefusedBecauseItCannotBeDecodedAlone() {
        byte[] coded = gzip(Arrays.copyOfRange(wav, 0, 1000));
        serve(answer("206 Partial Content", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip",
                "Content-Range: bytes 0-999/" + wav.length));

        assertThat(failure(client.download(MediaRequest.of(recording.accountSid(), recording.sid(), AudioFormat.WAV).range(ByteRange.of(0, 999))))).isInstanceOf(UnexpectedResponseException.class)
                .hasMessageContaining("part of a coded body");
    }

    // ------------------------------------------------------------------ resumed

    @Test
    void aCodedBodyThatBreaksIsResumedAtTheDecodedOffsetWithAnUncodedPart() {
        byte[] coded = gzip(wav);
        byte[] whole = answer("200 OK", coded, "Content-Type: audio/x-wav", "Content-Encoding: gzip",
                "ETag: " + recording.etag(Format.WAV));
        // Its Content-Length promises all the coded bytes; the connection closes after half of them.
        serve(Arrays.copyOf(whole, whole.length - coded.length / 2));

        assertThat(download()).isEqualTo(wav);

        recordings.server().takeRequest();
        RecordedRequest resume = recordings.server().takeRequest();
        assertThat(resume.header("Range")).matches("bytes=[1-9][0-9]*-");
        assertThat(resume.header("If-Range")).isEqualTo(recording.etag(Format.WAV));
    }
}
