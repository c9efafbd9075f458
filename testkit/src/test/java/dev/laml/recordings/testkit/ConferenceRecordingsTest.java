package dev.laml.recordings.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.laml.recordings.testkit.LiveCallTest.form;
import static dev.laml.recordings.testkit.LiveCallTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A conference's recordings through the API ({@code Conferences/{ConferenceSid}/Recordings.json} and
 * {@code .../Recordings/{Sid}.json}): the list, a recording's JSON while live and once stopped, pause, resume, stop,
 * delete, and their errors, including the list-of-messages body the API documents for a conference recording's 422.
 */
@Timeout(60)
class ConferenceRecordingsTest {

    private final TestClock clock = TestClock.at(Instant.parse("2026-03-02T10:00:00Z"));
    private final RecordingsServer server = RecordingsServer.builder().clock(clock).start();
    private final HttpClient http = Http.client();

    @AfterEach
    void stop() {
        server.close();
    }

    private String base(String conferenceSid) {
        return "/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Conferences/" + conferenceSid + "/Recordings";
    }

    private URI list(String conferenceSid, String query) {
        return server.baseUrl().resolve(base(conferenceSid) + ".json" + query);
    }

    private URI recording(String conferenceSid, String sid) {
        return server.baseUrl().resolve(base(conferenceSid) + "/" + sid + ".json");
    }

    private HttpResponse<byte[]> get(URI uri) {
        return Http.get(http, uri, "Authorization", Http.basic(server));
    }

    private HttpResponse<byte[]> delete(URI uri) {
        return Http.send(http, Http.request(uri, "Authorization", Http.basic(server)).DELETE().build());
    }

    private JsonNode update(String conferenceSid, String sid, String... nameValues) {
        HttpResponse<byte[]> answer = LiveCallTest.post(http, server, recording(conferenceSid, sid), form(nameValues));
        assertThat(answer.statusCode()).as(Http.text(answer)).isEqualTo(200);
        return json(answer);
    }

