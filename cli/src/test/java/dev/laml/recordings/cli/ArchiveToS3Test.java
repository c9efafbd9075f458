package dev.laml.recordings.cli;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.S3Store;
import dev.laml.recordings.s3.WireRecorder;
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
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code recordings archive --to s3://...} against the testkit and a real S3 server: S3Proxy 3.3 in this JVM, which
 * checks S3's SHA-256 checksums; {@link ArchiveToS3WithoutChecksumsTest} runs the same against S3Proxy 2.9.0, which
 * refuses them (501 NotImplemented) and checks Content-MD5.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveToS3Test {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";
    static final OffsetDateTime DAY1 = OffsetDateTime.of(2026, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);
    static final AtomicInteger BUCKETS = new AtomicInteger();

    S3Store s3server;
    S3AsyncClient s3;

    @TempDir
    Path tmp;

    RecordingsServer api;
    List<TestRecording> recordings = new ArrayList<>();
    String bucket;

    /** The store this class runs against. */
    S3Store startStore() {
        return S3ProxyServer.start();
    }

    @BeforeAll
    void startS3() {
        s3server = startStore();
        s3 = s3server.client();
    }

    @AfterAll
    void stopS3() {
        s3.close();
        s3server.close();
    }

    @BeforeEach
    void start() {
        bucket = "cli-" + BUCKETS.incrementAndGet();
        s3.createBucket(b -> b.bucket(bucket)).join();
        api = RecordingsServer.builder().credentials(PROJECT, TOKEN).start();
        recordings.clear(); // one instance for the class (the store is started once): this test's recordings only
        for (int i = 0; i < 6; i++) {
            recordings.add(api.addRecording(RecordingSpec.create().seed(800 + i).durationSeconds(1 + i % 3)
                    .dateCreated(DAY1.plusDays(i / 2).plusHours(9L * (i % 2)))));
        }
    }

    @AfterEach
    void stop() {
        api.close();
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN,
                "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                "AWS_REGION", "us-east-1");
    }

    CliRun archive(String... more) {
        List<String> a = new ArrayList<>(List.of("archive", "--base-url", api.baseUrl().toString()));
        a.addAll(List.of(more));
        return CliRun.run(env(), a.toArray(String[]::new));
    }

    CliRun toS3(String... more) {
        return toS3Through(s3server.endpoint(), more);
    }

    CliRun toS3Through(java.net.URI endpoint, String... more) {
        List<String> a = new ArrayList<>(List.of("--to", "s3://" + bucket + "/archive/calls",
                "--s3-endpoint", endpoint.toString(), "--s3-path-style"));
        a.addAll(List.of(more));
        return archive(a.toArray(String[]::new));
    }

    List<String> keys() {
        return s3.listObjectsV2(b -> b.bucket(bucket)).join().contents().stream().map(S3Object::key).toList();
    }

    byte[] object(String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED),
                AsyncResponseTransformer.toBytes()).join().asByteArray();
    }

    @Test
    void archivesIntoTheBucketThenSkipsEverythingAndNeverShowsTheSecret() {
        CliRun first = toS3("--verbose");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(keys()).hasSize(12);
        TestRecording r = recordings.get(0);
        assertThat(object("archive/calls/2026/03/01/" + r.sid() + ".wav")).isEqualTo(r.bytes(Format.WAV));
        assertThat(first.stdout()).contains("All 6 recordings are archived in s3://" + bucket + "/archive/calls");
        assertThat(first.stderr()).contains("downloaded   2026/03/01/" + r.sid() + ".wav");
        assertThat(first.all()).doesNotContain(S3ProxyServer.SECRET_KEY).doesNotContain(TOKEN);

        CliRun second = toS3("--verify-remote");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(ArchiveCommandTest.row(second, "listed")).startsWith("6", "0", "6", "0");
    }

    String sidecar(TestRecording r, int day) {
        return new String(object("archive/calls/2026/03/0" + day + "/" + r.sid() + ".json"),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void byDefaultStoresEveryRecordingExactlyWithTheCheckTheStoreMakesAndARerunStoresOnlyWhatIsMissing() {
        CliRun first = toS3();

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(keys()).hasSize(12);
        String check = s3server.implementsChecksums() ? "sha256" : "md5";
        for (int i = 0; i < recordings.size(); i++) {
            TestRecording r = recordings.get(i);
            int day = 1 + i / 2;
            assertThat(object("archive/calls/2026/03/0" + day + "/" + r.sid() + ".wav")).isEqualTo(r.bytes(Format.WAV));
            assertThat(sidecar(r, day)).contains("\"sha256\" : \"" + r.sha256(Format.WAV) + "\"")
                    .contains("\"store_check\" : \"" + check + "\"");
        }
        if (s3server.implementsChecksums()) {
            assertThat(first.stderr()).doesNotContain("S3's additional checksums");
        } else {
            assertThat(first.stderr().lines().filter(l -> l.contains("does not implement S3's additional checksums")))
                    .as(first.stderr()).singleElement().asString().contains("s3://" + bucket).contains("Content-MD5");
        }

        TestRecording gone = recordings.get(3);
        s3.deleteObject(b -> b.bucket(bucket).key("archive/calls/2026/03/02/" + gone.sid() + ".wav")).join();
        CliRun second = toS3();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(ArchiveCommandTest.row(second, "listed")).startsWith("6", "1", "5", "0");
        assertThat(object("archive/calls/2026/03/02/" + gone.sid() + ".wav")).isEqualTo(gone.bytes(Format.WAV));
    }

    @Test
    void shardsAndDeleteAfterVerifyWorkAsOnAnyStore() {
        for (int k = 0; k < 2; k++) {
            CliRun r = toS3("--shard", k + "/2", "--delete-after-verify");
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        assertThat(keys()).hasSize(12);
        assertThat(api.recordings()).as("each deleted once its copy was proven").isEmpty();
        for (int i = 0; i < recordings.size(); i++) {
            TestRecording r = recordings.get(i);
            assertThat(object("archive/calls/2026/03/0" + (1 + i / 2) + "/" + r.sid() + ".wav"))
                    .isEqualTo(r.bytes(Format.WAV));
        }
    }

    @Test
    void theChecksumAndStorageOptionsGoOnTheWire() {
        try (WireRecorder wire = WireRecorder.in(s3server.endpoint())) {
            CliRun md5 = toS3Through(wire.endpoint(), "--s3-checksum", "md5", "--s3-storage-class", "standard_ia");

            assertThat(md5.exitCode()).as(md5.toString()).isZero();
            List<WireRecorder.Request> puts = wire.requests("PutObject");
            assertThat(puts).hasSize(12).allSatisfy(p -> {
                assertThat(p.header("content-md5")).isNotBlank();
                assertThat(p.hasHeaderStartingWith("x-amz-checksum-") || p.header("x-amz-trailer") != null)
                        .as(p.toString()).isFalse();
            });
            assertThat(puts).filteredOn(p -> p.target().endsWith(".wav")).hasSize(6)
                    .allSatisfy(p -> assertThat(p.header("x-amz-storage-class")).isEqualTo("STANDARD_IA"));
            assertThat(sidecar(recordings.get(0), 1)).contains("\"store_check\" : \"md5\"");

            wire.clear();
            CliRun rerun = toS3Through(wire.endpoint(), "--s3-storage-class", "GLACIER_IR");
            assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
            assertThat(ArchiveCommandTest.row(rerun, "listed")).startsWith("6", "0", "6", "0");
            assertThat(wire.requests("PutObject")).as("stored with another class counts as stored").isEmpty();
        }
    }

    @Test
    void badS3OptionsAreExit2WithNothingSent() {
        CliRun checksum = toS3("--s3-checksum", "crc32");
        CliRun storageClass = toS3("--s3-storage-class", "COLD");
        CliRun sse = toS3("--s3-sse", "des");
        CliRun keyWithoutKms = toS3("--s3-sse", "aes256", "--s3-kms-key-id", "k1");
        CliRun owner = toS3("--s3-expected-bucket-owner", "acme");
        CliRun noneDelete = toS3("--s3-checksum", "none", "--delete-after-verify");
        CliRun withDir = archive("--dir", tmp.toString(), "--s3-checksum", "md5");

        for (CliRun r : List.of(checksum, storageClass, sse, keyWithoutKms, owner, noneDelete, withDir)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        }
        assertThat(checksum.stderr()).contains("--s3-checksum must be auto, sha256, md5 or none");
        assertThat(storageClass.stderr()).contains("--s3-storage-class must be one of").contains("STANDARD_IA");
        assertThat(sse.stderr()).contains("--s3-sse must be aes256 or kms");
        assertThat(keyWithoutKms.stderr()).contains("--s3-kms-key-id goes with --s3-sse kms");
        assertThat(owner.stderr()).contains("12-digit");
        assertThat(noneDelete.stderr()).contains("--verify-remote");
        assertThat(withDir.stderr()).contains("go with --to");
        assertThat(api.requestCount()).isZero();
        assertThat(keys()).isEmpty();
    }

    @Test
    void exactlyOneOfDirAndToIsExit2WithNothingSent() {
        CliRun both = archive("--dir", tmp.toString(), "--to", "s3://" + bucket);
        CliRun neither = archive();
        CliRun endpointWithDir = archive("--dir", tmp.toString(), "--s3-endpoint", "http://127.0.0.1:9");

        for (CliRun r : List.of(both, neither, endpointWithDir)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        }
        assertThat(both.stderr()).contains("exactly one of --dir");
        assertThat(endpointWithDir.stderr()).contains("go with --to");
        assertThat(api.requestCount()).isZero();
    }

    @Test
    void aMalformedS3UrlIsExit2WithNothingSent() {
        for (String bad : new String[] {"s3:/bucket", "s3://", "https://bucket/x", "s3://Bad_Bucket/x",
                "s3://bucket/a/../b", "s3://user@bucket/x", "s3://bucket/x?y=z", "bucket/x"}) {
            CliRun r = archive("--to", bad, "--s3-endpoint", s3server.endpoint().toString());
            assertThat(r.exitCode()).as(bad + ": " + r).isEqualTo(2);
            assertThat(r.stderr()).contains("--to");
        }
        CliRun badEndpoint = archive("--to", "s3://" + bucket, "--s3-endpoint", "ftp://host");
        assertThat(badEndpoint.exitCode()).isEqualTo(2);
        assertThat(api.requestCount()).isZero();
    }

    @Test
    void anUnreachableEndpointIsExit6BeforeAnythingIsListed() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun r = archive("--to", "s3://" + bucket, "--s3-endpoint", "http://127.0.0.1:" + closedPort,
                "--s3-path-style");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).contains("HeadBucket");
        assertThat(r.all()).doesNotContain(S3ProxyServer.SECRET_KEY);
        assertThat(api.requestCount()).as("nothing listed").isZero();
    }

    @Test
    void aMissingBucketIsAClearError() {
        CliRun r = archive("--to", "s3://no-such-bucket-here/x", "--s3-endpoint", s3server.endpoint().toString(),
                "--s3-path-style");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).contains("no-such-bucket-here");
        assertThat(api.requestCount()).isZero();
    }
}
