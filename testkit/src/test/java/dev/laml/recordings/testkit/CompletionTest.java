package dev.laml.recordings.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recordings that complete later ({@code completesAfter}) and recordings that never have audio ("absent"). */
@Timeout(60)
class CompletionTest {

    private final TestClock clock = TestClock.at(Instant.parse("2024-05-01T10:00:00Z"));
    private final HttpClient client = Http.client();
    private RecordingsServer server;

    @BeforeEach
    void start() {
        server = RecordingsServer.builder().clock(clock).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void isInProgressWithoutMediaUntilTheDelayHasElapsedOnTheServersClock() {
        TestRecording r = server.addRecording(RecordingSpec.create().durationSeconds(7)
                .price(new java.math.BigDecimal("-0.0025")).completesAfter(Duration.ofSeconds(30)));
        assertThat(r.completesAt()).isEqualTo(Instant.parse("2024-05-01T10:00:30Z"));

        assertPending(r);
        clock.advance(Duration.ofMillis(29_999));
        assertPending(r);

        clock.advance(Duration.ofMillis(1));
        JsonNode json = fetchJson(r);
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("duration").isInt()).isTrue();
        assertThat(json.get("duration").asInt()).isEqualTo(7);
        assertThat(json.get("price").asText()).isEqualTo("-0.0025");
        assertThat(r.json()).isEqualTo(Http.text(Http.get(client, r.jsonUrl(), "Authorization", Http.basic(server))));
        for (Format format : Format.values()) {
            HttpResponse<byte[]> media = Http.get(client, r.url(format));
            assertThat(media.statusCode()).isEqualTo(200);
            assertThat(media.body()).isEqualTo(r.bytes(format));
        }
        assertThat(listed().get("recordings").get(0).get("status").asText()).isEqualTo("completed");
    }

    @Test
    void completesWithARealShortDelayOnTheSystemClock() throws InterruptedException {
        try (RecordingsServer real = RecordingsServer.start()) {
            TestRecording r = real.addRecording(RecordingSpec.create().completesAfter(Duration.ofMillis(300)));
            assertThat(Http.get(client, r.url(Format.WAV)).statusCode()).isEqualTo(404);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status;
            do {
                Thread.sleep(25);
                status = Http.get(client, r.url(Format.WAV)).statusCode();
            } while (status == 404 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);
            assertThat(Instant.now()).isAfterOrEqualTo(r.completesAt());
            assertThat(r.json()).contains("\"status\": \"completed\"");
        }
    }

    @Test
    void absentRecordingsCarryErrorCode13617AndNoMedia() {
        TestRecording r = server.addRecording(RecordingSpec.create().status("absent"));
        JsonNode json = fetchJson(r);
        assertThat(json.get("status").asText()).isEqualTo("absent");
        assertThat(json.get("error_code").isInt()).isTrue();
        assertThat(json.get("error_code").asInt()).isEqualTo(13617);
        assertThat(r.json()).contains("\"error_code\": 13617,");
        assertNoMedia(r);
        assertThat(listed().get("recordings").get(0).get("error_code").asInt()).isEqualTo(13617);

        // Other statuses are only rendered: media stays available, error_code stays null.
        TestRecording failed = server.addRecording(RecordingSpec.create().status("failed"));
        assertThat(fetchJson(failed).get("error_code").isNull()).isTrue();
        assertThat(Http.get(client, failed.url(Format.WAV)).statusCode()).isEqualTo(200);
    }

    @Test
    void anAbsentRecordingThatCompletesLaterIsInProgressThenAbsent() {
        TestRecording r = server.addRecording(RecordingSpec.create().status("absent")
                .completesAfter(Duration.ofMinutes(1)));
        assertThat(fetchJson(r).get("status").asText()).isEqualTo("in-progress");
        assertThat(fetchJson(r).get("error_code").isNull()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(fetchJson(r).get("status").asText()).isEqualTo("absent");
        assertNoMedia(r);
    }

    @Test
    void noDelayMeansCompleteAtOnceAndNegativeDelaysAreRejected() {
        TestRecording r = server.addRecording(RecordingSpec.create().completesAfter(Duration.ZERO));
        assertThat(r.completesAt()).isEqualTo(clock.instant());
        assertThat(fetchJson(r).get("status").asText()).isEqualTo("completed");
        assertThat(Http.get(client, r.url(Format.WAV)).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> RecordingSpec.create().completesAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingsServer.builder().clock(null)).isInstanceOf(NullPointerException.class);
    }

    private void assertPending(TestRecording r) {
        JsonNode json = fetchJson(r);
        assertThat(json.get("status").asText()).isEqualTo("in-progress");
        assertThat(json.get("duration").isTextual()).isTrue();
        assertThat(json.get("duration").asText()).isEqualTo("-1");
        assertThat(json.get("price").isNull()).isTrue();
        assertThat(json.get("sid").asText()).isEqualTo(r.sid());
        assertThat(r.json()).contains("\"duration\": \"-1\"");
        assertThat(ListTest.parse(r.json())).isEqualTo(json);
        assertNoMedia(r);
        JsonNode listedJson = listed().get("recordings").get(0);
        assertThat(listedJson).isEqualTo(json);
    }

    private void assertNoMedia(TestRecording r) {
        for (URI media : new URI[] {r.url(Format.WAV), r.url(Format.MP3),
                URI.create(r.url(Format.WAV).toString().replace(".wav", ""))}) {
            HttpResponse<byte[]> response = Http.get(client, media);
            assertThat(response.statusCode()).as(media.toString()).isEqualTo(404);
            assertThat(Http.text(response)).isEqualTo(ServingTest.NOT_FOUND_XML);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml");
        }
        HttpResponse<byte[]> head = Http.send(client, Http.request(r.url(Format.MP3))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(404);
    }

    private JsonNode fetchJson(TestRecording r) {
        HttpResponse<byte[]> response = Http.get(client, r.jsonUrl(), "Authorization", Http.basic(server));
        assertThat(response.statusCode()).isEqualTo(200);
        return ListTest.parse(Http.text(response));
    }

    private JsonNode listed() {
        URI list = server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid()
                + "/Recordings.json");
        HttpResponse<byte[]> response = Http.get(client, list, "Authorization", Http.basic(server));
        assertThat(response.statusCode()).isEqualTo(200);
        return ListTest.parse(Http.text(response));
    }
}
