package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.laml.recordings.ConnectFailedException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.ResponseTimeoutException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UpdateRecording;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.laml.recordings.reactor.LiveRecordingsTest.ACCOUNT;
import static dev.laml.recordings.reactor.LiveRecordingsTest.CALL;
import static dev.laml.recordings.reactor.LiveRecordingsTest.CALL_RECORDING;
import static dev.laml.recordings.reactor.LiveRecordingsTest.CALL_RECORDINGS;
import static dev.laml.recordings.reactor.LiveRecordingsTest.CONFERENCE;
import static dev.laml.recordings.reactor.LiveRecordingsTest.CONFERENCE_RECORDING;
import static dev.laml.recordings.reactor.LiveRecordingsTest.RECORDING;
import static dev.laml.recordings.reactor.LiveRecordingsTest.json;
import static dev.laml.recordings.reactor.LiveRecordingsTest.recording;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write-retry rule on the wire: a POST that starts or changes a recording is repeated only when it certainly
 * did not reach the server (a refused connection, a 429 with Retry-After), never once it may have (a reset after
 * the request was sent, a close before the answer, a timeout, any 5xx). Requests are counted on the server.
 */
class WriteRetryTest {

    private WireMockServer wm;
    private RecordingsClient client;

    /** Generous attempts with short waits: a test that must see a retry never runs out of them. */
    private static final RetryPolicy POLICY = RetryPolicy.defaults().maxAttempts(4).baseDelay(Duration.ofMillis(5))
            .maxDelay(Duration.ofMillis(20));

    private void serve() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        client = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(TestData.PROJECT, TestData.TOKEN)
                .retryPolicy(POLICY)
                .build();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (wm != null) {
            wm.stop();
        }
    }

    private static void mayHaveReached(Throwable e) {
        assertThat(e).isInstanceOf(TransferException.class);
        TransferException transfer = (TransferException) e;
        assertThat(transfer.requestMayHaveReachedServer()).isTrue();
        assertThat(transfer.attempts()).isEqualTo(1);
        assertThat(e).isNotInstanceOf(ConnectFailedException.class).hasMessageStartingWith("POST ")
                .hasMessageNotContaining(TestData.TOKEN);
    }

    @Test
    void aResetAfterTheRequestWasSentIsNeverRetried() {
        serve();
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectErrorSatisfies(WriteRetryTest::mayHaveReached)
                .verify(Duration.ofSeconds(10));
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }

    @Test
    void aReadMeetingTheSameResetIsRetried() {
        serve();
        wm.stubFor(get(urlEqualTo(CONFERENCE_RECORDING)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        StepVerifier.create(client.fetchConferenceRecording(ACCOUNT, CONFERENCE, RECORDING))
                .expectErrorSatisfies(e -> assertThat(((TransferException) e).attempts()).isEqualTo(4))
                .verify(Duration.ofSeconds(10));
        wm.verify(4, getRequestedFor(urlEqualTo(CONFERENCE_RECORDING)));
    }

    @Test
    void aCloseBeforeTheAnswerIsNeverRetried() {
        serve();
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

        StepVerifier.create(client.updateRecording(ACCOUNT, RecordingOwner.call(CALL), RECORDING, UpdateRecording.Action.STOP))
                .expectErrorSatisfies(WriteRetryTest::mayHaveReached)
                .verify(Duration.ofSeconds(10));
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDING)));
    }

    @Test
    void aTimeoutWaitingForTheAnswerIsNeverRetried() {
        serve();
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(201, recording("in-progress", CALL, null))
                .withFixedDelay(3_000)));

        try (RecordingsClient impatient = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(TestData.PROJECT, TestData.TOKEN).retryPolicy(POLICY)
                .responseTimeout(Duration.ofMillis(300)).build()) {
            StepVerifier.create(impatient.startRecording(ACCOUNT, CALL))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(ResponseTimeoutException.class);
                        mayHaveReached(e);
                    })
                    .verify(Duration.ofSeconds(10));
        }
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }

    @Test
    void noServerErrorIsRetriedNotEvenA503() {
        serve();
        for (int status : new int[] {500, 502, 503, 504}) {
            wm.resetAll();
            wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(status,
                    "{\"code\": 0, \"message\": \"unavailable\", \"status\": " + status + "}")));

            StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ServerException.class,
                            s -> assertThat(s.attempts()).isEqualTo(1)))
                    .verify(Duration.ofSeconds(10));
            wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
        }
    }

    @Test
    void aTooManyRequestsWithRetryAfterIsRetriedAndTheSecondAnswerWins() {
        serve();
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(429, "{\"code\": 20429, \"message\": \"Too Many Requests\", \"status\": 429}")
                        .withHeader("Retry-After", "0"))
                .willSetStateTo("open"));
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).inScenario("limited").whenScenarioStateIs("open")
                .willReturn(json(201, recording("in-progress", CALL, null))));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .assertNext(r -> assertThat(r.sid()).isEqualTo(RECORDING))
                .verifyComplete();
        wm.verify(2, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }

    @Test
    void aTooManyRequestsWithoutRetryAfterIsNotRetried() {
        serve();
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(429,
                "{\"code\": 20429, \"message\": \"Too Many Requests\", \"status\": 429}")));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RateLimitedException.class,
                        r -> assertThat(r.attempts()).isEqualTo(1)))
                .verify(Duration.ofSeconds(10));
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }

    @Test
    void aRefusedConnectionIsRetriedAndTheErrorSaysNothingWasSent() throws IOException {
        int port = freePort();
        try (RecordingsClient refused = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + port))
                .credentials(TestData.PROJECT, TestData.TOKEN).retryPolicy(POLICY.maxAttempts(3)).build()) {
            StepVerifier.create(refused.startRecording(ACCOUNT, CALL))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(ConnectFailedException.class)
                                .hasMessageContaining("connection refused by 127.0.0.1:" + port)
                                .hasMessageContaining("after 3 attempts");
                        assertThat(((TransferException) e).requestMayHaveReachedServer()).isFalse();
                        assertThat(((TransferException) e).attempts()).isEqualTo(3);
                    })
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void aWriteRefusedUntilTheServerComesUpIsSentExactlyOnce() throws IOException, InterruptedException {
        int port = freePort();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Enough attempts to outlast the server's start-up even on a loaded machine (about 40 s in all).
        try (RecordingsClient early = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + port))
                .credentials(TestData.PROJECT, TestData.TOKEN).meterRegistry(registry)
                .retryPolicy(RetryPolicy.defaults().maxAttempts(200).baseDelay(Duration.ofMillis(50))
                        .maxDelay(Duration.ofMillis(400))).build()) {
            var result = early.startRecording(ACCOUNT, CALL).toFuture();
            // The first attempt was refused once the client counts a retry: only then does the server start.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (registry.counter("laml.recordings.requests.retried").count() < 1) {
                assertThat(System.nanoTime()).as("a retry within 20 s").isLessThan(deadline);
                assertThat(result).isNotDone();
                Thread.sleep(5);
            }
            wm = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
            wm.start();
            wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(201, recording("in-progress", CALL, null))));

            assertThat(Mono.fromFuture(result).block(Duration.ofSeconds(60)).sid()).isEqualTo(RECORDING);
            wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
            assertThat(registry.counter("laml.recordings.requests.retried").count()).isGreaterThanOrEqualTo(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
