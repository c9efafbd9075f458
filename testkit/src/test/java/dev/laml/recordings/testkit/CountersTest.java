package dev.laml.recordings.testkit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Request counts, bytes written, connection counts, keep-alive and backpressure. */
@Timeout(30)
class CountersTest {

    // A server per test: connection counts must not see the idle keep-alive connections of earlier tests.
    @RegisterExtension
    final RecordingsServerExtension extension = new RecordingsServerExtension();
    private RecordingsServer server;
    private TestRecording recording;

    @BeforeEach
    void addRecording() {
        server = extension.server();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(5));
    }

    @Test
    void countsRequestsPerPathAndBodyBytes() {
        HttpClient client = Http.client();
        for (int i = 0; i < 3; i++) {
            Http.get(client, recording.url(Format.WAV));
        }
        Http.get(client, recording.url(Format.MP3));
        Http.get(client, recording.jsonUrl()); // 401

        assertThat(server.requestCount()).isEqualTo(5);
        assertThat(server.requestCount(recording.url(Format.WAV).getPath())).isEqualTo(3);
        assertThat(server.requestCount(recording.url(Format.MP3).getPath())).isEqualTo(1);
        assertThat(server.requestCount("/never")).isZero();
        long expected = 3 * recording.size(Format.WAV) + recording.size(Format.MP3)
                + ServingTest.AUTH_FAILED.length();
        // A write is counted when its completion reaches the event loop, possibly just after the client has the bytes.
        waitFor(() -> server.bytesWritten() == expected);
        assertThat(server.recordedRequests()).hasSize(5)
                .extracting(RecordedRequest::sequenceNumber).isSorted();

        server.resetCounters();
        assertThat(server.requestCount()).isZero();
        assertThat(server.bytesWritten()).isZero();
        assertThat(server.recordedRequests()).isEmpty();
    }

    @Test
    void sequentialRequestsReuseOneKeptAliveConnection() {
        HttpClient client = Http.client();
        for (int i = 0; i < 50; i++) {
            assertThat(Http.get(client, i % 2 == 0 ? recording.url(Format.WAV) : recording.url(Format.MP3))
                    .statusCode()).isEqualTo(200);
        }
        assertThat(server.requestCount()).isEqualTo(50);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.peakConnections()).isEqualTo(1);
    }

    @Test
    void peakConnectionsCountsParallelRequests() {
        HttpClient client = Http.client();
        server.enqueueFaults(8, Fault.latency(Duration.ofMillis(400)));

        List<CompletableFuture<HttpResponse<byte[]>>> inFlight = IntStream.range(0, 8)
                .mapToObj(i -> client.sendAsync(Http.request(recording.url(Format.WAV)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()))
                .toList();
        inFlight.forEach(f -> assertThat(f.join().statusCode()).isEqualTo(200));

        assertThat(server.peakConnections()).isEqualTo(8);
        assertThat(server.connectionCount()).isEqualTo(8);
        assertThat(server.openConnections()).isBetween(0, 8);
    }

    @Test
    void aClientThatStopsReadingStopsTheServer() throws Exception {
        // The reactive adapter's backpressure scenario: 256 MiB, served from one off-heap copy.
        TestRecording big = server.addRecording(RecordingSpec.create().size(Format.WAV, 256L * 1024 * 1024));
        HttpClient client = Http.client();

        HttpResponse<InputStream> response = client.send(Http.request(big.url(Format.WAV)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            body.readNBytes(1024); // then nothing
            Thread.sleep(500);
            long stalled = server.bytesWritten();
            Thread.sleep(300);

            assertThat(stalled).as("bounded by socket and client buffers, not the 256 MiB body")
                    .isLessThan(16L * 1024 * 1024);
            assertThat(server.bytesWritten()).as("no progress while stalled").isEqualTo(stalled);

            long rest = body.transferTo(java.io.OutputStream.nullOutputStream());
            assertThat(1024 + rest).isEqualTo(big.size(Format.WAV));
        }
        waitFor(() -> server.bytesWritten() == big.size(Format.WAV));
    }

    @Test
    void closingTheServerClosesOpenConnectionsAndIsIdempotent() {
        RecordingsServer doomed = RecordingsServer.start();
        TestRecording r = doomed.addRecording();
        doomed.enqueueFault(Fault.stallAfterBytes(10));
        CompletableFuture<HttpResponse<byte[]>> stalled = Http.client().sendAsync(
                Http.request(r.url(Format.WAV)).build(), HttpResponse.BodyHandlers.ofByteArray());
        waitFor(() -> doomed.bytesWritten() == 10);

        doomed.close();
        doomed.close();

        assertThat(stalled).failsWithin(Duration.ofSeconds(5));
        assertThat(doomed.openConnections()).isZero();
    }

    static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