    @Test
    void aLiveConferenceRecordingIsFetchedPausedResumedAndStoppedThroughItsConferencePath() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);

        JsonNode live = json(get(recording(conference, sid)));
        assertThat(live.get("status").asText()).isEqualTo("in-progress");
        assertThat(live.get("conference_sid").asText()).isEqualTo(conference);
        assertThat(live.get("call_sid").isNull()).isTrue();
        assertThat(live.get("source").asText()).isEqualTo("Conference");
        assertThat(live.get("uri").asText()).isEqualTo(base(conference) + "/" + sid + ".json");

        clock.advance(Duration.ofSeconds(4));
        assertThat(update(conference, sid, "Status", "paused", "PauseBehavior", "skip").get("status").asText())
                .isEqualTo("paused");
        assertThat(json(get(recording(conference, sid))).get("status").asText()).isEqualTo("paused");
        clock.advance(Duration.ofSeconds(10));
        update(conference, sid, "Status", "in-progress");
        clock.advance(Duration.ofSeconds(1));
        JsonNode stopped = update(conference, sid, "Status", "stopped");

        assertThat(stopped.get("status").asText()).isEqualTo("stopped");
        assertThat(stopped.get("duration").asInt()).isEqualTo(5);
        JsonNode done = json(get(recording(conference, sid)));
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("duration").asInt()).isEqualTo(5);
        assertThat(done.get("uri").asText()).isEqualTo(base(conference) + "/" + sid + ".json");
        TestRecording served = server.recording(sid);
        assertThat(served.size(Format.WAV)).isEqualTo(44 + 5 * 16_000);
        assertThat(Http.get(http, served.url(Format.MP3)).statusCode()).isEqualTo(200);
        // The account-wide list finds it by its conference, as any recording.
        JsonNode accountList = json(get(server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/"
                + server.accountSid() + "/Recordings.json?ConferenceSid=" + conference)));
        assertThat(accountList.get("recordings")).extracting(r -> r.get("sid").asText()).containsExactly(sid);
    }

    @Test
    void theListHoldsTheConferencesRecordingsOnlyNewestFirstPageByPage() {
        String conference = server.startConference();
        String other = server.startConference();
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sids.add(server.startConferenceRecording(conference));
            clock.advance(Duration.ofSeconds(2));
        }
        server.startConferenceRecording(other);
        update(conference, sids.get(0), "Status", "stopped");

        JsonNode first = json(get(list(conference, "?PageSize=2")));

        assertThat(first.get("recordings")).extracting(r -> r.get("sid").asText())
                .containsExactly(sids.get(2), sids.get(1));
        assertThat(first.get("recordings")).extracting(r -> r.get("status").asText())
                .containsExactly("in-progress", "in-progress");
        assertThat(first.get("page").asInt()).isZero();
        assertThat(first.get("page_size").asInt()).isEqualTo(2);
        assertThat(first.get("uri").asText()).startsWith(base(conference) + "?Page=0&PageSize=2");
        assertThat(first.get("first_page_uri").asText()).isEqualTo(base(conference) + "?Page=0&PageSize=2");
        assertThat(first.get("previous_page_uri").isNull()).isTrue();
        String next = first.get("next_page_uri").asText();

        JsonNode second = json(get(server.baseUrl().resolve(next)));
        assertThat(second.get("recordings")).extracting(r -> r.get("sid").asText()).containsExactly(sids.get(0));
        assertThat(second.get("recordings").get(0).get("status").asText()).isEqualTo("completed");
        assertThat(second.get("next_page_uri").isNull()).isTrue();
        assertThat(second.get("previous_page_uri").asText()).isEqualTo(base(conference) + "?Page=0&PageSize=2");

        JsonNode empty = json(get(list(server.startConference(), "")));
        assertThat(empty.get("recordings")).isEmpty();
        assertThat(get(list(conference, "?PageSize=1001")).statusCode()).isEqualTo(400);
    }

    @Test
    void aStoppedRecordingIsDeletedOnceAndAnInProgressOneNotAtAll() {
        String conference = server.startConference();
        String live = server.startConferenceRecording(conference);
        String done = server.startConferenceRecording(conference);
        clock.advance(Duration.ofSeconds(1));
        update(conference, done, "Status", "stopped");

        HttpResponse<byte[]> refused = delete(recording(conference, live));
        HttpResponse<byte[]> deleted = delete(recording(conference, done));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).get("code").asInt()).isEqualTo(20009);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(delete(recording(conference, done)).statusCode()).isEqualTo(404);
        assertThat(get(recording(conference, done)).statusCode()).isEqualTo(404);
        assertThat(server.recording(done)).isNull();
        assertThat(json(get(list(conference, ""))).get("recordings")).extracting(r -> r.get("sid").asText())
                .containsExactly(live);
    }

    @Test
    void aRecordingDeletedThroughTheAccountPathIsGoneFromItsConferenceToo() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);
        clock.advance(Duration.ofSeconds(1));
        update(conference, sid, "Status", "stopped");

        assertThat(delete(server.recording(sid).jsonUrl()).statusCode()).isEqualTo(204);

        assertThat(get(recording(conference, sid)).statusCode()).isEqualTo(404);
        assertThat(json(get(list(conference, ""))).get("recordings")).isEmpty();
    }

    @Test
    void badValuesAre422WithTheListOfMessagesTheApiDocumentsForConferences() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);

        HttpResponse<byte[]> answer = LiveCallTest.post(http, server, recording(conference, sid),
                form("Status", "paused", "PauseBehavior", "mute"));

        assertThat(answer.statusCode()).isEqualTo(422);
        JsonNode body = json(answer);
        assertThat(body.fieldNames()).toIterable().containsExactly("errors");
        assertThat(body.get("errors")).hasSize(1);
        assertThat(body.get("errors").get(0).asText()).contains("PauseBehavior").contains("mute");
    }

    @Test
    void unknownConferencesAndRecordingsAre404AndStoppingTwiceIs400() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);
        String call = server.startCall();

        assertThat(get(list(UUID.randomUUID().toString(), "")).statusCode()).isEqualTo(404);
        assertThat(get(list(call, "")).statusCode()).isEqualTo(404);
        assertThat(get(recording(conference, UUID.randomUUID().toString())).statusCode()).isEqualTo(404);
        assertThat(get(recording(server.startConference(), sid)).statusCode()).isEqualTo(404);

        clock.advance(Duration.ofSeconds(1));
        update(conference, sid, "Status", "stopped");
        HttpResponse<byte[]> again = LiveCallTest.post(http, server, recording(conference, sid),
                form("Status", "stopped"));
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(json(again).get("code").asInt()).isEqualTo(10000);
    }

    @Test
    void credentialsAreRequiredAndOnlyTheDocumentedMethodsAnswer() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);

        assertThat(Http.get(http, list(conference, "")).statusCode()).isEqualTo(401);
        assertThat(Http.get(http, recording(conference, sid)).statusCode()).isEqualTo(401);
        HttpResponse<byte[]> postToList = LiveCallTest.post(http, server, list(conference, ""), "");
        assertThat(postToList.statusCode()).isEqualTo(405);
        assertThat(postToList.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void endingAConferenceStopsItsRecordings() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference);
        clock.advance(Duration.ofSeconds(3));
        update(conference, sid, "Status", "paused", "PauseBehavior", "silence");
        clock.advance(Duration.ofSeconds(2));

        server.endConference(conference);

        assertThat(json(get(recording(conference, sid))).get("status").asText()).isEqualTo("completed");
        assertThat(server.recording(sid).durationSeconds()).isEqualTo(5);
    }
}
