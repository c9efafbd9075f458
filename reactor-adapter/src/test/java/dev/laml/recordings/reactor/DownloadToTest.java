package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.LeakRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code downloadTo}: the file appears whole and atomically, or not at all, with the network's
 * buffers written without a copy and every one of them released (each test also checks Netty's
 * leak reports, at {@code paranoid}), through retries, resumes and skips.
 */
class DownloadToTest {

    private static final byte[] AUDIO = TestData.bytes(3 << 20, 11);
    private static final String ETAG = "\"v1-" + TestData.sha256(AUDIO).substring(0, 16) + "\"";
    private static final RetryPolicy FAST = RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20));

    @TempDir
    Path dir;

    private RawHttpServer server;
    private RecordingsServer testkit;
    private RecordingsClient client;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (testkit != null) {
            testkit.close();
        }
    }

    /** Per test, not just per class: a retained buffer that was never released shows up here. */
    @AfterEach
    void noBufferLeaked() {
        assertThat(LeakRecorder.drain()).as("Netty leak reports").isEmpty();
    }

    private void serve(RawHttpServer.Handler handler) throws IOException {
        serve(handler, b -> b.retryPolicy(RetryPolicy.none()));
    }

    private void serve(RawHttpServer.Handler handler, UnaryOperator<RecordingsClient.Builder> config) throws IOException {
        server = new RawHttpServer(handler);
        client = config.apply(RecordingsClient.builder().baseUrl(server.baseUrl())).build();
    }

    private static RawHttpServer.Handler fullBody() {
        return (request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(AUDIO.length));
            for (int off = 0; off < AUDIO.length; off += 32 * 1024) {
                response.body(AUDIO, off, Math.min(32 * 1024, AUDIO.length - off));
            }
        };
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void writesExactlyTheSourceBytesAndReportsTheirCount() throws IOException {
        serve(fullBody());
        Path target = dir.resolve("call.wav");

        Long written = client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target).block(Duration.ofSeconds(10));

        assertThat(written).isEqualTo(AUDIO.length);
        assertThat(TestData.sha256(Files.readAllBytes(target))).isEqualTo(TestData.sha256(AUDIO));
        assertThat(filesIn(dir)).as("no temp file left beside the target").isEqualTo(1);
    }

    @ParameterizedTest(name = "durableFiles={0}")
    @ValueSource(booleans = {true, false})
    void aLargeBodyArrivesExactWhetherOrNotTheFileIsForced(boolean durable) throws IOException {
        byte[] large = TestData.bytes(24 << 20, 5);
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(large.length));
            for (int off = 0; off < large.length; off += 100_000) {
                response.body(large, off, Math.min(100_000, large.length - off));
            }
        }, b -> b.retryPolicy(RetryPolicy.none()).durableFiles(durable));
        Path target = dir.resolve("call.wav");
        DownloadProgress progress = new DownloadProgress();

        Long written = client.downloadTo(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.WAV).progress(progress), target).block(Duration.ofSeconds(30));

        assertThat(written).isEqualTo(large.length);
        assertThat(progress.snapshot().bytesDone()).isEqualTo(large.length);
        assertThat(TestData.sha256(Files.readAllBytes(target))).isEqualTo(TestData.sha256(large));
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void replacesAnExistingTargetOnlyOnSuccess() throws IOException {
        serve(fullBody());
        Path target = dir.resolve("call.wav");
        Files.writeString(target, "old");

        client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target).block(Duration.ofSeconds(10));

        assertThat(Files.size(target)).isEqualTo(AUDIO.length);
    }

    @ParameterizedTest(name = "durableFiles={0}")
    @ValueSource(booleans = {true, false})
    void aFailureMidStreamLeavesNeitherTargetNorTempFile(boolean durable) throws IOException {
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(AUDIO.length));
            response.body(AUDIO, 0, AUDIO.length / 2);
        }, b -> b.retryPolicy(RetryPolicy.none()).durableFiles(durable));
        Path target = dir.resolve("call.wav");

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target))
                .expectError(IncompleteBodyException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(target).doesNotExist();
        assertThat(filesIn(dir)).isZero();
    }

    @Test
    void aFailureLeavesAnExistingTargetUntouched() throws IOException {
        serve((request, response) -> response.send(404, "application/xml", TestData.fixture("error-404.xml")));
        Path target = dir.resolve("call.wav");
        Files.writeString(target, "keep me");

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target))
                .expectError(NotFoundException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("keep me");
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void cancellingDeletesTheTempFile() throws Exception {
        CountDownLatch headSent = new CountDownLatch(1);
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(64L << 20));
            response.body(AUDIO, 0, 1 << 20);
            headSent.countDown();
            Thread.sleep(10_000);
        });
        Path target = dir.resolve("call.wav");

        Disposable d = client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target).subscribe();
        assertThat(headSent.await(5, TimeUnit.SECONDS)).isTrue();
        awaitUntil(() -> filesIn(dir) == 1); // the temp file exists while downloading
        d.dispose();

        awaitUntil(() -> filesIn(dir) == 0);
        assertThat(target).doesNotExist();
    }

    @Test
    void cancellingWhileBytesAreStreamingLeavesNothingAndLeaksNothing() throws Exception {
        byte[] chunk = TestData.bytes(64 * 1024, 3);
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(1L << 30));
            for (int i = 0; i < (1 << 30) / chunk.length; i++) {
                response.body(chunk); // until the client goes away
            }
        });
        Path target = dir.resolve("call.wav");
        DownloadProgress progress = new DownloadProgress();

        Disposable d = client.downloadTo(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.WAV).progress(progress), target).subscribe();
        awaitUntil(() -> progress.snapshot().bytesDone() > (4 << 20)); // buffers are flowing to the file
        d.dispose();

        awaitUntil(() -> filesIn(dir) == 0);
        assertThat(target).doesNotExist();
    }

    @Test
    void aFailureAfterRetriesLeavesNothingBehind() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        serve((request, response) -> {
            requests.incrementAndGet();
            String range = request.header("Range");
            int from = range == null ? 0 : Integer.parseInt(range.substring(6, range.length() - 1));
            response.head(range == null ? 200 : 206, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG,
                    "Content-Length", String.valueOf(AUDIO.length - from),
                    "Content-Range", "bytes " + from + "-" + (AUDIO.length - 1) + "/" + AUDIO.length);
            if (range == null) {
                response.body(AUDIO, from, 100_000);
            }
            response.reset(); // every resume breaks before its first byte: no progress after the first
        }, b -> b.retryPolicy(FAST.resumeWithoutProgressFor(Duration.ofMillis(300))));
        Path target = dir.resolve("call.mp3");

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.MP3, target))
                .expectError(dev.laml.recordings.TransferException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(requests).as("the first request and its resumes").hasValueGreaterThan(1);
        assertThat(filesIn(dir)).isZero();
    }

    static Stream<Arguments> breaks() {
        return Stream.of(
                Arguments.of("close after 200 KB", Fault.closeAfterBytes(200_000)),
                Arguments.of("reset after 1 MB", Fault.resetAfterBytes(1_000_000)),
                Arguments.of("stall after 300 KB", Fault.stallAfterBytes(300_000)),
                Arguments.of("a redirect first", Fault.redirectToSelf()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breaks")
    void aBrokenTransferIsResumedIntoTheSameFile(String name, Fault fault) throws IOException {
        testkit = RecordingsServer.start();
        TestRecording recording = testkit.addRecording(RecordingSpec.create().seed(7).size(Format.WAV, 3_000_044));
        client = RecordingsClient.builder().baseUrl(testkit.baseUrl()).idleTimeout(Duration.ofMillis(400))
                .retryPolicy(FAST).durableFiles(false).build();
        testkit.enqueueFault(fault);
        Path target = dir.resolve("call.wav");

        Long written = client.downloadTo(recording.accountSid(), recording.sid(), AudioFormat.WAV, target)
                .block(Duration.ofSeconds(20));

        assertThat(written).isEqualTo(recording.size(Format.WAV));
        assertThat(TestData.sha256(Files.readAllBytes(target))).isEqualTo(recording.sha256(Format.WAV));
        assertThat(testkit.requestCount()).as("requests").isEqualTo(2);
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void aResumeThatTheServerAnswersWithTheWholeBodyIsSkippedAheadInTheFile() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG, "Content-Length", String.valueOf(AUDIO.length));
            if (requests.incrementAndGet() == 1) {
                response.body(AUDIO, 0, 1_123_457); // then the connection closes
                return;
            }
            for (int off = 0; off < AUDIO.length; off += 50_000) { // ignores Range: the whole body again
                response.body(AUDIO, off, Math.min(50_000, AUDIO.length - off));
            }
        }, b -> b.retryPolicy(FAST));
        Path target = dir.resolve("call.mp3");

        Long written = client.downloadTo(ACCOUNT, RECORDING, AudioFormat.MP3, target).block(Duration.ofSeconds(10));

        assertThat(written).isEqualTo(AUDIO.length);
        assertThat(TestData.sha256(Files.readAllBytes(target))).isEqualTo(TestData.sha256(AUDIO));
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).header("Range")).as("a resume was asked for").isEqualTo("bytes=1123457-");
    }

    @Test
    void aMissingDirectoryIsAnIoErrorAndBadArgumentsFailAtCallTime() throws IOException {
        serve(fullBody());

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, dir.resolve("no/such/dir/x.wav")))
                .expectError(NoSuchFileException.class)
                .verify(Duration.ofSeconds(10));
        assertThatThrownBy(() -> client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.downloadTo("not-a-uuid", RECORDING, AudioFormat.WAV, dir.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.requests()).isEmpty();
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
