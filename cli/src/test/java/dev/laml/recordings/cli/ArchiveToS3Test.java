package dev.laml.recordings.cli;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
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

/** {@code recordings archive --to s3://...} against the testkit and a real S3 server (S3Proxy, in this JVM). */
class ArchiveToS3Test {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";
    static final OffsetDateTime DAY1 = OffsetDateTime.of(2026, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);
    static final AtomicInteger BUCKETS = new AtomicInteger();

    static S3ProxyServer s3server;
    static S3AsyncClient s3;

    @TempDir
    Path tmp;

    RecordingsServer api;
    List<TestRecording> recordings = new ArrayList<>();
    String bucket;

    @BeforeAll
    static void startS3() {
        s3server = S3ProxyServer.start();
        s3 = s3server.client();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        s3server.close();
    }

    @BeforeEach
    void start() {
        bucket = "cli-" + BUCKETS.incrementAndGet();
        s3.createBucket(b -> b.bucket(bucket)).join();
        api = RecordingsServer.builder().credentials(PROJECT, TOKEN).start();
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
        List<String> a = new ArrayList<>(List.of("--to", "s3://" + bucket + "/archive/calls",
                "--s3-endpoint", s3server.endpoint().toString(), "--s3-path-style"));
        a.addAll(List.of(more));
        return archive(a.toArray(String[]::new));
    }

    List<String> keys() {
        return s3.listObjectsV2(b -> b.bucket(bucket)).join().contents().stream().map(S3Object::key).toList();
    }

    byte[] object(String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join().asByteArray();
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
