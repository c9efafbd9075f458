package dev.laml.recordings.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A live call's recordings through the API, as SignalWire's compatibility API reference documents them
 * ({@code POST Calls/{CallSid}/Recordings.json}, {@code POST Calls/{CallSid}/Recordings/{Sid}.json}): what the start
 * and each update answer, what is recorded across pauses (on a {@link TestClock}, so lengths are exact and nothing
 * sleeps), and every error.
 */
@Timeout(60)
class LiveCallTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    /** WAV bytes a second: 8,000 16-bit samples a channel. */
    private static final int MONO_BYTES_PER_SECOND = 16_000;

    private final TestClock clock = TestClock.at(T0);
    private final RecordingsServer server = RecordingsServer.builder().clock(clock).start();
    private final HttpClient http = Http.client();

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static String form(String... nameValues) {
        return Stream.iterate(0, i -> i < nameValues.length, i -> i + 2)
                .map(i -> URLEncoder.encode(nameValues[i], StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(nameValues[i + 1], StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static HttpResponse<byte[]> post(HttpClient http, RecordingsServer server, URI uri, String form) {
        return Http.send(http, Http.request(uri, "Authorization", Http.basic(server),
                        "Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    private HttpResponse<byte[]> post(URI uri, String form) {
        return post(http, server, uri, form);
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a recording with these form fields and returns its sid, asserting the start was accepted. */
    private String start(String callSid, String... nameValues) {
        HttpResponse<byte[]> started = post(Http.callRecordings(server, callSid), form(nameValues));
        assertThat(started.statusCode()).as(Http.text(started)).isEqualTo(200);
        return json(started).get("sid").asText();
    }

    private JsonNode update(String callSid, String sid, String... nameValues) {
        HttpResponse<byte[]> updated = post(Http.callRecording(server, callSid, sid), form(nameValues));
        assertThat(updated.statusCode()).as(Http.text(updated)).isEqualTo(200);
        return json(updated);
    }

    /** The 16-bit little-endian samples of a mono WAV's data chunk. */
    private static short[] samples(byte[] wav) {
        ByteBuffer data = ByteBuffer.wrap(wav, 44, wav.length - 44).slice().order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[data.remaining() / 2];
        data.asShortBuffer().get(out);
        return out;
    }

    private static long nonZero(short[] samples, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n += samples[i] != 0 ? 1 : 0;
        }
        return n;
    }

    // -------------------------------------------------------------------------------------------------- tests

    @Test
    void startAnswersAnInProgressRecordingOfTheCallAsTheApiDoes() {
        String call = server.startCall();

        HttpResponse<byte[]> answer = post(Http.callRecordings(server, call), form("RecordingChannels", "dual",
                "RecordingTrack", "inbound", "Trim", "trim-silence"));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode r = json(answer);
        String sid = r.get("sid").asText();
        assertThat(UUID.fromString(sid).toString()).isEqualTo(sid);
        assertThat(r.get("account_sid").asText()).isEqualTo(server.accountSid());
        assertThat(r.get("api_version").asText()).isEqualTo("2010-04-01");
        assertThat(r.get("call_sid").asText()).isEqualTo(call);
        assertThat(r.get("conference_sid").isNull()).isTrue();
        assertThat(r.get("channels").asText()).isEqualTo("2");
        assertThat(r.get("channel").asText()).isEqualTo("2");
        assertThat(r.get("status").asText()).isEqualTo("in-progress");
        assertThat(r.get("source").asText()).isEqualTo("StartCallRecordingAPI");
        assertThat(r.get("date_created").asText()).isEqualTo("Mon, 02 Mar 2026 10:00:00 +0000");
        assertThat(r.get("start_time").asText()).isEqualTo("Mon, 02 Mar 2026 10:00:00 +0000");
        assertThat(r.get("end_time").isNull()).isTrue();
        assertThat(r.get("price").isNull()).isTrue();
        assertThat(r.get("trim").asText()).isEqualTo("trim-silence");
        assertThat(r.get("uri").asText())
                .isEqualTo("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/" + sid + ".json");
        assertThat(r.get("subresource_uris").get("transcriptions").asText())
                .isEqualTo("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/" + sid
                        + "/Transcriptions.json");
        // Not a finished recording yet: no audio, and not among the server's recordings until it stops.
        assertThat(server.recording(sid)).isNull();
    }

    @Test
    void aRecordingStillBeingMadeIsFetchedAtItsAccountPathWithoutMediaUntilItStops() {
        String call = server.startCall();
        String sid = start(call);
        URI json = server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/"
                + sid + ".json");
        URI wav = server.baseUrl().resolve(json.getPath().replace(".json", ".wav"));
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "paused");

        JsonNode paused = json(Http.get(http, json, "Authorization", Http.basic(server)));
        HttpResponse<byte[]> media = Http.get(http, wav);
        HttpResponse<byte[]> refusedDelete = Http.send(http, Http.request(json, "Authorization", Http.basic(server))
                .DELETE().build());

        assertThat(paused.get("status").asText()).isEqualTo("paused");
        assertThat(paused.get("call_sid").asText()).isEqualTo(call);
        assertThat(paused.get("duration").asText()).isEqualTo("-1");
        assertThat(Http.get(http, json).statusCode()).isEqualTo(401);
        assertThat(media.statusCode()).isEqualTo(404);
        assertThat(refusedDelete.statusCode()).isEqualTo(400);
        assertThat(json(refusedDelete).get("code").asInt()).isEqualTo(20009);

        update(call, sid, "Status", "stopped");

        JsonNode done = json(Http.get(http, json, "Authorization", Http.basic(server)));
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("duration").asInt()).isEqualTo(2);
        assertThat(Http.get(http, wav).statusCode()).isEqualTo(200);
        assertThat(Http.send(http, Http.request(json, "Authorization", Http.basic(server)).DELETE().build())
                .statusCode()).isEqualTo(204);
    }

    @Test
    void theRequestLogShowsTheFormFieldsSent() {
        String call = server.startCall();
        server.resetCounters();

        post(Http.callRecordings(server, call), "RecordingStatusCallback=" + URLEncoder.encode("https://example.com/cb?a=1&b=é",
                StandardCharsets.UTF_8) + "&RecordingStatusCallbackEvent=in-progress+completed&Trim=do-not-trim");

        RecordedRequest request = server.takeRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(Http.callRecordings(server, call).getPath());
        assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.body()).startsWith("RecordingStatusCallback=https%3A%2F%2Fexample.com");
        assertThat(request.formFields().keySet()).containsExactly("RecordingStatusCallback",
                "RecordingStatusCallbackEvent", "Trim");
        assertThat(request.formField("RecordingStatusCallback")).isEqualTo("https://example.com/cb?a=1&b=é");
        assertThat(request.formField("RecordingStatusCallbackEvent")).isEqualTo("in-progress completed");
        assertThat(request.formField("Status")).isNull();
        assertThat(request.toString()).doesNotContain("RecordingStatusCallback");
    }

    @Test
    void pauseWithSkipLeavesThePausedTimeOutOfTheRecording() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(3));
        assertThat(update(call, sid, "Status", "paused", "PauseBehavior", "skip").get("status").asText())
                .isEqualTo("paused");
        clock.advance(Duration.ofSeconds(2));
        assertThat(update(call, sid, "Status", "in-progress").get("status").asText()).isEqualTo("in-progress");
        clock.advance(Duration.ofSeconds(4));

        JsonNode stopped = update(call, sid, "Status", "stopped");

        assertThat(stopped.get("status").asText()).isEqualTo("stopped");
        assertThat(stopped.get("duration").asInt()).isEqualTo(7);
        assertThat(stopped.get("end_time").asText()).isEqualTo("Mon, 02 Mar 2026 10:00:09 +0000");
        TestRecording done = server.recording(sid);
        assertThat(done.durationSeconds()).isEqualTo(7);
        assertThat(done.size(Format.WAV)).isEqualTo(44 + 7L * MONO_BYTES_PER_SECOND);
        HttpResponse<byte[]> wav = Http.get(http, done.url(Format.WAV));
        assertThat(wav.statusCode()).isEqualTo(200);
        assertThat(wav.body()).hasSize(44 + 7 * MONO_BYTES_PER_SECOND);
        short[] samples = samples(wav.body());
        assertThat(nonZero(samples, 0, samples.length)).isGreaterThan(samples.length * 9L / 10);
        // The MP3 covers the same 7 s: 268 frames of 1,152 samples at 44.1 kHz.
        assertThat(done.size(Format.MP3)).isEqualTo(268L * 144 * 128_000 / 44_100);

        JsonNode fetched = json(Http.get(http, done.jsonUrl(), "Authorization", Http.basic(server)));
        assertThat(fetched.get("status").asText()).isEqualTo("completed");
        assertThat(fetched.get("duration").asInt()).isEqualTo(7);
        assertThat(fetched.get("call_sid").asText()).isEqualTo(call);
        assertThat(fetched.get("price").asText()).isEqualTo("-0.0025");
    }

    @Test
    void pauseWithSilenceRecordsThePausedTimeAsSilence() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(3));
        update(call, sid, "Status", "paused", "PauseBehavior", "silence");
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "in-progress");
        clock.advance(Duration.ofSeconds(4));

        assertThat(update(call, sid, "Status", "stopped").get("duration").asInt()).isEqualTo(9);

        byte[] wav = Http.get(http, server.recording(sid).url(Format.WAV)).body();
        assertThat(wav).hasSize(44 + 9 * MONO_BYTES_PER_SECOND);
        short[] samples = samples(wav);
        int second = 8000;
        assertThat(nonZero(samples, 3 * second, 5 * second)).isZero();
        assertThat(nonZero(samples, 0, 3 * second)).isGreaterThan(3L * second * 9 / 10);
        assertThat(nonZero(samples, 5 * second, 9 * second)).isGreaterThan(4L * second * 9 / 10);
    }

    @Test
    void aPauseWithoutPauseBehaviorIsSilenceAsDocumented() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(1));
        update(call, sid, "Status", "paused");
        clock.advance(Duration.ofSeconds(5));
        update(call, sid, "Status", "in-progress");
        clock.advance(Duration.ofSeconds(1));

        assertThat(update(call, sid, "Status", "stopped").get("duration").asInt()).isEqualTo(7);
    }

    @Test
    void pausingAPausedRecordingOrResumingARecordingOneChangesNothing() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "in-progress"); // already recording
        update(call, sid, "Status", "paused", "PauseBehavior", "skip");
        clock.advance(Duration.ofSeconds(3));
        // A second pause neither restarts the pause nor turns it into silence.
        assertThat(update(call, sid, "Status", "paused", "PauseBehavior", "silence").get("status").asText())
                .isEqualTo("paused");
        clock.advance(Duration.ofSeconds(3));

        assertThat(update(call, sid, "Status", "stopped").get("duration").asInt()).isEqualTo(2);
    }

    @Test
    void lengthsAreKeptToTheMillisecondAndTheDurationRoundsToTheNearestSecond() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofMillis(1250));
        update(call, sid, "Status", "paused", "PauseBehavior", "skip");
        clock.advance(Duration.ofMillis(700));
        update(call, sid, "Status", "in-progress");
        clock.advance(Duration.ofMillis(1000));

        assertThat(update(call, sid, "Status", "stopped").get("duration").asInt()).isEqualTo(2);
        // 2,250 ms of 8 kHz mono: 18,000 samples.
        assertThat(server.recording(sid).size(Format.WAV)).isEqualTo(44 + 18_000 * 2);
    }

    @Test
    void trimSilenceDropsTheSilenceAtEitherEndOnly() {
        String call = server.startCall();
        String sid = start(call, "Trim", "trim-silence");
        update(call, sid, "Status", "paused"); // silence from the start
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "in-progress");
        clock.advance(Duration.ofSeconds(1));
        update(call, sid, "Status", "paused");
        clock.advance(Duration.ofSeconds(1));
        update(call, sid, "Status", "in-progress");
        clock.advance(Duration.ofSeconds(1));
        update(call, sid, "Status", "paused");
        clock.advance(Duration.ofSeconds(4)); // trailing silence

        JsonNode stopped = update(call, sid, "Status", "stopped");

        assertThat(stopped.get("duration").asInt()).isEqualTo(3);
        assertThat(stopped.get("trim").asText()).isEqualTo("trim-silence");
        short[] samples = samples(server.recording(sid).bytes(Format.WAV));
        assertThat(samples).hasSize(3 * 8000);
        assertThat(nonZero(samples, 8000, 16000)).isZero();
    }

    @Test
    void aRecordingStoppedBeforeAnythingWasRecordedIsAbsentWithoutMedia() {
        String call = server.startCall();
        String sid = start(call);

        JsonNode stopped = update(call, sid, "Status", "stopped");

        assertThat(stopped.get("duration").asInt()).isZero();
        TestRecording done = server.recording(sid);
        assertThat(Http.get(http, done.url(Format.WAV)).statusCode()).isEqualTo(404);
        JsonNode fetched = json(Http.get(http, done.jsonUrl(), "Authorization", Http.basic(server)));
        assertThat(fetched.get("status").asText()).isEqualTo("absent");
        assertThat(fetched.get("error_code").asInt()).isEqualTo(13617);
    }

    @Test
    void aStoppedRecordingCannotBeStoppedPausedOrResumedAgain() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "stopped");

        for (String status : List.of("stopped", "paused", "in-progress")) {
            HttpResponse<byte[]> again = post(Http.callRecording(server, call, sid), form("Status", status));

            assertThat(again.statusCode()).isEqualTo(400);
            JsonNode error = json(again);
            assertThat(error.get("code").asInt()).isEqualTo(10000);
            assertThat(error.get("status").asInt()).isEqualTo(400);
            assertThat(error.get("message").asText()).contains(sid).contains("stopped");
            assertThat(error.get("more_info").asText()).startsWith("https://");
        }
        assertThat(server.recording(sid).durationSeconds()).isEqualTo(2);
    }

    @Test
    void unknownCallsRecordingsAndAccountsAre404() {
        String call = server.startCall();
        String other = server.startCall();
        String sid = start(call);
        String conference = server.startConference();
        String unknown = UUID.randomUUID().toString();

        List<URI> missing = List.of(
                Http.callRecordings(server, unknown),
                Http.callRecordings(server, conference), // a conference is not a call
                server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + UUID.randomUUID() + "/Calls/" + call
                        + "/Recordings.json"),
                Http.callRecording(server, call, unknown),
                Http.callRecording(server, other, sid)); // a recording of another call
        for (URI uri : missing) {
            HttpResponse<byte[]> answer = post(uri, form("Status", "paused"));

            assertThat(answer.statusCode()).as(uri.toString()).isEqualTo(404);
            assertThat(json(answer).get("code").asInt()).isEqualTo(20404);
        }
    }

    @Test
    void credentialsAreCheckedBeforeAnythingElse() {
        String call = server.startCall();
        String sid = start(call);

        for (String authorization : List.of(Http.basic(server.projectId(), "wrong"), "")) {
            HttpRequest.Builder request = HttpRequest.newBuilder(Http.callRecording(server, call, sid))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form("Status", "stopped")));
            if (!authorization.isEmpty()) {
                request.header("Authorization", authorization);
            }
            HttpResponse<byte[]> answer = Http.send(http, request.build());

            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(json(answer).get("code").asInt()).isEqualTo(20003);
        }
        // Even for a call that does not exist: a 404 would tell a stranger which sids are real.
        HttpResponse<byte[]> stranger = Http.send(http, HttpRequest.newBuilder(Http.callRecordings(server, UUID.randomUUID()
                .toString())).POST(HttpRequest.BodyPublishers.ofString("")).build());
        assertThat(stranger.statusCode()).isEqualTo(401);
        // Nothing was stopped.
        assertThat(server.recording(sid)).isNull();
    }

    @Test
    void badFieldValuesAre422WithSignalWiresErrorCodes() {
        String call = server.startCall();
        record Bad(String field, String value, int code) {
        }
        List<Bad> bad = List.of(
                new Bad("RecordingChannels", "stereo", 10000),
                new Bad("RecordingStatusCallback", "not a url", 21402),
                new Bad("RecordingStatusCallback", "ftp://example.com/x", 21402),
                new Bad("RecordingStatusCallbackEvent", "in-progress done", 13621),
                new Bad("RecordingStatusCallbackEvent", "in-progress,completed", 13621),
                new Bad("RecordingStatusCallbackMethod", "PUT", 21209),
                new Bad("RecordingTrack", "left", 10000),
                new Bad("Trim", "yes", 13699));
        for (Bad b : bad) {
            HttpResponse<byte[]> answer = post(Http.callRecordings(server, call), form(b.field(), b.value()));

            assertThat(answer.statusCode()).as(b.toString()).isEqualTo(422);
            JsonNode error = json(answer);
            assertThat(error.get("code").asInt()).as(b.toString()).isEqualTo(b.code());
            assertThat(error.get("status").asInt()).isEqualTo(422);
            assertThat(error.get("message").asText()).contains(b.field());
        }

        String sid = start(call);
        for (String[] update : List.of(new String[] {"Status", "recording"}, new String[] {"Status", ""},
                new String[] {"PauseBehavior", "skip"}, new String[] {"Status", "paused", "PauseBehavior", "mute"})) {
            HttpResponse<byte[]> answer = post(Http.callRecording(server, call, sid), form(update));

            assertThat(answer.statusCode()).as(String.join(" ", update)).isEqualTo(422);
            assertThat(json(answer).get("code").asInt()).isEqualTo(10000);
        }
        // A form the server cannot read as one is a form without fields: no Status.
        HttpResponse<byte[]> asJson = Http.send(http, Http.request(Http.callRecording(server, call, sid), "Authorization",
                Http.basic(server), "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"Status\": \"stopped\"}")).build());
        assertThat(asJson.statusCode()).isEqualTo(422);
        // None of them changed the recording.
        assertThat(update(call, sid, "Status", "in-progress").get("status").asText()).isEqualTo("in-progress");
    }

    @Test
    void otherMethodsAre405WithTheAllowedOnes() {
        String call = server.startCall();
        String sid = start(call);

        HttpResponse<byte[]> list = Http.get(http, Http.callRecordings(server, call), "Authorization", Http.basic(server));
        HttpResponse<byte[]> delete = Http.send(http, Http.request(Http.callRecording(server, call, sid), "Authorization",
                Http.basic(server)).DELETE().build());

        assertThat(list.statusCode()).isEqualTo(405);
        assertThat(list.headers().firstValue("Allow")).hasValue("POST");
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void endingACallStopsItsRecordingsAndRefusesNewOnes() {
        String call = server.startCall();
        String sid = start(call);
        clock.advance(Duration.ofSeconds(5));

        server.endCall(call);

        assertThat(server.recording(sid).durationSeconds()).isEqualTo(5);
        HttpResponse<byte[]> again = post(Http.callRecordings(server, call), "");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(json(again).get("code").asInt()).isEqualTo(21220);
        assertThat(post(Http.callRecording(server, call, sid), form("Status", "stopped")).statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> server.endCall(UUID.randomUUID().toString()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCallOnAnotherAccountIsReachedThroughThatAccountOnly() {
        String account = UUID.randomUUID().toString();
        String call = server.startCall(account);

        URI path = server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + account + "/Calls/" + call
                + "/Recordings.json");
        HttpResponse<byte[]> started = post(path, "");

        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(json(started).get("account_sid").asText()).isEqualTo(account);
        assertThat(post(Http.callRecordings(server, call), "").statusCode()).isEqualTo(404);
    }

    @Test
    void twoRecordingsOfOneCallAreControlledApart() {
        String call = server.startCall();
        String first = start(call);
        clock.advance(Duration.ofSeconds(1));
        String second = start(call, "RecordingChannels", "dual");
        clock.advance(Duration.ofSeconds(2));
        update(call, first, "Status", "stopped");
        clock.advance(Duration.ofSeconds(2));
        update(call, second, "Status", "stopped");

        assertThat(server.recording(first).durationSeconds()).isEqualTo(3);
        assertThat(server.recording(second).durationSeconds()).isEqualTo(4);
        assertThat(server.recording(second).channels()).isEqualTo(2);
        assertThat(server.recording(second).size(Format.WAV)).isEqualTo(44 + 4L * 2 * MONO_BYTES_PER_SECOND);
    }

    @Test
    void theTestClockOnlyMovesForward() {
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.advance(Duration.ofMillis(1500))).isEqualTo(T0.plusMillis(1500));
        assertThat(clock.instant()).isEqualTo(T0.plusMillis(1500));
    }
}
