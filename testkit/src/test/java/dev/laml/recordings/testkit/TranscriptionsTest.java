package dev.laml.recordings.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transcriptions: the account's list, a recording's list, fetch and delete, and when they appear. */
@Timeout(60)
class TranscriptionsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = Http.client();

    @Test
    void anAddedTranscriptionIsServedInTheSpecificationsShape() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording recording = server.addRecording(RecordingSpec.create().durationSeconds(61));
            TestTranscription t = server.addTranscription(recording.sid(), "Card number \"redacted\", thank you.");

            JsonNode json = json(get(server, one(server, t.sid()), true), 200);
            assertThat(json.get("sid").asText()).isEqualTo(t.sid());
            assertThat(json.get("account_sid").asText()).isEqualTo(server.accountSid());
            assertThat(json.get("api_version").asText()).isEqualTo("2010-04-01");
            assertThat(json.get("recording_sid").asText()).isEqualTo(recording.sid());
            assertThat(json.get("date_created").asText()).isEqualTo("Tue, 25 Sep 2018 23:00:00 +0000");
            assertThat(json.get("duration").asInt()).isEqualTo(61);
            assertThat(json.get("price").asText()).isEqualTo("-0.10");
            assertThat(json.get("price_unit").asText()).isEqualTo("USD");
            assertThat(json.get("status").asText()).isEqualTo("completed");
            assertThat(json.get("transcription_text").asText()).isEqualTo("Card number \"redacted\", thank you.");
            assertThat(json.get("type").asText()).isEmpty();
            assertThat(json.get("uri").asText()).isEqualTo(one(server, t.sid()).getPath());
            assertThat(server.transcription(t.sid())).isSameAs(t);
        }
    }

    @Test
    void theAccountListPagesNewestFirstWithTokens() {
        try (RecordingsServer server = RecordingsServer.start()) {
            List<String> expected = new ArrayList<>();
            for (int day = 1; day <= 5; day++) {
                OffsetDateTime created = OffsetDateTime.parse("2026-03-0" + day + "T10:00:00Z");
                TestRecording r = server.addRecording(RecordingSpec.create().dateCreated(created));
                expected.add(0, server.addTranscription(r.sid(), "day " + day).sid());
            }
            URI first = URI.create(list(server) + "?PageSize=2");
            List<String> seen = new ArrayList<>();
            URI next = first;
            int pages = 0;
            while (next != null) {
                JsonNode page = json(get(server, next, true), 200);
                page.get("transcriptions").forEach(t -> seen.add(t.get("sid").asText()));
                assertThat(page.get("page_size").asInt()).isEqualTo(2);
                next = page.get("next_page_uri").isNull() ? null : server.baseUrl().resolve(page.get("next_page_uri").asText());
                pages++;
            }
            assertThat(seen).containsExactlyElementsOf(expected);
            assertThat(pages).isEqualTo(3);
        }
    }

    @Test
    void theAccountListFiltersByDateCreated() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording march = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-01T10:00:00Z")));
            TestRecording april = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-04-01T10:00:00Z")));
            server.addTranscription(march.sid(), "march");
            TestTranscription later = server.addTranscription(april.sid(), "april");

            JsonNode page = json(get(server, URI.create(list(server)
                    + "?DateCreated%3E=Sun%2C%2015%20Mar%202026%2000%3A00%3A00%20%2B0000"), true), 200);
            assertThat(page.get("transcriptions")).hasSize(1);
            assertThat(page.get("transcriptions").get(0).get("sid").asText()).isEqualTo(later.sid());
        }
    }

    @Test
    void aRecordingsListHoldsOnlyItsTranscriptionsAndAnUnknownRecordingIs404() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording a = server.addRecording();
            TestRecording b = server.addRecording();
            TestTranscription ofA = server.addTranscription(a.sid(), "a");
            server.addTranscription(b.sid(), "b");

            JsonNode page = json(get(server, ofRecording(server, a.sid()), true), 200);
            assertThat(page.get("transcriptions")).hasSize(1);
            assertThat(page.get("transcriptions").get(0).get("sid").asText()).isEqualTo(ofA.sid());
            assertThat(get(server, ofRecording(server, "00000000-0000-4000-8000-000000000000"), true).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void deleteAnswers204ThenTheTranscriptionIsGone() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording r = server.addRecording();
            TestTranscription t = server.addTranscription(r.sid(), "gone soon");

            assertThat(Http.send(client, Http.request(one(server, t.sid()), "Authorization", Http.basic(server))
                    .DELETE().build()).statusCode()).isEqualTo(204);
            assertThat(get(server, one(server, t.sid()), true).statusCode()).isEqualTo(404);
            assertThat(json(get(server, list(server), true), 200).get("transcriptions")).isEmpty();
            assertThat(server.transcription(t.sid())).isNull();
            assertThat(Http.send(client, Http.request(one(server, t.sid()), "Authorization", Http.basic(server))
                    .DELETE().build()).statusCode()).isEqualTo(404);
            HttpResponse<byte[]> onList = Http.send(client, Http.request(list(server), "Authorization",
                    Http.basic(server)).DELETE().build());
            assertThat(onList.statusCode()).isEqualTo(405);
            assertThat(onList.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void everyTranscriptionResourceWantsCredentialsBeforeExistence() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording r = server.addRecording();
            TestTranscription t = server.addTranscription(r.sid(), "secret");

            for (URI uri : List.of(one(server, t.sid()), one(server, "00000000-0000-4000-8000-000000000000"),
                    list(server), ofRecording(server, r.sid()))) {
                HttpResponse<byte[]> denied = get(server, uri, false);
                assertThat(denied.statusCode()).isEqualTo(401);
                assertThat(Http.text(denied)).doesNotContain("secret");
            }
        }
    }

    @Test
    void aTranscriptionOfARecordingStillInProgressAppearsWhenItCompletes() {
        TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
        try (RecordingsServer server = RecordingsServer.builder().clock(clock).start()) {
            TestRecording r = server.addRecording(RecordingSpec.create().completesAfter(Duration.ofSeconds(30)));
            TestTranscription t = server.addTranscription(r.sid(), "later");

            assertThat(get(server, one(server, t.sid()), true).statusCode()).isEqualTo(404);
            assertThat(json(get(server, list(server), true), 200).get("transcriptions")).isEmpty();
            clock.advance(Duration.ofSeconds(30));
            JsonNode json = json(get(server, one(server, t.sid()), true), 200);
            assertThat(json.get("date_created").asText()).isEqualTo("Sun, 01 Mar 2026 10:00:30 +0000");
            assertThat(t.availableAt()).isEqualTo(Instant.parse("2026-03-01T10:00:30Z"));
        }
    }

    @Test
    void theTranscribeOptionTranscribesEveryRecordingButAnAbsentOne() {
        try (RecordingsServer server = RecordingsServer.builder().transcribeRecordings(true).start()) {
            TestRecording r = server.addRecording(RecordingSpec.create().durationSeconds(7));
            server.addRecording(RecordingSpec.create().status("absent"));

            assertThat(server.transcriptions()).hasSize(1);
            TestTranscription t = server.transcriptions().get(0);
            assertThat(t.recordingSid()).isEqualTo(r.sid());
            assertThat(t.text()).isEqualTo("Synthetic transcript of recording " + r.sid() + ", 7 seconds of test audio.");
            assertThat(json(get(server, ofRecording(server, r.sid()), true), 200).get("transcriptions")).hasSize(1);
        }
        try (RecordingsServer server = RecordingsServer.start()) {
            server.addRecording();
            assertThat(server.transcriptions()).isEmpty();
        }
    }

    @Test
    void aTranscriptionNeedsAnAddedRecording() {
        try (RecordingsServer server = RecordingsServer.start()) {
            assertThatThrownBy(() -> server.addTranscription("00000000-0000-4000-8000-000000000000", "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no recording");
        }
    }

    @Test
    void queuedFaultsApplyToTranscriptionRequestsToo() {
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording r = server.addRecording();
            TestTranscription t = server.addTranscription(r.sid(), "x");
            server.enqueueFault(Fault.serverError(503));

            assertThat(get(server, one(server, t.sid()), true).statusCode()).isEqualTo(503);
            assertThat(get(server, one(server, t.sid()), true).statusCode()).isEqualTo(200);
            assertThat(server.takeRequest().path()).isEqualTo(one(server, t.sid()).getPath());
        }
    }

    @Test
    void withStatusCallbacksATranscriptionIsAnnouncedSignedBesideItsRecording() throws Exception {
        String key = "PSK_testkit_signing_key";
        try (CallbackReceiver receiver = new CallbackReceiver();
             RecordingsServer server = RecordingsServer.builder().statusCallback(receiver.url(), key)
                     .transcribeRecordings(true).start()) {
            TestRecording r = server.addRecording();
            // Two deliveries in flight at once: they may arrive in either order.
            CallbackReceiver.Received first = receiver.take();
            CallbackReceiver.Received second = receiver.take();
            CallbackReceiver.Received transcription = first.field("TranscriptionSid") != null ? first : second;
            CallbackReceiver.Received recording = transcription == first ? second : first;

            assertThat(recording.field("RecordingStatus")).isEqualTo("completed");
            TestTranscription t = server.transcriptions().get(0);
            java.util.Map<String, List<String>> form = transcription.form();
            assertThat(form.keySet()).containsExactly("AccountSid", "CallSid", "TranscriptionSid", "TranscriptionText",
                    "TranscriptionStatus", "TranscriptionUrl", "RecordingSid", "RecordingUrl");
            assertThat(transcription.field("TranscriptionSid")).isEqualTo(t.sid());
            assertThat(transcription.field("TranscriptionText")).isEqualTo(t.text());
            assertThat(transcription.field("TranscriptionStatus")).isEqualTo("completed");
            assertThat(transcription.field("TranscriptionUrl")).isEqualTo(one(server, t.sid()).toString()
                    .replace(".json", ""));
            assertThat(transcription.field("RecordingSid")).isEqualTo(r.sid());
            assertThat(transcription.field("RecordingUrl")).isEqualTo(recording.field("RecordingUrl"));
            assertThat(transcription.signature()).isEqualTo(CallbackReceiver.expectedSignature(key, receiver.url().toString(), form));

            server.sendTranscriptionCallback(t.sid());
            assertThat(receiver.take().field("TranscriptionSid")).isEqualTo(t.sid());
            assertThatThrownBy(() -> server.sendTranscriptionCallback("00000000-0000-4000-8000-000000000000"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (RecordingsServer plain = RecordingsServer.start()) {
            TestTranscription t = plain.addTranscription(plain.addRecording().sid(), "x");
            assertThatThrownBy(() -> plain.sendTranscriptionCallback(t.sid())).isInstanceOf(IllegalStateException.class);
        }
    }

    private static URI list(RecordingsServer server) {
        return server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Transcriptions.json");
    }

    private static URI one(RecordingsServer server, String sid) {
        return server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Transcriptions/"
                + sid + ".json");
    }

    private static URI ofRecording(RecordingsServer server, String recordingSid) {
        return server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/"
                + recordingSid + "/Transcriptions.json");
    }

    private HttpResponse<byte[]> get(RecordingsServer server, URI uri, boolean auth) {
        HttpRequest.Builder request = auth ? Http.request(uri, "Authorization", Http.basic(server)) : Http.request(uri);
        return Http.send(client, request.GET().build());
    }

    private static JsonNode json(HttpResponse<byte[]> response, int status) {
        assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
