package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.laml.recordings.testkit.LiveCallTest.form;
import static dev.laml.recordings.testkit.LiveCallTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The status callbacks of live recordings: sent to each recording's own {@code RecordingStatusCallback} for exactly the
 * events its {@code RecordingStatusCallbackEvent} asked for, signed as the builder's callbacks are (checked here with
 * {@code javax.crypto.Mac}, never with the testkit's signer). "Only those" is shown without waiting for something not
 * to happen: callbacks are numbered in the order the server decides to send them, so a callback that was not decided
 * leaves no gap.
 */
@Timeout(60)
class LiveCallbackTest {

    private static final String KEY = "PSK_live_signing_key";

    private final CallbackReceiver receiver = new CallbackReceiver();
    private final TestClock clock = TestClock.at(Instant.parse("2026-03-02T10:00:00Z"));
    private final RecordingsServer server = RecordingsServer.builder().clock(clock).signingKey(KEY)
            .statusCallbackRetryDelay(Duration.ofMillis(50)).start();
    private final HttpClient http = Http.client();

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    private String start(String callSid, String... nameValues) {
        HttpResponse<byte[]> started = LiveCallTest.post(http, server, Http.callRecordings(server, callSid), form(nameValues));
        assertThat(started.statusCode()).as(Http.text(started)).isEqualTo(200);
        return json(started).get("sid").asText();
    }

    private void update(String callSid, String sid, String... nameValues) {
        HttpResponse<byte[]> answer = LiveCallTest.post(http, server, Http.callRecording(server, callSid, sid), form(nameValues));
        assertThat(answer.statusCode()).as(Http.text(answer)).isEqualTo(200);
    }

    @Test
    void theEventsAskedForArriveSignedAtTheRecordingsOwnUrl() {
        String call = server.startCall();
        String sid = start(call, "RecordingStatusCallback", receiver.url().toString(),
                "RecordingStatusCallbackEvent", "in-progress completed");

        CallbackReceiver.Received first = receiver.take();
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/recordings/events?via=testkit");
        assertThat(first.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(first.form().keySet()).containsExactly("AccountSid", "CallSid", "RecordingSid", "RecordingUrl",
                "RecordingStatus", "RecordingChannels", "RecordingSource", "RecordingStartTime", "ErrorCode");
        assertThat(first.field("RecordingStatus")).isEqualTo("in-progress");
        assertThat(first.field("CallSid")).isEqualTo(call);
        assertThat(first.field("RecordingSid")).isEqualTo(sid);
        assertThat(first.field("RecordingSource")).isEqualTo("StartCallRecordingAPI");
        assertThat(first.field("RecordingStartTime")).isEqualTo("Mon, 02 Mar 2026 10:00:00 +0000");
        assertThat(first.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), first.form()));

        clock.advance(Duration.ofSeconds(6));
        update(call, sid, "Status", "stopped");

