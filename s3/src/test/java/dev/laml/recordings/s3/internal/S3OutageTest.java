package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.RecordingInterceptor;
import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.S3StorageException;
import dev.laml.recordings.s3.TestBodies;
import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.PendingUpload;
import dev.laml.recordings.s3.internal.S3Upload.Settings;
import dev.laml.recordings.s3.internal.S3Upload.Uploaded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static dev.laml.recordings.s3.internal.S3UploadTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The S3 server goes away in the middle of an upload. Each test has its own server, over a
 * filesystem store that keeps the multipart upload across the restart, so an orphan would show.
 */
class S3OutageTest {

    static final int PART = S3Upload.MIN_PART_SIZE;
    static final String BUCKET = "outage";
    static final String KEY = "2026/03/01/RE0123.wav";

    S3ProxyServer server;
    RecordingInterceptor recorder;
    S3AsyncClient s3;

    @BeforeEach
    void start() {
        server = S3ProxyServer.start();
        recorder = new RecordingInterceptor();
        s3 = server.client(recorder);
        s3.createBucket(b -> b.bucket(BUCKET)).join();
    }

    @AfterEach
    void stop() {
        s3.close();
        server.close();
    }

    /**
     * Two parts' worth of body, then a pause until {@code resume} completes, then two more parts:
     * the test stops the server during the pause, so that the next part finds it gone.
     */
    static Flux<ByteBuffer> bodyPausingAfterTwoParts(CompletableFuture<Void> resume) {
        return TestBodies.body(2L * PART)
                .concatWith(Mono.fromFuture(resume).thenMany(TestBodies.body(2L * PART, 4L * PART)));
    }

    @Test
    void aServerThatStopsMidUploadFailsItWithATypedErrorAndTheSweepFreesWhatTheFailedAbortLeft() {
        S3Upload upload = new S3Upload(s3, Settings.defaults().withPartSize(PART)
                .withAbortRetries(2, Duration.ofMillis(50)));
        CompletableFuture<Void> resume = new CompletableFuture<>();
        CompletableFuture<Uploaded> result = upload.upload(Destination.of(BUCKET, KEY), bodyPausingAfterTwoParts(resume), -1)
                .toFuture();
        eventually(() -> assertThat(recorder.succeeded("UploadPart")).isGreaterThanOrEqualTo(1));

        server.stop();
        resume.complete(null);

        Throwable error = S3UploadTest.errorOf(Mono.fromFuture(result));
        assertThat(error).isInstanceOfSatisfying(S3StorageException.class, e -> {
            assertThat(e.operation()).isEqualTo("UploadPart");
            assertThat(e.statusCode()).as("no answer").isZero();
            assertThat(e.key()).isEqualTo(KEY);
            assertThat(e.orphanedUploadId()).isNotNull();
            assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(S3StorageException.class,
                    abort -> assertThat(abort.operation()).isEqualTo("AbortMultipartUpload"));
        });
        assertThat(recorder.startedCount("AbortMultipartUpload")).as("abort attempts").isEqualTo(2);
        String orphan = ((S3StorageException) error).orphanedUploadId();

        server.restart();
        // The store kept the upload the abort could not reach: this is what a sweep is for.
        assertThat(upload.incompleteUploads(BUCKET, "2026/").collectList().block())
                .extracting(PendingUpload::uploadId).containsExactly(orphan);
        assertThat(upload.abortIncompleteUploads(BUCKET, "2026/", u -> u.key().equals(KEY)).block()).isEqualTo(1);

        assertNothingLeft(upload);
    }

    @Test
    void aServerBackWithinTheAbortRetriesLeavesNothingBehind() {
        S3Upload upload = new S3Upload(s3, Settings.defaults().withPartSize(PART)
                .withAbortRetries(10, Duration.ofMillis(100)));
        CompletableFuture<Void> resume = new CompletableFuture<>();
        CompletableFuture<Uploaded> result = upload.upload(Destination.of(BUCKET, KEY), bodyPausingAfterTwoParts(resume), -1)
                .toFuture();
        eventually(() -> assertThat(recorder.succeeded("UploadPart")).isGreaterThanOrEqualTo(1));

        server.stop();
        resume.complete(null);
        eventually(() -> assertThat(recorder.startedCount("AbortMultipartUpload")).isGreaterThanOrEqualTo(1));
        server.restart();

        Throwable error = S3UploadTest.errorOf(Mono.fromFuture(result));
        assertThat(error).isInstanceOfSatisfying(S3StorageException.class, e -> {
            assertThat(e.operation()).isEqualTo("UploadPart");
            assertThat(e.orphanedUploadId()).isNull();
            assertThat(e.getSuppressed()).isEmpty();
        });
        assertThat(recorder.succeeded("AbortMultipartUpload")).isEqualTo(1);
        assertNothingLeft(upload);
    }

    @Test
    void anUnreachableServerFailsASinglePutWithATypedError() {
        S3Upload upload = new S3Upload(s3, Settings.defaults().withPartSize(PART));
        server.stop();

        Throwable error = S3UploadTest.errorOf(upload.upload(Destination.of(BUCKET, KEY), TestBodies.body(1000), 1000));

        assertThat(error).isInstanceOfSatisfying(S3StorageException.class, e -> {
            assertThat(e.operation()).isEqualTo("PutObject");
            assertThat(e.statusCode()).isZero();
            assertThat(e.getMessage()).startsWith("PutObject s3://outage/" + KEY + " failed: ")
                    .doesNotContain(S3ProxyServer.SECRET_KEY);
        });
        server.restart();
        assertNothingLeft(upload);
    }

    void assertNothingLeft(S3Upload upload) {
        assertThat(upload.head(BUCKET, KEY).blockOptional()).isEmpty();
        assertThat(upload.incompleteUploads(BUCKET, "").collectList().block()).isEmpty();
        try (Stream<Path> files = Files.walk(server.storage().resolve(BUCKET))) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".mpus-")).toList();
            assertThat(names).as("multipart files on the server's disk").isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
