package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.NotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import java.util.stream.Stream;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code downloadTo}: the file appears whole and atomically, or not at all. */
class DownloadToTest {

    private static final byte[] AUDIO = TestData.bytes(3 << 20, 11);

    @TempDir
    Path dir;

    private RawHttpServer server;
    private RecordingsClient client;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void serve(RawHttpServer.Handler handler) throws IOException {
        server = new RawHttpServer(handler);
        client = RecordingsClient.builder().baseUrl(server.baseUrl()).retryPolicy(RetryPolicy.none()).build();
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

    @Test
    void replacesAnExistingTargetOnlyOnSuccess() throws IOException {
        serve(fullBody());
        Path target = dir.resolve("call.wav");
        Files.writeString(target, "old");

        client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target).block(Duration.ofSeconds(10));

        assertThat(Files.size(target)).isEqualTo(AUDIO.length);
    }

    @Test
    void aFailureMidStreamLeavesNeitherTargetNorTempFile() throws IOException {
        serve((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(AUDIO.length));
            response.body(AUDIO, 0, AUDIO.length / 2);
        });
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
