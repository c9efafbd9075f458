package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option of a {@link MediaRequest} reaches every media form: a range with progress, a media URL with a range
 * and with progress, through {@code download}, {@code downloadTo} and {@code open}'s body, against the testkit.
 */
class MediaRequestsTest {

    private static final Duration T = Duration.ofSeconds(10);

    private static RecordingsServer server;
    private static TestRecording recording;
    private RecordingsClient client;

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().seed(31).size(Format.MP3, 200_000).size(Format.WAV, 200_044));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void newClient() {
        server.clearFaults();
        server.resetCounters();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20)))
                .build();
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void aRangeWithProgressDeliversTheRangeAndCountsItsBytes() {
        DownloadProgress progress = new DownloadProgress();
        MediaRequest request = MediaRequest.of(recording.accountSid(), recording.sid(), AudioFormat.MP3)
                .range(ByteRange.of(1000, 50_999)).progress(progress);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        StepVerifier.create(client.download(request))
                .thenConsumeWhile(b -> true, b -> write(received, b))
                .verifyComplete();

        assertThat(received.toByteArray()).isEqualTo(slice(Format.MP3, 1000, 50_999));
        assertThat(progress.snapshot().bytesDone()).isEqualTo(50_000);
        assertThat(progress.snapshot().totalBytes()).isEqualTo(50_000);
        assertThat(server.takeRequest().header("Range")).isEqualTo("bytes=1000-50999");
    }

    @Test
    void aMediaUrlWithARangeSendsTheRangeToThatUrl() {
        MediaRequest request = MediaRequest.of(recording.url(Format.WAV)).range(ByteRange.last(4096));

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        StepVerifier.create(client.download(request))
                .thenConsumeWhile(b -> true, b -> write(received, b))
                .verifyComplete();

        assertThat(received.toByteArray()).isEqualTo(slice(Format.WAV, 200_044 - 4096, 200_043));
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.path()).isEqualTo(recording.url(Format.WAV).getRawPath());
        assertThat(sent.header("Range")).isEqualTo("bytes=-4096");
    }

    @Test
    void aMediaUrlWithProgressCountsEveryByteAcrossAResume() {
        server.enqueueFault(Fault.closeAfterBytes(30_000));
        DownloadProgress progress = new DownloadProgress();

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        StepVerifier.create(client.download(MediaRequest.of(recording.url(Format.MP3)).progress(progress)))
                .thenConsumeWhile(b -> true, b -> write(received, b))
                .verifyComplete();

        assertThat(received.toByteArray()).isEqualTo(recording.bytes(Format.MP3));
        assertThat(progress.snapshot().bytesDone()).isEqualTo(200_000);
        assertThat(progress.snapshot().fraction()).isEqualTo(1.0);
        assertThat(server.requestCount()).isEqualTo(2); // the first broke off and was resumed
    }

    @Test
    void downloadToWritesAUrlsRangeAndReportsProgress(@TempDir Path dir) throws Exception {
        DownloadProgress progress = new DownloadProgress();
        Path file = dir.resolve("part.mp3");

        StepVerifier.create(client.downloadTo(MediaRequest.of(recording.url(Format.MP3))
                        .range(ByteRange.from(150_000)).progress(progress), file))
                .expectNext(50_000L)
                .verifyComplete();

        assertThat(Files.readAllBytes(file)).isEqualTo(slice(Format.MP3, 150_000, 199_999));
        assertThat(progress.snapshot().bytesDone()).isEqualTo(50_000);
    }

    @Test
    void openReportsTheBodysBytesToTheRequestsProgress() {
        DownloadProgress progress = new DownloadProgress();
        MediaRequest request = MediaRequest.of(recording.url(Format.MP3)).range(ByteRange.of(0, 9_999)).progress(progress);

        StepVerifier.create(client.open(request).flatMapMany(audio -> {
                    assertThat(audio.contentLength()).isEqualTo(10_000);
                    assertThat(progress.snapshot().bytesDone()).isZero(); // headers first: no byte read yet
                    return audio.body();
                }))
                .thenConsumeWhile(b -> true)
                .verifyComplete();

        assertThat(progress.snapshot().bytesDone()).isEqualTo(10_000);
        assertThat(progress.snapshot().totalBytes()).isEqualTo(10_000);
    }

    @Test
    void aBrokenRangedDownloadWithoutRetriesFailsAndTheProgressShowsWhatArrived() {
        try (RecordingsClient once = RecordingsClient.builder().baseUrl(server.baseUrl())
                .retryPolicy(RetryPolicy.none()).build()) {
            server.enqueueFault(Fault.closeAfterBytes(1000));
            DownloadProgress progress = new DownloadProgress();

            StepVerifier.create(once.download(MediaRequest.of(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                            .range(ByteRange.of(0, 99_999)).progress(progress)))
                    .thenConsumeWhile(b -> true)
                    .expectError(IncompleteBodyException.class)
                    .verify(T);

            assertThat(progress.snapshot().bytesDone()).isEqualTo(1000);
            assertThat(progress.snapshot().totalBytes()).isEqualTo(100_000);
        }
    }

    @Test
    void theShortcutsAskForTheSameBytesAsTheirRequests(@TempDir Path dir) throws Exception {
        MediaRequest whole = MediaRequest.of(recording.accountSid(), recording.sid(), AudioFormat.MP3);

        assertThat(collect(client.download(recording.accountSid(), recording.sid(), AudioFormat.MP3).collectList().block(T)))
                .isEqualTo(collect(client.download(whole).collectList().block(T)))
                .isEqualTo(collect(client.download(recording.url(Format.MP3)).collectList().block(T)))
                .isEqualTo(recording.bytes(Format.MP3));
        Path a = dir.resolve("a.mp3");
        Path b = dir.resolve("b.mp3");
        client.downloadTo(recording.accountSid(), recording.sid(), AudioFormat.MP3, a).block(T);
        client.downloadTo(whole, b).block(T);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b)).isEqualTo(recording.bytes(Format.MP3));
    }

    private static byte[] slice(Format format, int first, int last) {
        return Arrays.copyOfRange(recording.bytes(format), first, last + 1);
    }

    private static byte[] collect(java.util.List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        buffers.forEach(b -> write(out, b));
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        out.writeBytes(bytes);
    }
}
