package dev.laml.recordings.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.UUID;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Why {@link LegacyS3Proxy#restart()} clears a killed S3Proxy 2.9.0's temporary files: with one left in a bucket,
 * listing its multipart uploads answers 500 until it is gone, while the uploads that were really begun survive.
 * (The archive's outage test kills the store mid-part and sweeps uploads after the restart; it failed that way in
 * full runs, where the kill landed between a part's write and its rename.)
 */
class LegacyS3ProxyTest {

    @Test
    void aTemporaryFileLeftByAKillBreaksTheListingUntilTheRestartClearsItAndRealUploadsSurvive() throws Exception {
        try (LegacyS3Proxy store = LegacyS3Proxy.start(); S3AsyncClient s3 = store.client()) {
            s3.createBucket(b -> b.bucket("debris")).join();
            String uploadId = s3.createMultipartUpload(b -> b.bucket("debris").key("calls/a.wav")).join().uploadId();
            store.writeDebris("debris", ".mpus-" + uploadId + "-calls/a.wav-1-" + UUID.randomUUID());

            assertThatThrownBy(() -> s3.listMultipartUploads(b -> b.bucket("debris")).join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOfSatisfying(S3Exception.class,
                            e -> assertThat(e.statusCode()).isEqualTo(500));

            store.restart();

            assertThat(s3.listMultipartUploads(b -> b.bucket("debris")).join().uploads())
                    .singleElement().satisfies(u -> {
                        assertThat(u.uploadId()).isEqualTo(uploadId);
                        assertThat(u.key()).isEqualTo("calls/a.wav");
                    });
        }
    }
}
