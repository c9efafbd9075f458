package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production path end to end: HTTPS to the testkit with verification on, trusting exactly the
 * testkit's certificate, on both engines. Exact bytes, metadata with Basic auth, resumes after a
 * reset and after a close without {@code close_notify} (a broken transfer, never a short success
 * and never a {@link TlsException}), and backpressure through the TLS layer.
 */
class TlsEndToEndTest {

    @TempDir
    static Path dir;

    private static RecordingsServer server;
    private static TestRecording recording;
    private static final Map<TlsEngine, RecordingsClient> CLIENTS = new EnumMap<>(TlsEngine.class);
    private static final Map<TlsEngine, RecordingsClient> NO_RETRY = new EnumMap<>(TlsEngine.class);

    @BeforeAll
    static void start() {
        server = RecordingsServer.builder().tls().start();
        recording = server.addRecording(RecordingSpec.create().seed(5).size(Format.WAV, 900_044)
                .size(Format.MP3, 400_000));
        Path ca = server.writeCertificatePem(dir.resolve("testkit.pem"));
        for (TlsEngine engine : List.of(TlsEngine.OPENSSL, TlsEngine.JDK)) {
            CLIENTS.put(engine, RecordingsClient.builder().baseUrl(server.baseUrl()).tlsEngine(engine)
                    .trustedCertificates(ca).credentials(server.projectId(), server.apiToken())
                    .idleTimeout(Duration.ofMillis(500))
                    .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5))).build());
            NO_RETRY.put(engine, RecordingsClient.builder().baseUrl(server.baseUrl()).tlsEngine(engine)
                    .trustedCertificates(ca).retryPolicy(RetryPolicy.none()).build());
        }
    }

    @AfterAll
    static void stop() {
        CLIENTS.values().forEach(RecordingsClient::close);
        NO_RETRY.values().forEach(RecordingsClient::close);
        server.close();
    }

    @BeforeEach
    void reset() {
        server.clearFaults();
        server.resetCounters();
        while (!server.recordedRequests().isEmpty()) {
            server.takeRequest();
        }
    }

    private static String sha256(RecordingsClient client, AudioFormat format) {
        return TestData.sha256(client.download(recording.accountSid(), recording.sid(), format)
                .collectList().block(Duration.ofSeconds(20)));
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void wavAndMp3ArriveExactlyOverHttps(TlsEngine engine) {
        assertThat(server.baseUrl().getScheme()).isEqualTo("https");
        assertThat(sha256(CLIENTS.get(engine), AudioFormat.WAV)).isEqualTo(recording.sha256(Format.WAV));
        assertThat(sha256(CLIENTS.get(engine), AudioFormat.MP3)).isEqualTo(recording.sha256(Format.MP3));
        assertThat(CLIENTS.get(engine).tlsEngine()).isEqualTo(engine);
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void metadataWithBasicAuth(TlsEngine engine) {
        Recording fetched = CLIENTS.get(engine).fetch(recording.accountSid(), recording.sid()).block(Duration.ofSeconds(10));

        assertThat(fetched.sid()).isEqualTo(recording.sid());
        assertThat(server.takeRequest().header("Authorization")).startsWith("Basic ");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aResetMidBodyIsResumedWithRange(TlsEngine engine) {
        server.enqueueFault(Fault.resetAfterBytes(300_000));

        assertThat(sha256(CLIENTS.get(engine), AudioFormat.WAV)).isEqualTo(recording.sha256(Format.WAV));
        // An RST makes the kernel drop what the client had not read yet, so the resume point is
        // wherever the client had got to: at most the 300,000 bytes sent.
        List<RecordedRequest> requests = List.of(server.takeRequest(), server.takeRequest());
        assertThat(requests.get(0).header("Range")).isNull();
        String range = requests.get(1).header("Range");
        if (range != null) {
            assertThat(range).matches("bytes=\\d+-");
            assertThat(Long.parseLong(range.substring(6, range.length() - 1))).isBetween(1L, 300_000L);
        }
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aCloseWithoutCloseNotifyMidBodyIsResumedLikeAReset(TlsEngine engine) {
        server.enqueueFault(Fault.closeAfterBytes(300_000));

        assertThat(sha256(CLIENTS.get(engine), AudioFormat.WAV)).isEqualTo(recording.sha256(Format.WAV));
        assertResumedOnce();
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aCleanCloseNotifyMidBodyIsStillABrokenTransfer(TlsEngine engine) {
        server.enqueueFault(Fault.closeNotifyAfterBytes(300_000));

        assertThat(sha256(CLIENTS.get(engine), AudioFormat.WAV)).isEqualTo(recording.sha256(Format.WAV));
        assertResumedOnce();
    }

    private static void assertResumedOnce() {
        List<RecordedRequest> requests = List.of(server.takeRequest(), server.takeRequest());
        assertThat(requests.get(0).header("Range")).isNull();
        assertThat(requests.get(1).header("Range")).isEqualTo("bytes=300000-");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void withoutRetriesATruncatedTlsBodyFailsAsIncompleteNeverShortAndNeverAsTls(TlsEngine engine) {
        server.enqueueFault(Fault.closeAfterBytes(300_000));

        StepVerifier.create(NO_RETRY.get(engine).download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                        .map(b -> (long) b.remaining()).reduce(0L, Long::sum))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IncompleteBodyException.class)
                        .isNotInstanceOf(TlsException.class)
                        .satisfies(x -> assertThat(((IncompleteBodyException) x).received()).isEqualTo(300_000)))
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aSubscriberAtDemandOneStopsTheServerWithinAFewMiB(TlsEngine engine) throws Exception {
        long size = 96L << 20;
        TestRecording big = server.addRecording(RecordingSpec.create().seed(40 + engine.ordinal()).size(Format.WAV, size));
        try {
            server.resetCounters();
            StepVerifier.create(NO_RETRY.get(engine).download(big.accountSid(), big.sid(), AudioFormat.WAV), 0)
                    .thenRequest(1)
                    .expectNextCount(1)
                    .then(() -> sleep(1500))
                    .then(() -> assertThat(server.bytesWritten())
                            .as("body bytes the server could write while the subscriber held no demand")
                            .isLessThan(16L << 20))
                    .thenCancel()
                    .verify(Duration.ofSeconds(20));
        } finally {
            server.removeRecording(big.sid());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
