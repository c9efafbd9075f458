package dev.laml.recordings.events;

import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testkit.TestTranscription;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over real sockets: the testkit pushes each recording's status callback and its transcription's callback (one of
 * them mis-signed) to {@link RecordingEventsServer}; the workers store each recording and its transcript beside it.
 */
class TranscriptionEventsEndToEndTest extends EventsEndToEnd {

    private static final String KEY = "PSK_transcripts_end_to_end";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void everyRecordingIsStoredWithItsTranscriptBesideItAndAForgedCallbackStoresNothing() throws Exception {
        int port = freePort();
        URI publicUrl = publicUrl(port);
        RecordingsServer api = apiCallingBack(publicUrl, KEY);
        RecordingsClient client = clientOf(api);
        RecordingInbox inbox = inbox();
        Path archive = tmp.resolve("archive");
        RecordingWorkers workers = workersInto(archive, client, inbox).concurrency(4)
                .firstBackoff(Duration.ofMillis(100)).build();
        serveEvents(api, client, KEY, publicUrl, port, inbox, workers);
        closing.add(workers.run().subscribe()::dispose);

        OffsetDateTime day = OffsetDateTime.parse("2026-03-03T12:00:00Z");
        List<TestRecording> recordings = new ArrayList<>();
        List<TestTranscription> transcriptions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestRecording r = api.addRecording(RecordingSpec.create().seed(500 + i).durationSeconds(1 + i)
                    .dateCreated(day.plusMinutes(i)));
            recordings.add(r);
            transcriptions.add(api.addTranscription(r.sid(), "words of call " + i));
        }
        // A forged transcription callback: the receiver refuses it, nothing is stored for it.
        TestRecording silent = api.addRecording(RecordingSpec.create().seed(600).dateCreated(day.plusMinutes(9)));
        api.enqueueCallbackFault(CallbackFault.WRONG_SIGNATURE);
        TestTranscription forged = api.addTranscription(silent.sid(), "forged");

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (inbox.counts().block(WAIT).get(State.ARCHIVED) < 2 * recordings.size() + 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not archived in time: " + inbox.counts().block(WAIT));
            }
            Thread.sleep(50);
        }
        Path dir = archive.resolve("2026/03/03");
        for (int i = 0; i < recordings.size(); i++) {
            TestRecording r = recordings.get(i);
            assertThat(dir.resolve(r.sid() + ".wav")).hasBinaryContent(r.bytes(Format.WAV));
            assertThat(Files.readString(dir.resolve(r.sid() + ".transcript.json")))
                    .contains(transcriptions.get(i).sid()).contains("words of call " + i);
        }
        assertThat(dir.resolve(silent.sid() + ".wav")).exists();
        assertThat(dir.resolve(silent.sid() + ".transcript.json")).doesNotExist();
        assertThat(inbox.entry(forged.sid()).blockOptional(WAIT)).isEmpty();
    }

}
