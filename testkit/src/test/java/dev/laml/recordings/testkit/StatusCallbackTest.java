package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The status callbacks the server POSTs: what they carry, how they are signed (checked here with
 * {@code javax.crypto.Mac} from the recipe, never with the testkit's own signer), when they are sent, how failed
 * deliveries are retried, and each {@link CallbackFault}.
 */
@Timeout(60)
class StatusCallbackTest {

    private static final String KEY = "PSK_testkit_signing_key";
    private static final Pattern RFC_2822 = Pattern.compile("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000");

    private final CallbackReceiver receiver = new CallbackReceiver();
    private final TestClock clock = TestClock.at(Instant.parse("2024-05-01T10:00:00Z"));
    private RecordingsServer server;

    private RecordingsServer.Builder builder() {
        return RecordingsServer.builder().clock(clock).statusCallback(receiver.url(), KEY)
                .statusCallbackRetryDelay(Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        receiver.close();
    }

    @Test
    void aRecordingCompleteWhenAddedIsAnnouncedWithASignedFormAsSignalWireSendsIt() throws Exception {
        server = builder().start();
        TestRecording r = server.addRecording(RecordingSpec.create().durationSeconds(7).channels(2).source("DialVerb"));

        CallbackReceiver.Received got = receiver.take();
        assertThat(got.method()).isEqualTo("POST");
        assertThat(got.path()).isEqualTo("/recordings/events?via=testkit");
        assertThat(got.contentType()).isEqualTo("application/x-www-form-urlencoded");
        Map<String, List<String>> form = got.form();
        assertThat(form.keySet()).containsExactly("AccountSid", "CallSid", "RecordingSid", "RecordingUrl",
                "RecordingStatus", "RecordingDuration", "RecordingChannels", "RecordingSource", "RecordingStartTime",
                "ErrorCode");
        assertThat(got.field("AccountSid")).isEqualTo(server.accountSid());
        assertThat(got.field("RecordingSid")).isEqualTo(r.sid());
        assertThat(got.field("RecordingStatus")).isEqualTo("completed");
        assertThat(got.field("RecordingDuration")).isEqualTo("7");
        assertThat(got.field("RecordingChannels")).isEqualTo("2");
        assertThat(got.field("RecordingSource")).isEqualTo("DialVerb");
        assertThat(got.field("RecordingStartTime")).matches(RFC_2822).isEqualTo("Tue, 25 Sep 2018 22:59:53 +0000");
        assertThat(got.field("ErrorCode")).isEqualTo("0");
        assertThat(got.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), form));

        // The RecordingUrl is this server's extension-less media URL, which serves the WAV.
        URI media = URI.create(got.field("RecordingUrl"));
        assertThat(media).isEqualTo(server.baseUrl().resolve(r.url(Format.WAV).getPath().replace(".wav", "")));
        HttpResponse<byte[]> audio = Http.client().send(Http.request(media).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(audio.statusCode()).isEqualTo(200);
        assertThat(audio.body()).isEqualTo(r.bytes(Format.WAV));

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.recordingSid()).isEqualTo(r.sid());
        assertThat(delivery.status()).isEqualTo("completed");
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.DELIVERED);
        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.attemptStatuses()).containsExactly(204);
        assertThat(delivery.fault()).isNull();
        assertThat(delivery.failure()).isNull();
        assertThat(delivery.body()).isEqualTo(got.body());
        assertThat(delivery.signature()).isEqualTo(got.signature());
        assertThat(delivery.fields()).isEqualTo(form);
        assertThat(delivery.url()).isEqualTo(receiver.url());
    }

    @Test
    void aDelayedRecordingIsAnnouncedInProgressThenCompletedWhenTheServersClockReachesIt() {
        server = builder().start();
        TestRecording r = server.addRecording(RecordingSpec.create().seed(1).durationSeconds(3)
                .completesAfter(Duration.ofSeconds(30)));
        CallbackReceiver.Received first = receiver.take();
        assertThat(first.field("RecordingStatus")).isEqualTo("in-progress");
        assertThat(first.form()).doesNotContainKey("RecordingDuration");
        assertThat(first.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), first.form()));
        assertThat(server.takeCallbackDelivery().status()).isEqualTo("in-progress");
        TestRecording earlier = server.addRecording(RecordingSpec.create().seed(2).completesAfter(Duration.ofSeconds(29)));
        assertThat(receiver.take().field("RecordingStatus")).isEqualTo("in-progress");
        assertThat(server.takeCallbackDelivery().sequenceNumber()).isEqualTo(1);

        // At 29 s the earlier one completes; the same pass over the pending recordings leaves r alone. Sequence
        // numbers are given as callbacks are decided, so the marker's number proves no other was decided meanwhile.
        clock.advance(Duration.ofSeconds(29));
        CallbackDelivery earlierCompleted = server.takeCallbackDelivery();
        assertThat(earlierCompleted.recordingSid()).isEqualTo(earlier.sid());
        assertThat(earlierCompleted.status()).isEqualTo("completed");
        assertThat(earlierCompleted.sequenceNumber()).isEqualTo(2);
        TestRecording marker = server.addRecording(RecordingSpec.create().seed(3));
        assertThat(server.takeCallbackDelivery().sequenceNumber()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(1));
        CallbackDelivery completed = server.takeCallbackDelivery();
        assertThat(completed.recordingSid()).isEqualTo(r.sid());
        assertThat(completed.status()).isEqualTo("completed");
        assertThat(completed.field("RecordingDuration")).isEqualTo("3");
        assertThat(completed.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(),
                completed.fields()));
        assertThat(receiver.take().field("RecordingSid")).isEqualTo(earlier.sid());
        assertThat(receiver.take().field("RecordingSid")).isEqualTo(marker.sid());
        assertThat(receiver.take().field("RecordingSid")).isEqualTo(r.sid());
    }

    @Test
    void aRecordingRemovedBeforeItCompletesIsNotAnnouncedAsCompleted() {
        server = builder().start();
        TestRecording removed = server.addRecording(RecordingSpec.create().seed(1).completesAfter(Duration.ofSeconds(10)));
        TestRecording kept = server.addRecording(RecordingSpec.create().seed(2).completesAfter(Duration.ofSeconds(10)));
        server.takeCallbackDelivery();
        server.takeCallbackDelivery();
        server.removeRecording(removed.sid());

        clock.advance(Duration.ofSeconds(10));
        CallbackDelivery completed = server.takeCallbackDelivery();
        assertThat(completed.recordingSid()).isEqualTo(kept.sid());
        // The pass that completed `kept` also met `removed`; had it sent anything, the marker would be number 4.
        server.addRecording(RecordingSpec.create().seed(3));
        assertThat(server.takeCallbackDelivery().sequenceNumber()).isEqualTo(3);
        assertThat(server.callbackDeliveries()).isEmpty();
    }

    @Test
    void anAbsentRecordingIsAnnouncedAbsentWithItsErrorCode() {
        server = builder().start();
        server.addRecording(RecordingSpec.create().status("absent"));

        CallbackReceiver.Received got = receiver.take();
        assertThat(got.field("RecordingStatus")).isEqualTo("absent");
        assertThat(got.field("ErrorCode")).isEqualTo("13617");
    }

    @Test
    void aConferenceRecordingCarriesItsConferenceSidAndNoCallSid() {
        server = builder().start();
        String conference = "11111111-2222-4333-8444-555555555555";
        server.addRecording(RecordingSpec.create().callSid(null).conferenceSid(conference));

        Map<String, List<String>> form = receiver.take().form();
        assertThat(form).doesNotContainKey("CallSid");
        assertThat(form.get("ConferenceSid")).containsExactly(conference);
    }

    @Test
    void aFailedDeliveryIsRetriedTwiceAndThenRecordedAsFailed() {
        server = builder().start();
        receiver.answer(500, 502, 503);
        server.addRecording();

        CallbackReceiver.Received a = receiver.take();
        CallbackReceiver.Received b = receiver.take();
        CallbackReceiver.Received c = receiver.take();
        assertThat(List.of(b.body(), c.body())).containsOnly(a.body());
        assertThat(List.of(b.signature(), c.signature())).containsOnly(a.signature());

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.FAILED);
        assertThat(delivery.attemptStatuses()).containsExactly(500, 502, 503);
        assertThat(delivery.failure()).isEqualTo("answered 503");
        assertThat(receiver.pending()).isEmpty();
    }

    @Test
    void aDeliveryAnsweredOnItsSecondAttemptIsDelivered() {
        server = builder().start();
        receiver.answer(503);
        server.addRecording();

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.DELIVERED);
        assertThat(delivery.attemptStatuses()).containsExactly(503, 204);
        assertThat(receiver.take().body()).isEqualTo(receiver.take().body());
    }

    @Test
    void anUnreachableReceiverIsTriedThreeTimesAndTheFailureIsSaidInWords() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        server = RecordingsServer.builder()
                .statusCallback(URI.create("http://127.0.0.1:" + closedPort + "/cb"), KEY)
                .statusCallbackRetryDelay(Duration.ofMillis(10)).start();
        server.addRecording();

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.FAILED);
        assertThat(delivery.attemptStatuses()).containsExactly(0, 0, 0);
        assertThat(delivery.failure()).isEqualTo("could not connect to 127.0.0.1:" + closedPort + " (connection refused)");
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeCountsAsAFailedAttempt() {
        server = builder().statusCallbackTimeout(Duration.ofMillis(300)).start();
        receiver.pause(Duration.ofSeconds(2));
        server.addRecording();

        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.FAILED);
        assertThat(delivery.attemptStatuses()).containsExactly(0, 0, 0);
        assertThat(delivery.failure()).isEqualTo("no answer from 127.0.0.1:" + receiver.url().getPort() + " within 300 ms");
    }

    @Test
    void aDuplicateIsTheSameCallbackSentTwice() {
        server = builder().start();
        server.enqueueCallbackFault(CallbackFault.DUPLICATE);
        TestRecording r = server.addRecording();

        CallbackReceiver.Received a = receiver.take();
        CallbackReceiver.Received b = receiver.take();
        assertThat(b.body()).isEqualTo(a.body());
        assertThat(b.signature()).isEqualTo(a.signature()).isEqualTo(CallbackReceiver.expectedSignature(KEY, receiver.url().toString(),
                a.form()));
        CallbackDelivery first = server.takeCallbackDelivery();
        CallbackDelivery second = server.takeCallbackDelivery();
        assertThat(List.of(first, second)).allSatisfy(d -> {
            assertThat(d.recordingSid()).isEqualTo(r.sid());
            assertThat(d.fault()).isEqualTo(CallbackFault.DUPLICATE);
            assertThat(d.delivered()).isTrue();
        });
        assertThat(second.sequenceNumber()).isEqualTo(first.sequenceNumber());
    }

    @Test
    void aWronglySignedCallbackCarriesASignatureTheRealKeyDoesNotMake() {
        server = builder().start();
        String forgedSid = "77777777-2222-4333-8444-555555555555";
        server.injectCallbackFault(forgedSid, CallbackFault.WRONG_SIGNATURE);
        server.addRecording(RecordingSpec.create().sid(forgedSid));
        server.addRecording(RecordingSpec.create().seed(8));

        for (CallbackReceiver.Received got : List.of(receiver.take(), receiver.take())) {
            String genuine = CallbackReceiver.expectedSignature(KEY, receiver.url().toString(), got.form());
            if (got.field("RecordingSid").equals(forgedSid)) {
                assertThat(got.signature()).isNotEqualTo(genuine).isNotEmpty();
            } else {
                assertThat(got.signature()).isEqualTo(genuine);
            }
        }
        List<CallbackDelivery> deliveries = List.of(server.takeCallbackDelivery(), server.takeCallbackDelivery());
        assertThat(deliveries).filteredOn(d -> d.recordingSid().equals(forgedSid)).singleElement()
                .extracting(CallbackDelivery::fault).isEqualTo(CallbackFault.WRONG_SIGNATURE);
    }

    @Test
    void aDroppedCallbackIsRecordedButNeverSent() {
        server = builder().start();
        TestRecording dropped = server.addRecording(RecordingSpec.create().seed(4));
        receiver.take();
        server.takeCallbackDelivery();
        server.injectCallbackFault(dropped.sid(), CallbackFault.DROP);

        server.sendStatusCallback(dropped.sid());
        CallbackDelivery delivery = server.takeCallbackDelivery();
        assertThat(delivery.outcome()).isEqualTo(CallbackDelivery.Outcome.DROPPED);
        assertThat(delivery.attemptStatuses()).isEmpty();
        assertThat(delivery.recordingSid()).isEqualTo(dropped.sid());

        // A callback sent after it arrives, and it is the only one: the dropped one was never sent.
        TestRecording next = server.addRecording(RecordingSpec.create().seed(5));
        assertThat(receiver.take().field("RecordingSid")).isEqualTo(next.sid());
        assertThat(server.takeCallbackDelivery().recordingSid()).isEqualTo(next.sid());
        assertThat(receiver.pending()).isEmpty();
    }

    @Test
    void aFaultAttachedToASidBeforeItsRecordingIsAddedAppliesToItsFirstCallback() {
        server = builder().start();
        String sid = "99999999-2222-4333-8444-555555555555";
        server.injectCallbackFault(sid, CallbackFault.DUPLICATE);
        server.addRecording(RecordingSpec.create().sid(sid));

        assertThat(receiver.take().body()).isEqualTo(receiver.take().body());
        // Both copies finish before the replay is sent: deliveries finish in no particular order.
        assertThat(List.of(server.takeCallbackDelivery(), server.takeCallbackDelivery()))
                .extracting(CallbackDelivery::fault).containsOnly(CallbackFault.DUPLICATE);
        server.clearCallbackFaults();
        server.sendStatusCallback(sid);
        assertThat(server.takeCallbackDelivery().fault()).isNull();
    }

    @Test
    void randomFaultRatesAreReproducibleFromTheSeed() {
        List<CallbackFault> firstRun = faultsOf(20, 42);
        List<CallbackFault> secondRun = faultsOf(20, 42);

        assertThat(secondRun).isEqualTo(firstRun);
        assertThat(firstRun).contains(CallbackFault.DROP, (CallbackFault) null);
    }

    /** The fault of each of {@code n} callbacks, in the order sent, with half of them dropped at random. */
    private List<CallbackFault> faultsOf(int n, long seed) {
        try (RecordingsServer s = RecordingsServer.builder().statusCallback(receiver.url(), KEY)
                .statusCallbackFaultRate(CallbackFault.DROP, 0.5).statusCallbackSeed(seed).start()) {
            List<String> sids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sids.add(s.addRecording(RecordingSpec.create().seed(i)).sid());
            }
            CallbackFault[] faults = new CallbackFault[n];
            for (int i = 0; i < n; i++) {
                CallbackDelivery d = s.takeCallbackDelivery();
                faults[sids.indexOf(d.recordingSid())] = d.fault();
            }
            return java.util.Arrays.asList(faults);
        }
    }

    @Test
    void moreCallbacksAtOnceThanPooledConnectionsAreEachDeliveredAndRecordedOnce() {
        server = builder().start();
        java.util.Set<String> sids = new java.util.HashSet<>();
        for (int i = 0; i < 400; i++) {
            sids.add(server.addRecording(RecordingSpec.create().seed(100 + i).durationSeconds(1)).sid());
        }

        List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            CallbackDelivery d = server.takeCallbackDelivery();
            assertThat(d.delivered()).as(d.toString()).isTrue();
            delivered.add(d.recordingSid());
        }
        assertThat(delivered).doesNotHaveDuplicates();
        assertThat(new java.util.HashSet<>(delivered)).isEqualTo(sids);
    }

    @Test
    void callbackSettingsAreCheckedWhenGiven() {
        assertThatThrownBy(() -> RecordingsServer.builder().statusCallback(URI.create("/relative"), KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http(s) URL");
        assertThatThrownBy(() -> RecordingsServer.builder().statusCallback(URI.create("ftp://host/x"), KEY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingsServer.builder().statusCallback(receiver.url(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the signing key must not be empty");
        assertThatThrownBy(() -> RecordingsServer.builder().statusCallbackFaultRate(CallbackFault.DROP, 0.6)
                .statusCallbackFaultRate(CallbackFault.DUPLICATE, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 1");
        assertThatThrownBy(() -> RecordingsServer.builder().statusCallbackFaultRate(CallbackFault.DROP, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutAStatusCallbackNothingIsSentAndCallbackMethodsSaySo() {
        server = RecordingsServer.builder().start();
        server.addRecording();

        assertThat(server.callbackDeliveries()).isEmpty();
        assertThatThrownBy(() -> server.enqueueCallbackFault(CallbackFault.DROP))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("statusCallback(url, key)");
        assertThatThrownBy(server::takeCallbackDelivery).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void neitherTheServerNorADeliveryShowsTheKeyOrSignature() {
        server = builder().start();
        server.addRecording();
        CallbackDelivery delivery = server.takeCallbackDelivery();

        assertThat(server.toString()).doesNotContain(KEY);
        assertThat(delivery.toString()).doesNotContain(delivery.signature()).contains("DELIVERED");
    }

    @Test
    void aListenerSeesEveryFinishedDelivery() {
        List<CallbackDelivery> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        server = builder().statusCallbackListener(seen::add).start();
        server.addRecording(RecordingSpec.create().seed(10));
        server.addRecording(RecordingSpec.create().seed(11));

        List<CallbackDelivery> taken = List.of(server.takeCallbackDelivery(), server.takeCallbackDelivery());
        assertThat(seen).containsExactlyInAnyOrderElementsOf(taken);
    }
}