        CallbackReceiver.Received last = receiver.take();
        assertThat(last.field("RecordingStatus")).isEqualTo("completed");
        assertThat(last.field("RecordingDuration")).isEqualTo("6");
        assertThat(last.field("ErrorCode")).isEqualTo("0");
        assertThat(last.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), last.form()));
        // The URL it names serves the recording's audio.
        HttpResponse<byte[]> media = Http.get(http, URI.create(last.field("RecordingUrl")));
        assertThat(media.statusCode()).isEqualTo(200);
        assertThat(media.body()).hasSize(44 + 6 * 16_000);

        // Deliveries finish in the order their answers came, so sort them by when they were decided.
        List<CallbackDelivery> deliveries = new java.util.ArrayList<>(List.of(server.takeCallbackDelivery(),
                server.takeCallbackDelivery()));
        deliveries.sort(java.util.Comparator.comparingLong(CallbackDelivery::sequenceNumber));
        assertThat(deliveries).extracting(CallbackDelivery::sequenceNumber).containsExactly(0L, 1L);
        assertThat(deliveries).extracting(CallbackDelivery::status).containsExactly("in-progress", "completed");
        assertThat(deliveries).allMatch(d -> d.recordingSid().equals(sid) && d.delivered());
    }

    @Test
    void withoutAnEventListOnlyTheCompletionIsAnnounced() {
        String call = server.startCall();
        String sid = start(call, "RecordingStatusCallback", receiver.url().toString());
        clock.advance(Duration.ofSeconds(2));
        update(call, sid, "Status", "paused");
        update(call, sid, "Status", "in-progress");

        update(call, sid, "Status", "stopped");

        CallbackDelivery delivery = server.takeCallbackDelivery();
        // Number 0: no in-progress callback (nor any for the pause or the resume) was ever decided before it.
        assertThat(delivery.sequenceNumber()).isZero();
        assertThat(delivery.status()).isEqualTo("completed");
        assertThat(receiver.take().field("RecordingStatus")).isEqualTo("completed");
    }

    @Test
    void absentIsAnnouncedOnlyWhenAskedFor() {
        String call = server.startCall();
        String silentDefault = start(call, "RecordingStatusCallback", receiver.url().toString());
        update(call, silentDefault, "Status", "stopped"); // nothing recorded, "absent" not asked for: no callback
        String completedOnly = start(call, "RecordingStatusCallback", receiver.url().toString(),
                "RecordingStatusCallbackEvent", "completed");
        update(call, completedOnly, "Status", "stopped"); // absent, but only "completed" asked for: no callback
        String asked = start(call, "RecordingStatusCallback", receiver.url().toString(),
                "RecordingStatusCallbackEvent", "completed absent");

        update(call, asked, "Status", "stopped");

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.sequenceNumber()).isZero();
        assertThat(delivery.recordingSid()).isEqualTo(asked);
        assertThat(delivery.status()).isEqualTo("absent");
        assertThat(delivery.field("ErrorCode")).isEqualTo("13617");
        assertThat(delivery.field("RecordingDuration")).isEqualTo("0");
    }

    @Test
    void aGetCallbackCarriesTheFieldsInItsQueryAndIsSignedOverTheWholeUrl() {
        String call = server.startCall();
        String sid = start(call, "RecordingStatusCallback", receiver.url().toString(),
                "RecordingStatusCallbackMethod", "GET");
        clock.advance(Duration.ofSeconds(1));

        update(call, sid, "Status", "stopped");

        CallbackReceiver.Received got = receiver.take();
        assertThat(got.method()).isEqualTo("GET");
        assertThat(got.body()).isEmpty();
        assertThat(got.path()).startsWith("/recordings/events?via=testkit&AccountSid=").contains("RecordingSid=" + sid);
        String fullUrl = "http://127.0.0.1:" + receiver.url().getPort() + got.path();
        assertThat(got.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, fullUrl, Map.of()));
        assertThat(server.takeCallbackDelivery().field("RecordingStatus")).isEqualTo("completed");
    }

    @Test
    void callbackFaultsApplyToLiveRecordingsToo() {
        String call = server.startCall();
        server.enqueueCallbackFault(CallbackFault.WRONG_SIGNATURE);
        String sid = start(call, "RecordingStatusCallback", receiver.url().toString(),
                "RecordingStatusCallbackEvent", "in-progress");

        CallbackReceiver.Received got = receiver.take();

        assertThat(got.field("RecordingSid")).isEqualTo(sid);
        assertThat(got.signature()).isNotEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), got.form()));
        assertThat(server.takeCallbackDelivery().fault()).isEqualTo(CallbackFault.WRONG_SIGNATURE);
    }

    @Test
    void aConferenceRecordingStartedByTheTestAnnouncesItselfAsAskedWithTheConferenceSid() {
        String conference = server.startConference();
        String sid = server.startConferenceRecording(conference, receiver.url(), "in-progress completed");
        clock.advance(Duration.ofSeconds(3));

        server.endConference(conference);

        // Two deliveries in flight at once may arrive in either order: tell them apart by their status.
        List<CallbackReceiver.Received> both = List.of(receiver.take(), receiver.take());
        assertThat(both).extracting(r -> r.field("RecordingStatus")).containsExactlyInAnyOrder("in-progress", "completed");
        CallbackReceiver.Received started = both.stream()
                .filter(r -> r.field("RecordingStatus").equals("in-progress")).findFirst().orElseThrow();
        CallbackReceiver.Received completed = both.stream()
                .filter(r -> r.field("RecordingStatus").equals("completed")).findFirst().orElseThrow();
        assertThat(started.field("ConferenceSid")).isEqualTo(conference);
        assertThat(started.form()).doesNotContainKey("CallSid");
        assertThat(completed.field("RecordingStatus")).isEqualTo("completed");
        assertThat(completed.field("RecordingSid")).isEqualTo(sid);
        assertThat(completed.field("RecordingDuration")).isEqualTo("3");
        assertThat(completed.field("RecordingSource")).isEqualTo("Conference");
    }

    @Test
    void aServerWithoutASigningKeyStillSendsButItsCallbackMethodsSaySo() {
        try (RecordingsServer keyless = RecordingsServer.builder().clock(clock).start()) {
            String call = keyless.startCall();
            HttpResponse<byte[]> started = LiveCallTest.post(http, keyless, keyless.baseUrl().resolve(
                    "/api/laml/2010-04-01/Accounts/" + keyless.accountSid() + "/Calls/" + call + "/Recordings.json"),
                    form("RecordingStatusCallback", receiver.url().toString(), "RecordingStatusCallbackEvent",
                            "in-progress"));
            assertThat(started.statusCode()).isEqualTo(200);

            CallbackReceiver.Received got = receiver.take();
            assertThat(got.field("RecordingStatus")).isEqualTo("in-progress");
            assertThat(got.signature()).isNotEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), got.form()));
            assertThatThrownBy(keyless::takeCallbackDelivery).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("signingKey(key)");
        }
    }

    @Test
    void startConferenceRecordingRejectsWhatTheApiWould() {
        String conference = server.startConference();

        assertThatThrownBy(() -> server.startConferenceRecording(conference, URI.create("ftp://x/y"), "completed"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.startConferenceRecording(conference, receiver.url(), "done"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("done");
        assertThatThrownBy(() -> server.startConferenceRecording(server.startCall()))
                .isInstanceOf(IllegalArgumentException.class);
        server.endConference(conference);
        assertThatThrownBy(() -> server.startConferenceRecording(conference))
                .isInstanceOf(IllegalStateException.class);
    }
}
