package dev.laml.recordings.s3;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Kind;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code archive(..., S3Target, ...)} end to end: recordings from the testkit, through the client, into a real S3
 * server (S3Proxy 3.3 on a filesystem store, in this JVM, which checks S3's SHA-256 checksums; the subclass
 * {@link S3TargetOnStoreWithoutChecksumsTest} runs the same on S3Proxy 2.9.0, which refuses them): layout and
 * metadata, reruns that only HEAD, damaged and missing objects stored again, uploads broken mid-way that leave no
 * multipart upload and no sidecar, deletes only after the copy is proven, shards, and the check the store is asked
 * for, as it went over the wire.
 *
 * <p>The target's client is built with the SDK's defaults (it adds a CRC32 to uploads that carry no checksum).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3TargetTest {

    private static final Duration BLOCK = Duration.ofSeconds(120);
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 5, 1, 8, 0, 0, 0, ZoneOffset.UTC);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final int PART = 5 << 20;

    private S3Store store;
    private RecordingInterceptor recorder;
    private S3AsyncClient s3;

    private RecordingsServer api;
    private RecordingsClient client;
    private List<TestRecording> recordings;
    private String bucket;

    /** The store this class runs against. */
    S3Store startStore() {
        return S3ProxyServer.start();
    }

    @BeforeAll
    void startS3() {
        store = startStore();
        recorder = new RecordingInterceptor();
        s3 = store.client(recorder);
    }

    @AfterAll
    void stopS3() {
        if (s3 != null) {
            s3.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @BeforeEach
    void start() {
        bucket = "archive-" + BUCKETS.incrementAndGet();
        s3.createBucket(b -> b.bucket(bucket)).join();
        api = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(api.baseUrl())
                .credentials(api.projectId(), api.apiToken())
                .retryPolicy(RetryPolicy.defaults().maxAttempts(1))
                .build();
        recordings = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // Mostly small (one PutObject), two over a part (multipart).
            long size = i % 6 == 5 ? 11L << 20 : 40_000 + 2L * 1_000 * i;
            recordings.add(api.addRecording(RecordingSpec.create().seed(9100 + i).size(Format.WAV, size)
                    .callSid("CA" + i).dateCreated(T0.plusHours(5L * i))));
        }
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private S3Target target() {
        return S3Target.of(s3, bucket, "/calls/recordings/", PART, 2);
    }

    private List<ArchiveEvent> archive(ArchiveOptions options) {
        return client.archive(api.accountSid(), RecordingQuery.all().pageSize(5), target(), options)
                .collectList().block(BLOCK);
    }

    private static Summary summary(List<ArchiveEvent> events) {
        return (Summary) events.get(events.size() - 1);
    }

    private List<RecordingInterceptor.Sent> partsSince(int before) {
        List<RecordingInterceptor.Sent> all = recorder.sent("UploadPart");
        return all.subList(before, all.size());
    }

    /** A PutObject of the test's own, without the SDK's default CRC32 (a store without checksums refuses it). */
    private void putRaw(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(bucket).key(key).overrideConfiguration(o -> o.addPlugin(config ->
                ((S3ServiceClientConfiguration.Builder) config).requestChecksumCalculation(
                        RequestChecksumCalculation.WHEN_REQUIRED))), AsyncRequestBody.fromBytes(bytes)).join();
    }

    private String key(TestRecording r, String ext) {
        OffsetDateTime at = T0.plusHours(5L * recordings.indexOf(r));
        return String.format("calls/recordings/%04d/%02d/%02d/%s%s", at.getYear(), at.getMonthValue(),
                at.getDayOfMonth(), r.sid(), ext);
    }

    private byte[] object(String key) {
        ResponseBytes<GetObjectResponse> bytes = s3.getObject(b -> b.bucket(bucket).key(key)
                        .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED),
                AsyncResponseTransformer.toBytes()).join();
        return bytes.asByteArray();
    }

    private HeadObjectResponse head(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).join();
    }

    private List<String> keys() {
        return s3.listObjectsV2(b -> b.bucket(bucket)).join().contents().stream().map(S3Object::key).toList();
    }

    private int pendingMultipartUploads() {
        return s3.listMultipartUploads(b -> b.bucket(bucket)).join().uploads().size();
    }

    private long mediaRequests() {
        return recordings.stream().mapToLong(r -> api.requestCount(r.url(Format.WAV).getPath())).sum();
    }

    @Test
    void archivesIntoTheBucketWithTheDirectoryLayoutMetadataAndSidecarsThenRerunsWithHeadsOnly() {
        long multipartBefore = recorder.succeeded("CreateMultipartUpload");
        int partsBefore = recorder.sent("UploadPart").size();
        List<ArchiveEvent> first = archive(ArchiveOptions.defaults().concurrency(4));

        assertThat(summary(first).downloaded()).isEqualTo(12);
        assertThat(summary(first).failed()).isZero();
        for (TestRecording r : recordings) {
            assertThat(object(key(r, ".wav"))).isEqualTo(r.bytes(Format.WAV));
            String sidecar = new String(object(key(r, ".json")), StandardCharsets.UTF_8);
            assertThat(sidecar).contains("\"sha256\" : \"" + r.sha256(Format.WAV) + "\"")
                    .contains("\"size\" : " + r.size(Format.WAV));
            HeadObjectResponse h = head(key(r, ".wav"));
            assertThat(h.contentType()).isEqualTo("audio/x-wav");
            assertThat(h.metadata()).containsEntry("sid", r.sid())
                    .containsEntry("call-sid", "CA" + recordings.indexOf(r))
                    .containsKeys("date-created", "duration");
            if (r.size(Format.WAV) <= PART) {
                assertThat(h.metadata()).containsEntry("sha256", r.sha256(Format.WAV));
            }
        }
        assertThat(recorder.succeeded("CreateMultipartUpload") - multipartBefore).as("the two large ones").isEqualTo(2);
        if (store.implementsChecksums()) {
            assertThat(partsSince(partsBefore)).allSatisfy(p -> assertThat(p.header("x-amz-checksum-sha256"))
                    .as("each part carries its SHA-256 for S3 to check").isNotBlank());
        } else {
            assertThat(partsSince(partsBefore)).filteredOn(p -> p.header("x-amz-checksum-sha256") == null)
                    .isNotEmpty()
                    .allSatisfy(p -> assertThat(p.header("Content-MD5")).as("each part its MD5").isNotBlank());
        }
        assertThat(first).filteredOn(e -> e.kind() == Kind.DOWNLOADED).allSatisfy(e ->
                assertThat(((ArchiveEvent.Downloaded) e).location().toString()).startsWith("s3://" + bucket
                        + "/calls/recordings/2026/05/"));

        long mediaBefore = mediaRequests();
        long putsBefore = recorder.startedCount("PutObject");
        long getsBefore = recorder.startedCount("GetObject");
        List<ArchiveEvent> second = archive(ArchiveOptions.defaults());
        assertThat(summary(second).skipped()).isEqualTo(12);
        assertThat(mediaRequests()).as("no download on a rerun").isEqualTo(mediaBefore);
        assertThat(recorder.startedCount("PutObject")).as("nothing stored again").isEqualTo(putsBefore);
        assertThat(recorder.startedCount("GetObject") - getsBefore).as("only the sidecars are read, the audio is HEADed")
                .isEqualTo(12);
    }

    @Test
    void aDamagedOrMissingObjectIsStoredAgain() {
        archive(ArchiveOptions.defaults());
        TestRecording damaged = recordings.get(1);
        TestRecording missing = recordings.get(2);
        TestRecording bigDamaged = recordings.get(5);
        byte[] tampered = Arrays.copyOf(damaged.bytes(Format.WAV), (int) damaged.size(Format.WAV));
        tampered[100] ^= 1; // same size, other bytes: only the checksum tells
        putRaw(key(damaged, ".wav"), tampered);
        s3.deleteObject(b -> b.bucket(bucket).key(key(missing, ".wav"))).join();
        byte[] bigTampered = bigDamaged.bytes(Format.WAV).clone();
        bigTampered[bigTampered.length - 1] ^= 1; // a multipart object replaced, same size, one byte off
        putRaw(key(bigDamaged, ".wav"), bigTampered);

        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults());

        Set<String> downloaded = rerun.stream().filter(e -> e.kind() == Kind.DOWNLOADED)
                .map(e -> ((ArchiveEvent.Downloaded) e).recording().sid()).collect(Collectors.toSet());
        assertThat(downloaded).containsExactlyInAnyOrder(damaged.sid(), missing.sid(), bigDamaged.sid());
        assertThat(object(key(damaged, ".wav"))).isEqualTo(damaged.bytes(Format.WAV));
        assertThat(object(key(missing, ".wav"))).isEqualTo(missing.bytes(Format.WAV));
    }

    @Test
    void verifyRemoteReadsEveryObjectBack() {
        archive(ArchiveOptions.defaults());
        long gets = recorder.startedCount("GetObject");

        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults().verifyRemote(true));

        assertThat(summary(rerun).skipped()).isEqualTo(12);
        assertThat(recorder.startedCount("GetObject") - gets).as("12 sidecars and 12 objects read")
                .isEqualTo(24);
    }

    @Test
    void anUploadBrokenMidwayLeavesNoMultipartUploadNoSidecarAndTheRerunCompletes() {
        TestRecording big = recordings.get(5);
        big.injectFault(Fault.closeAfterBytes(7L << 20)); // past the first part: a multipart upload has begun

        List<ArchiveEvent> first = archive(ArchiveOptions.defaults());

        assertThat(first).filteredOn(e -> e instanceof ArchiveEvent.Failed f && f.sid() != null
                        && f.sid().equals(big.sid()))
                .singleElement().satisfies(e -> assertThat(((ArchiveEvent.Failed) e).reason()).startsWith("download: "));
        assertThat(pendingMultipartUploads()).as("aborted, no orphan parts").isZero();
        assertThat(keys()).doesNotContain(key(big, ".wav"), key(big, ".json"));

        big.clearFault();
        assertThat(summary(first).downloaded()).as(first.toString()).isEqualTo(11);
        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults());
        assertThat(summary(rerun).downloaded()).as(rerun.toString()).isEqualTo(1);
        assertThat(summary(rerun).skipped()).isEqualTo(11);
        assertThat(object(key(big, ".wav"))).isEqualTo(big.bytes(Format.WAV));
        assertThat(pendingMultipartUploads()).isZero();
    }

    private void sweepIncompleteUploads(S3Store s3server) {
        try {
            new dev.laml.recordings.s3.internal.S3Upload(s3).abortIncompleteUploads(bucket, "calls/", u -> true)
                    .block(BLOCK);
        } catch (RuntimeException e) {
            throw new AssertionError("the restarted store refused the sweep"
                    + (s3server instanceof LegacyS3Proxy legacy ? "; its log:\n" + legacy.log() : ""), e);
        }
    }

    @Test
    void anS3ServerThatGoesAwayMidRunFailsThoseRecordingsAndARerunCompletes() {
        S3Store s3server = store;
        TestRecording big = recordings.get(11);
        big.injectFault(Fault.throttle(4_000_000)); // ~3 s: the store stops while its parts are going up
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(1500);
                s3server.stop();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        List<ArchiveEvent> first = archive(ArchiveOptions.defaults().concurrency(1));
        assertThat(summary(first).failed()).isPositive();
        s3server.restart();
        big.clearFault();
        // What the dead store could not abort is swept before the rerun (documented in SCALING.md). A killed S3Proxy
        // 2.9.0 can leave a part's temporary file that fails every later listing with 500; its restart() clears that
        // debris (LegacyS3Proxy.removeCrashDebris says why, LegacyS3ProxyTest shows it).
        sweepIncompleteUploads(s3server);

        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults());

        assertThat(summary(rerun).failed()).isZero();
        assertThat(summary(rerun).downloaded() + summary(rerun).skipped()).isEqualTo(12);
        for (TestRecording r : recordings) {
            assertThat(object(key(r, ".wav"))).isEqualTo(r.bytes(Format.WAV));
        }
        assertThat(pendingMultipartUploads()).isZero();
    }

    @Test
    void deleteAfterVerifyDeletesOnlyWhatIsProvenStored() {
        TestRecording broken = recordings.get(3);
        broken.injectFault(Fault.closeAfterBytes(1000));

        List<ArchiveEvent> events = archive(ArchiveOptions.defaults().deleteAfterVerify(true));

        assertThat(summary(events).deleted()).isEqualTo(11);
        assertThat(api.recordings()).extracting(TestRecording::sid).containsExactly(broken.sid());
        assertThat(keys()).doesNotContain(key(broken, ".wav"), key(broken, ".json"));
    }

    @Test
    void aRunCancelledMidwayAndRunAgainArchivesEachRecordingOnceAndDeletesNothingUnverified() throws Exception {
        recordings.get(5).injectFault(Fault.throttle(8_000_000)); // a multipart upload is under way at the cancel
        java.util.concurrent.CountDownLatch someDone = new java.util.concurrent.CountDownLatch(3);
        reactor.core.Disposable run = client.archive(api.accountSid(), RecordingQuery.all().pageSize(5), target(),
                        ArchiveOptions.defaults().concurrency(2).deleteAfterVerify(true))
                .subscribe(e -> {
                    if (e.kind() == Kind.DELETED) {
                        someDone.countDown();
                    }
                });
        assertThat(someDone.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        run.dispose();
        Thread.sleep(1500); // the cancelled upload's abort runs in the background
        recordings.get(5).clearFault();
        int deletedBefore = 12 - api.recordings().size();
        assertThat(deletedBefore).isBetween(3, 11);
        assertThat(pendingMultipartUploads()).as("the cancelled multipart upload was aborted").isZero();

        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults().deleteAfterVerify(true));

        assertThat(summary(rerun).failed()).isZero();
        assertThat(summary(rerun).listed()).isEqualTo(12 - deletedBefore);
        assertThat(api.recordings()).isEmpty();
        assertThat(keys()).hasSize(24); // every recording's audio and sidecar, each once
        for (TestRecording r : recordings) {
            assertThat(object(key(r, ".wav"))).isEqualTo(r.bytes(Format.WAV));
        }
        assertThat(recorder.outcomes()).isNotEmpty();
    }

    @Test
    void shardsArchiveEachRecordingExactlyOnce() {
        int n = 3;
        long puts = 0;
        for (int k = 0; k < n; k++) {
            List<ArchiveEvent> events = archive(ArchiveOptions.defaults().shard(k, n));
            assertThat(summary(events).failed()).isZero();
            int shard = k;
            assertThat(events).filteredOn(e -> e.kind() == Kind.DOWNLOADED).allSatisfy(e -> assertThat(
                    ArchiveOptions.shardOf(((ArchiveEvent.Downloaded) e).recording().sid(), n)).isEqualTo(shard));
            puts += summary(events).downloaded();
        }
        assertThat(puts).isEqualTo(12);
        assertThat(mediaRequests()).as("each recording downloaded once over all shards").isEqualTo(12);
        assertThat(keys()).hasSize(24);
    }

    // ---- the check the store is asked for, as it went over the wire

    /** An archive run through a {@link WireRecorder} in front of the store, with a client built with defaults. */
    private List<ArchiveEvent> archiveOnTheWire(WireRecorder wire, java.util.function.UnaryOperator<S3Target> settings,
            ArchiveOptions options) {
        try (S3AsyncClient through = store.client(wire.endpoint())) {
            S3Target target = settings.apply(S3Target.of(through, bucket, "/calls/recordings/", PART, 2));
            return client.archive(api.accountSid(), RecordingQuery.all().pageSize(5), target, options)
                    .collectList().block(BLOCK);
        }
    }

    private static boolean asksForAChecksum(WireRecorder.Request r) {
        return r.hasHeaderStartingWith("x-amz-checksum-") && !r.hasHeaderStartingWith("x-amz-checksum-mode")
                || r.header("x-amz-trailer") != null || r.header("x-amz-sdk-checksum-algorithm") != null;
    }

    private static boolean uploadsBytes(WireRecorder.Request r) {
        return r.operation().equals("PutObject") || r.operation().equals("UploadPart");
    }

    @Test
    void byDefaultTheStoreChecksSha256WhereItCanElseMd5AfterOneRefusalAndTheSidecarSaysWhich() {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (WireRecorder wire = WireRecorder.in(store.endpoint())) {
            List<ArchiveEvent> events = archiveOnTheWire(wire, t -> t.onChecksumFallback(notices::add),
                    ArchiveOptions.defaults().concurrency(1));

            assertThat(summary(events).downloaded()).as(events.toString()).isEqualTo(12);
            List<WireRecorder.Request> uploads = wire.requests(S3TargetTest::uploadsBytes);
            assertThat(uploads).hasSizeGreaterThan(12 + 12);
            if (store.implementsChecksums()) {
                assertThat(notices).isEmpty();
                assertThat(uploads).allSatisfy(r -> {
                    assertThat(r.header("x-amz-checksum-sha256")).isNotBlank();
                    assertThat(r.header("content-md5")).isNull();
                });
            } else {
                assertThat(notices).singleElement().asString().contains("s3://" + bucket)
                        .contains("501 NotImplemented").contains("Content-MD5");
                // The requests sent before the first refusal came back (one single PUT, or the parts of one
                // upload in flight together) carry SHA-256 and are refused; each is then sent again with
                // Content-MD5, and every other request carries Content-MD5 and no checksum header of the SDK's.
                java.util.Map<String, List<WireRecorder.Request>> byTarget = new java.util.LinkedHashMap<>();
                uploads.forEach(r -> byTarget.computeIfAbsent(r.target().replaceAll("uploadId=[^&]*", ""),
                        k -> new ArrayList<>()).add(r));
                List<String> refused = byTarget.entrySet().stream().filter(e -> e.getValue().stream()
                        .anyMatch(r -> r.header("x-amz-checksum-sha256") != null)).map(java.util.Map.Entry::getKey)
                        .toList();
                assertThat(refused).hasSizeBetween(1, 2);
                for (List<WireRecorder.Request> sameTarget : byTarget.values()) {
                    WireRecorder.Request last = sameTarget.get(sameTarget.size() - 1);
                    assertThat(last.header("content-md5")).as(last.toString()).isNotBlank();
                    assertThat(asksForAChecksum(last)).as(last.toString()).isFalse();
                }
                assertThat(uploads).filteredOn(r -> r.header("x-amz-checksum-sha256") == null).allSatisfy(r -> {
                    assertThat(r.header("content-md5")).as(r.toString()).isNotBlank();
                    assertThat(asksForAChecksum(r)).as(r.toString()).isFalse();
                });
            }
        }
        String check = store.implementsChecksums() ? "sha256" : "md5";
        for (TestRecording r : recordings) {
            assertThat(object(key(r, ".wav"))).isEqualTo(r.bytes(Format.WAV));
            assertThat(new String(object(key(r, ".json")), StandardCharsets.UTF_8))
                    .contains("\"sha256\" : \"" + r.sha256(Format.WAV) + "\"")
                    .contains("\"store_check\" : \"" + check + "\"");
        }
        List<ArchiveEvent> rerun = archive(ArchiveOptions.defaults());
        assertThat(summary(rerun).skipped()).isEqualTo(12);
    }

    @Test
    void withMd5EveryUploadCarriesContentMd5AndNoChecksumHeaderOnAClientBuiltWithDefaults() {
        try (WireRecorder wire = WireRecorder.in(store.endpoint())) {
            List<ArchiveEvent> events = archiveOnTheWire(wire, t -> t.checksum(S3Target.Checksum.MD5),
                    ArchiveOptions.defaults().concurrency(4));

            assertThat(summary(events).downloaded()).as(events.toString()).isEqualTo(12);
            assertThat(wire.requests(S3TargetTest::uploadsBytes)).hasSizeGreaterThan(12 + 12).allSatisfy(r -> {
                assertThat(r.header("content-md5")).as(r.toString()).isNotBlank();
                assertThat(asksForAChecksum(r)).as(r.toString()).isFalse();
            });
            assertThat(wire.requests("CreateMultipartUpload")).hasSize(2)
                    .allSatisfy(r -> assertThat(asksForAChecksum(r)).isFalse());
        }
        for (TestRecording r : recordings) {
            assertThat(object(key(r, ".wav"))).isEqualTo(r.bytes(Format.WAV));
            assertThat(new String(object(key(r, ".json")), StandardCharsets.UTF_8)).contains("\"store_check\" : \"md5\"");
        }
    }

    @Test
    void onTheMd5PathAPartAlteredInFlightIsRefusedByTheStoreAbortedAndNothingIsDeleted() {
        TestRecording big = recordings.get(5);
        recorder.damageBody(request -> request instanceof UploadPartRequest part && part.partNumber() == 2);
        List<ArchiveEvent> events;
        try {
            events = client.archive(api.accountSid(), RecordingQuery.all().pageSize(5),
                    target().checksum(S3Target.Checksum.MD5), ArchiveOptions.defaults().deleteAfterVerify(true))
                    .collectList().block(BLOCK);
        } finally {
            recorder.damageBody(request -> false);
        }

        List<ArchiveEvent.Failed> failures = events.stream().filter(e -> e instanceof ArchiveEvent.Failed)
                .map(e -> (ArchiveEvent.Failed) e).toList();
        assertThat(failures).as(events.toString()).hasSize(2); // both multipart recordings have a part 2
        assertThat(failures).allSatisfy(f -> assertThat(f.reason()).startsWith("write: ").contains("UploadPart")
                .containsAnyOf("BadDigest", "InvalidDigest"));
        assertThat(pendingMultipartUploads()).as("aborted, no orphan parts").isZero();
        assertThat(keys()).doesNotContain(key(big, ".wav"), key(big, ".json"));
        assertThat(api.recordings()).extracting(TestRecording::sid)
                .containsExactlyInAnyOrder(recordings.get(5).sid(), recordings.get(11).sid());
        assertThat(summary(events).deleted()).isEqualTo(10);
    }

    @Test
    void onTheMd5PathASinglePutAlteredInFlightIsRefusedAndNothingIsDeleted() {
        TestRecording small = recordings.get(0);
        String audioKey = key(small, ".wav");
        recorder.damageBody(request -> request instanceof PutObjectRequest put && put.key().equals(audioKey));
        List<ArchiveEvent> events;
        try {
            events = client.archive(api.accountSid(), RecordingQuery.all().pageSize(5),
                    target().checksum(S3Target.Checksum.MD5), ArchiveOptions.defaults().deleteAfterVerify(true))
                    .collectList().block(BLOCK);
        } finally {
            recorder.damageBody(request -> false);
        }

        assertThat(events).filteredOn(e -> e instanceof ArchiveEvent.Failed).singleElement()
                .satisfies(e -> assertThat(((ArchiveEvent.Failed) e).reason()).startsWith("write: ")
                        .contains("PutObject").containsAnyOf("BadDigest", "InvalidDigest"));
        assertThat(keys()).doesNotContain(audioKey, key(small, ".json"));
        assertThat(api.recordings()).extracting(TestRecording::sid).containsExactly(small.sid());
    }

    @Test
    void withNoChecksumNothingIsAskedOfTheStoreAndRecordingsAreDeletedOnlyAfterAReadBack() {
        try (WireRecorder wire = WireRecorder.in(store.endpoint())) {
            List<ArchiveEvent> events = archiveOnTheWire(wire, t -> t.checksum(S3Target.Checksum.NONE),
                    ArchiveOptions.defaults().deleteAfterVerify(true));

            assertThat(summary(events).downloaded()).isEqualTo(12);
            assertThat(summary(events).deleted()).as("nothing proves the copies without a read-back").isZero();
            assertThat(events).filteredOn(e -> e instanceof ArchiveEvent.Failed).hasSize(12)
                    .allSatisfy(e -> assertThat(((ArchiveEvent.Failed) e).reason())
                            .startsWith("verify: ").contains("checked nothing"));
            assertThat(wire.requests(S3TargetTest::uploadsBytes)).allSatisfy(r -> {
                assertThat(r.header("content-md5")).isNull();
                assertThat(asksForAChecksum(r)).as(r.toString()).isFalse();
            });
        }
        assertThat(api.recordings()).hasSize(12);
        assertThat(new String(object(key(recordings.get(0), ".json")), StandardCharsets.UTF_8))
                .contains("\"store_check\" : \"none\"");

        List<ArchiveEvent> again = client.archive(api.accountSid(), RecordingQuery.all().pageSize(5),
                target().checksum(S3Target.Checksum.NONE),
                ArchiveOptions.defaults().deleteAfterVerify(true).verifyRemote(true)).collectList().block(BLOCK);

        assertThat(summary(again).skipped()).isEqualTo(12);
        assertThat(summary(again).deleted()).isEqualTo(12);
        assertThat(api.recordings()).isEmpty();
    }

    @Test
    void anObjectStoredWithAnotherStorageClassCountsAsStored() {
        try (WireRecorder wire = WireRecorder.in(store.endpoint())) {
            List<ArchiveEvent> first = archiveOnTheWire(wire, t -> t.storageClass(StorageClass.STANDARD_IA),
                    ArchiveOptions.defaults());
            assertThat(summary(first).downloaded()).isEqualTo(12);
            List<WireRecorder.Request> audio = wire.requests(r -> (r.operation().equals("PutObject")
                    && r.target().endsWith(".wav")) || r.operation().equals("CreateMultipartUpload"));
            assertThat(audio.stream().map(r -> r.target().replace("?uploads", "")).distinct()).hasSize(12);
            assertThat(audio).allSatisfy(r -> assertThat(r.header("x-amz-storage-class")).isEqualTo("STANDARD_IA"));
            assertThat(wire.requests(r -> r.operation().equals("PutObject") && r.target().endsWith(".json")))
                    .as("sidecars stay readable in the bucket's default class")
                    .hasSizeGreaterThanOrEqualTo(12).allSatisfy(r -> assertThat(r.header("x-amz-storage-class")).isNull());
        }
        long mediaBefore = mediaRequests();
        List<ArchiveEvent> rerun = client.archive(api.accountSid(), RecordingQuery.all().pageSize(5),
                target().storageClass(StorageClass.GLACIER_IR), ArchiveOptions.defaults()).collectList().block(BLOCK);
        assertThat(summary(rerun).skipped()).isEqualTo(12);
        assertThat(mediaRequests()).isEqualTo(mediaBefore);
    }

    @Test
    void badTargetsAreRejectedAtOnceOrBeforeAnythingIsListed() {
        assertThatThrownBy(() -> S3Target.of(s3, "Not_A_Bucket", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3Target.of(s3, bucket, "a/../b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3Target.of(null, bucket, "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(S3Target.of(s3, bucket, "/x/y/").toString()).isEqualTo("s3://" + bucket + "/x/y");

        long before = api.requestCount();
        reactor.test.StepVerifier.create(client.archive(api.accountSid(), RecordingQuery.all(),
                        S3Target.of(s3, "no-such-bucket", ""), ArchiveOptions.defaults()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(S3StorageException.class)
                        .hasMessageContaining("no-such-bucket"))
                .verify(BLOCK);
        assertThat(api.requestCount()).as("nothing listed").isEqualTo(before);
    }
}
