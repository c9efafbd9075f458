package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each testkit fault, met once, and the download still ends with exactly the recording's bytes:
 * by a retry (5xx, 429, a break before the first byte) or by a resume (a break midway).
 */
class TestkitFaultsTest {

    private static RecordingsServer server;
    private static RecordingsClient client;
    private static TestRecording recording;

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().seed(3).size(Format.WAV, 600_044));
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .idleTimeout(Duration.ofMillis(400))
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxRetryAfter(Duration.ofMillis(50)))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("close after 0 bytes (before the first byte)", Fault.closeAfterBytes(0), 2),
                Arguments.of("close after 200 KB (truncated)", Fault.closeAfterBytes(200_000), 2),
                Arguments.of("reset after 150 KB", Fault.resetAfterBytes(150_000), 2),
                Arguments.of("stall after 100 KB (idle timeout)", Fault.stallAfterBytes(100_000), 2),
                Arguments.of("503", Fault.serverError(503), 2),
                Arguments.of("500", Fault.serverError(500), 2),
                Arguments.of("429 with Retry-After", Fault.rateLimited(Duration.ofSeconds(1)), 2),
                Arguments.of("latency 300 ms", Fault.latency(Duration.ofMillis(300)), 1),
                Arguments.of("throttled to 2 MB/s", Fault.throttle(2_000_000), 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void theDownloadEndsWithTheExactBytes(String name, Fault fault, int expectedRequests) {
        server.resetCounters();
        server.enqueueFault(fault);

        String hash = TestData.sha256(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                .collectList().block(Duration.ofSeconds(20)));

        assertThat(hash).isEqualTo(recording.sha256(Format.WAV));
        assertThat(server.requestCount()).as("requests").isEqualTo(expectedRequests);
    }
}
