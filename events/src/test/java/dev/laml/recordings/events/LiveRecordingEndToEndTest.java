package dev.laml.recordings.events;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.UpdateRecording;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.CallbackDelivery;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestClock;
import dev.laml.recordings.testkit.TestTranscription;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.laml.recordings.events.EventsEndToEndTest.KEY;
import static dev.laml.recordings.events.EventsEndToEndTest.WAIT;
import static dev.laml.recordings.events.EventsEndToEndTest.awaitArchived;
import static dev.laml.recordings.events.EventsEndToEndTest.find;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21's loop over real sockets: the client starts a live call's recording on the testkit with a status callback
 * to {@link RecordingEventsServer}, pauses it (skip) for a known time, resumes and stops it; the signed callbacks
 * arrive, the workers archive the audio and its transcript beside it, and the archived WAV's length is the recorded
 * time without the pause. Time is
 * the testkit's {@link TestClock}: "3 s of audio" is a step of the clock, so the length is exact on any machine.
 */
@Timeout(120)
class LiveRecordingEndToEndTest extends EventsEndToEnd {

    /** The length of a PCM WAV's audio, from its header: data bytes over bytes a second. */
    static Duration wavLength(byte[] wav) {
        ByteBuffer header = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int byteRate = header.getInt(28);
        int dataBytes = header.getInt(40);
        assertThat(wav).hasSize(44 + dataBytes);
        return Duration.ofMillis(dataBytes * 1000L / byteRate);
    }

    /** Every scalar field of a JSON document, by name, values in document order (jackson-core only, as events uses). */
    static Map<String, List<String>> scalarFields(Path json) throws IOException {
        Map<String, List<String>> fields = new HashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json.toFile())) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isScalarValue() && parser.currentName() != null) {
                    fields.computeIfAbsent(parser.currentName(), k -> new ArrayList<>()).add(parser.getText());
                }
            }
        }
        return fields;
    }

    @Test
    void aRecordingPausedWithSkipIsArchivedWithTheRecordedTimeWithoutThePause() throws Exception {
        TestClock clock = TestClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        // transcribeRecordings: the testkit transcribes each recording as it completes, as SignalWire does when asked.
        RecordingsServer api = RecordingsServer.builder().clock(clock).signingKey(KEY).transcribeRecordings(true)
                .start();
        closing.add(api);
        RecordingsClient client = clientOf(api);
        int port = freePort();
        URI publicUrl = publicUrl(port);
        RecordingInbox inbox = inbox();
        Path archive = tmp.resolve("archive");
        RecordingWorkers workers = workersInto(archive, client, inbox).options(ArchiveOptions.defaults().transcripts(true))
                .concurrency(2).awaitCompletedFor(WAIT).build();
        serveEvents(api, client, KEY, publicUrl, port, inbox, workers);
        Disposable running = workers.run().subscribe();
        closing.add(running::dispose);

        String account = api.accountSid();
        String call = api.startCall();
        RecordingOwner owner = RecordingOwner.call(call);
        Recording started = client.startRecording(StartRecording.of(account, call)
                .statusCallback(publicUrl)
                .statusCallbackEvents(StartRecording.CallbackEvent.IN_PROGRESS, StartRecording.CallbackEvent.COMPLETED))
                .block(WAIT);
        String sid = started.sid();
        assertThat(started.status()).isEqualTo(RecordingStatus.IN_PROGRESS);
        assertThat(started.callSid()).isEqualTo(call);

        clock.advance(Duration.ofSeconds(3));
        Recording paused = client.updateRecording(UpdateRecording.pause(account, owner, sid)
                .pauseBehavior(UpdateRecording.PauseBehavior.SKIP)).block(WAIT);
        clock.advance(Duration.ofSeconds(2)); // a card number read out: not recorded
        Recording resumed = client.updateRecording(UpdateRecording.resume(account, owner, sid)).block(WAIT);
        clock.advance(Duration.ofSeconds(4));
        Recording stopped = client.updateRecording(UpdateRecording.stop(account, owner, sid)).block(WAIT);

        assertThat(paused.status()).isEqualTo(RecordingStatus.PAUSED);
        assertThat(resumed.status()).isEqualTo(RecordingStatus.IN_PROGRESS);
        assertThat(stopped.status()).isEqualTo(RecordingStatus.STOPPED);
        assertThat(stopped.duration()).isEqualTo(Duration.ofSeconds(7));

        // What the client sent, as the testkit received it.
        List<RecordedRequest> writes = api.recordedRequests().stream().filter(r -> r.method().equals("POST")).toList();
        assertThat(writes).hasSize(4);
        assertThat(writes.get(0).formField("RecordingStatusCallback")).isEqualTo(publicUrl.toString());
        assertThat(writes.get(0).formField("RecordingStatusCallbackEvent")).isEqualTo("in-progress completed");
        assertThat(writes.get(1).formFields()).containsEntry("Status", List.of("paused"))
                .containsEntry("PauseBehavior", List.of("skip"));
        assertThat(writes.get(3).formField("Status")).isEqualTo("stopped");

        awaitArchived(inbox, 1);
        Path wav = find(archive, sid + ".wav");
        byte[] archived = Files.readAllBytes(wav);
        assertThat(wavLength(archived)).isEqualTo(Duration.ofSeconds(3 + 4));
        assertThat(archived).isEqualTo(api.recording(sid).bytes(Format.WAV));
        assertThat(inbox.entry(sid).block(WAIT).state()).isEqualTo(State.ARCHIVED);

        // The transcript lies beside the audio.
        TestTranscription transcription = api.transcriptions().stream()
                .filter(t -> t.recordingSid().equals(sid)).findFirst().orElseThrow();
        Path transcript = wav.resolveSibling(sid + ".transcript.json");
        assertThat(transcript).exists();
        Map<String, List<String>> stored = scalarFields(transcript);
        assertThat(stored.get("recording_sid")).as("the document's, and its one transcription's")
                .containsExactly(sid, sid);
        assertThat(stored.get("sid")).containsExactly(transcription.sid()); // one transcription
        assertThat(stored.get("transcription_text")).containsExactly(transcription.text());
        assertThat(transcription.text()).contains("7 seconds");

        // Both callbacks asked for were delivered, signed, to the receiver, which accepted them (204).
        List<CallbackDelivery> deliveries = new ArrayList<>(List.of(api.takeCallbackDelivery(),
                api.takeCallbackDelivery()));
        deliveries.sort(Comparator.comparingLong(CallbackDelivery::sequenceNumber));
        assertThat(deliveries).extracting(CallbackDelivery::status).containsExactly("in-progress", "completed");
        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.recordingSid()).isEqualTo(sid);
            assertThat(d.attemptStatuses()).containsExactly(204);
        });
        assertThat(deliveries.get(1).field("RecordingDuration")).isEqualTo("7");
    }
}
