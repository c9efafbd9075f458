package dev.laml.recordings.s3;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The storage settings of {@link S3Target} as the store receives them: storage class, server-side encryption with a
 * KMS key, and the expected bucket owner on every request, recorded by a {@link WireRecorder} in front of S3Proxy 3.3
 * (which accepts the encryption and owner headers here only because it is told to ignore what it does not
 * implement: it neither encrypts nor checks owners).
 */
class S3TargetStorageSettingsTest {

    private static final Duration BLOCK = Duration.ofSeconds(120);
    private static final String OWNER = "111122223333";
    private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/recordings";

    private static S3ProxyServer store;
    private static WireRecorder wire;
    private static S3AsyncClient s3;

    @BeforeAll
    static void start() {
        store = S3ProxyServer.start(true);
        wire = WireRecorder.in(store.endpoint());
        s3 = store.client(wire.endpoint());
    }

    @AfterAll
    static void stop() {
        s3.close();
        wire.close();
        store.close();
    }

    @Test
    void storageClassEncryptionAndTheBucketOwnerGoOnEveryRequestThatTakesThem() {
        s3.createBucket(b -> b.bucket("settings")).join();
        try (RecordingsServer api = RecordingsServer.start();
             RecordingsClient client = RecordingsClient.builder().baseUrl(api.baseUrl())
                     .credentials(api.projectId(), api.apiToken()).retryPolicy(RetryPolicy.defaults().maxAttempts(1))
                     .build()) {
            OffsetDateTime t0 = OffsetDateTime.of(2026, 6, 1, 8, 0, 0, 0, ZoneOffset.UTC);
            api.addRecording(RecordingSpec.create().seed(1).size(Format.WAV, 50_000).dateCreated(t0));
            api.addRecording(RecordingSpec.create().seed(2).size(Format.WAV, 11L << 20).dateCreated(t0.plusHours(1)));
            S3Target target = S3Target.of(s3, "settings", "calls", 5 << 20, 2)
                    .storageClass(StorageClass.STANDARD_IA)
                    .sse(ServerSideEncryption.AWS_KMS, KEY)
                    .expectedBucketOwner(OWNER);
            wire.clear();

            List<ArchiveEvent> events = client.archive(api.accountSid(), RecordingQuery.all(), target,
                    ArchiveOptions.defaults().verifyRemote(true)).collectList().block(BLOCK);
            List<ArchiveEvent> rerun = client.archive(api.accountSid(), RecordingQuery.all(), target,
                    ArchiveOptions.defaults().verifyRemote(true).deleteAfterVerify(true)).collectList().block(BLOCK);

            assertThat(((Summary) events.get(events.size() - 1)).downloaded()).as(events.toString()).isEqualTo(2);
            assertThat(((Summary) rerun.get(rerun.size() - 1)).deleted()).as(rerun.toString()).isEqualTo(2);
        }

        List<WireRecorder.Request> sent = wire.requests();
        assertThat(sent.stream().map(WireRecorder.Request::operation).distinct())
                .containsAll(Set.of("HeadBucket", "HeadObject", "GetObject", "PutObject", "CreateMultipartUpload",
                        "UploadPart", "CompleteMultipartUpload"));
        assertThat(sent).allSatisfy(r -> assertThat(r.header("x-amz-expected-bucket-owner"))
                .as(r.operation()).isEqualTo(OWNER));
        List<WireRecorder.Request> creates = sent.stream().filter(r -> r.operation().equals("PutObject")
                || r.operation().equals("CreateMultipartUpload")).toList();
        assertThat(creates).hasSize(4).allSatisfy(r -> {
            assertThat(r.header("x-amz-server-side-encryption")).isEqualTo("aws:kms");
            assertThat(r.header("x-amz-server-side-encryption-aws-kms-key-id")).isEqualTo(KEY);
        });
        assertThat(creates).filteredOn(r -> r.target().endsWith(".wav")
                        || r.operation().equals("CreateMultipartUpload")).hasSize(2)
                .allSatisfy(r -> assertThat(r.header("x-amz-storage-class")).isEqualTo("STANDARD_IA"));
        assertThat(creates).filteredOn(r -> r.target().endsWith(".json")).hasSize(2)
                .allSatisfy(r -> assertThat(r.header("x-amz-storage-class")).isNull());
        assertThat(sent).filteredOn(r -> r.operation().equals("UploadPart"))
                .allSatisfy(r -> assertThat(r.header("x-amz-server-side-encryption")).isNull());
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtOnce() {
        S3Target target = S3Target.of(s3, "settings", "calls");
        assertThatThrownBy(() -> target.expectedBucketOwner("acme")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.sse(ServerSideEncryption.AES256, "key"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.checksum(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(target.checksum()).isEqualTo(S3Target.Checksum.AUTO);
        assertThat(target.storageClass(StorageClass.GLACIER_IR).toString()).isEqualTo("s3://settings/calls");
    }
}
