package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.RetryPolicy;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;

/** Waiting for a recording to be ready right after a call, and watching a download progress. */
class ReadinessAndProgressTest extends AgainstWireMock {

    private static final String PATH = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING;
    private static final String SPEC = new String(TestData.fixture("recording-spec.json"), StandardCharsets.UTF_8);

    @Override
    RecordingsClient.Builder configure(RecordingsClient.Builder builder) {
        return builder.retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100)))
                .retryNotFoundFor(Duration.ofSeconds(5));
    }

    private void metadataSequence(String... bodies) {
        String state = Scenario.STARTED;
        for (int i = 0; i < bodies.length; i++) {
            String next = i + 1 < bodies.length ? "s" + (i + 1) : "s" + i;
            var response = bodies[i] == null
                    ? aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody(TestData.fixture("error-404.json"))
                    : aResponse().withHeader("Content-Type", "application/json").withBody(bodies[i]);
            wm.stubFor(get(urlEqualTo(PATH + ".json")).inScenario("ready").whenScenarioStateIs(state)
                    .willReturn(response).willSetStateTo(next));
            state = next;
        }
    }

    private static String withStatus(String status, String errorCode) {
        return SPEC.replace("\"status\": \"completed\"", "\"status\": \"" + status + "\"")
                .replace("\"error_code\": null", "\"error_code\": " + errorCode);
    }

    @Test
    void awaitCompletedPollsThroughNotFoundAndInProgressUntilCompleted() {
        metadataSequence(null, withStatus("in-progress", "null"), SPEC);

        Recording r = client.awaitCompleted(ACCOUNT, RECORDING, Duration.ofSeconds(20)).block(Duration.ofSeconds(20));

        assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
        wm.verify(3, getRequestedFor(urlEqualTo(PATH + ".json")));
    }

    @Test
    void anAbsentRecordingFailsAtOnceWithItsErrorCode() {
        metadataSequence(withStatus("absent", "13617"));

        StepVerifier.create(client.awaitCompleted(ACCOUNT, RECORDING, Duration.ofSeconds(20)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RecordingNotReadyException.class, nr -> {
                    assertThat(nr.isFinal()).isTrue();
                    assertThat(nr.code()).isEqualTo(13617);
                    assertThat(nr.lastStatus()).isEqualTo(RecordingStatus.ABSENT);
                }))
                .verify(Duration.ofSeconds(5));
        wm.verify(1, getRequestedFor(urlEqualTo(PATH + ".json")));
    }

    @Test
    void theDeadlineEndsTheWait() {
        metadataSequence(withStatus("in-progress", "null"));

        StepVerifier.create(client.awaitCompleted(ACCOUNT, RECORDING, Duration.ofMillis(1200)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RecordingNotReadyException.class, nr -> {
                    assertThat(nr.isFinal()).isFalse();
                    assertThat(nr.lastStatus()).isEqualTo(RecordingStatus.IN_PROGRESS);
                }))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void mediaThatIsNotThereYetIsRetriedWithinTheWindow() {
        byte[] audio = TestData.bytes(300_000, 5);
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).inScenario("media").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(404).withBody(TestData.fixture("error-404.xml"))).willSetStateTo("2"));
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).inScenario("media").whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(404).withBody(TestData.fixture("error-404.xml"))).willSetStateTo("3"));
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).inScenario("media").whenScenarioStateIs("3")
                .willReturn(aResponse().withHeader("Content-Type", "audio/mpeg").withBody(audio)));

        assertThat(TestData.sha256(client.download(ACCOUNT, RECORDING, AudioFormat.MP3).collectList()
                .block(Duration.ofSeconds(10)))).isEqualTo(TestData.sha256(audio));

        // Without the window a 404 is final.
        try (RecordingsClient strict = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port())).build()) {
            wm.stubFor(get(urlEqualTo(PATH + ".wav")).willReturn(aResponse().withStatus(404)));
            StepVerifier.create(strict.download(ACCOUNT, RECORDING, AudioFormat.WAV))
                    .expectError(NotFoundException.class).verify(Duration.ofSeconds(5));
            wm.verify(1, getRequestedFor(urlEqualTo(PATH + ".wav")));
        }
    }

    @Test
    void progressReportsBytesTotalAndRate() {
        byte[] audio = TestData.bytes(1 << 20, 6);
        wm.stubFor(get(urlEqualTo(PATH + ".wav")).willReturn(aResponse().withHeader("Content-Type", "audio/x-wav")
                .withHeader("Content-Length", String.valueOf(audio.length)).withBody(audio)));
        DownloadProgress progress = new DownloadProgress();

        StepVerifier.create(client.download(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.WAV).progress(progress)), 1)
                .expectNextCount(1)
                .then(() -> {
                    DownloadProgress.Snapshot mid = progress.snapshot();
                    assertThat(mid.totalBytes()).isEqualTo(audio.length);
                    assertThat(mid.bytesDone()).isPositive().isLessThan(audio.length);
                })
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> true)
                .verifyComplete();

        DownloadProgress.Snapshot end = progress.snapshot();
        assertThat(end.bytesDone()).isEqualTo(audio.length);
        assertThat(end.fraction()).isEqualTo(1.0);
        assertThat(end.bytesPerSecond()).isPositive();
    }
}
