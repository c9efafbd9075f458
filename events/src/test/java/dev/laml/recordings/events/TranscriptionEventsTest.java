package dev.laml.recordings.events;

import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.events.RecordingEvents.Answer;
import dev.laml.recordings.events.RecordingInbox.Entry;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testkit.TestTranscription;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.laml.recordings.events.RecordingEventsTest.KEY;
import static dev.laml.recordings.events.RecordingEventsTest.PUBLIC;
import static dev.laml.recordings.events.RecordingEventsTest.formBody;
import static dev.laml.recordings.events.RecordingEventsTest.formHeaders;
import static dev.laml.recordings.events.RecordingEventsTest.post;
import static dev.laml.recordings.events.RecordingEventsTest.signForm;
import static org.assertj.core.api.Assertions.assertThat;

/** The transcription callback: accepted signed, refused otherwise, and its transcript stored beside the recording. */
class TranscriptionEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRANSCRIPTION = "b3877c40-da60-4998-90ad-b792e98472f1";
    private static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";

    @TempDir
    Path tmp;

    private RecordingsServer server;
    private RecordingsClient client;
    private RecordingInbox inbox;
    private RecordingEvents events;
    private Disposable workers;

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl()).credentials(server.projectId(), server.apiToken())
                .retryPolicy(RetryPolicy.none()).build();
        inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"));
        events = RecordingEvents.builder().signature(WebhookSignature.of(KEY)).publicUrl(URI.create(PUBLIC))
                .apiBaseUrl(server.baseUrl()).accountSid(server.accountSid()).inbox(inbox).build();
    }

    @AfterEach
    void stop() {
        if (workers != null) {
            workers.dispose();
        }
        inbox.close();
        client.close();
        server.close();
    }

    /** The specification's fields (no AccountSid: the account is in TranscriptionUrl). */
    private Map<String, List<String>> callback(String transcriptionSid, String recordingSid, String status) {
        String account = server.baseUrl() + "/api/laml/2010-04-01/Accounts/" + server.accountSid();
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("TranscriptionSid", List.of(transcriptionSid));
        f.put("TranscriptionText", List.of("Hello, I'd like to schedule an appointment for next Tuesday."));
        f.put("TranscriptionStatus", List.of(status));
        f.put("TranscriptionUrl", List.of(account + "/Transcriptions/" + transcriptionSid));
        f.put("RecordingSid", List.of(recordingSid));
        f.put("RecordingUrl", List.of(account + "/Recordings/" + recordingSid));
        return f;
    }

    private Answer send(Map<String, List<String>> fields, String key) throws Exception {
        String signature = key == null ? null : signForm(key, PUBLIC, fields);
        return events.handle(post("/recordings/events", formHeaders(signature), formBody(fields))).block(WAIT);
    }

    @Test
    void aSignedTranscriptionCallbackIsStoredUnderTheTranscriptionsSid() throws Exception {
        Answer answer = send(callback(TRANSCRIPTION, RECORDING, "completed"), KEY);

        assertThat(answer.status()).isEqualTo(204);
        Entry entry = inbox.entry(TRANSCRIPTION).block(WAIT);
        assertThat(entry).isNotNull();
        assertThat(entry.origin()).isEqualTo(InboxEvent.TRANSCRIPTION);
        assertThat(entry.accountSid()).isEqualTo(server.accountSid());
        assertThat(entry.status()).isEqualTo("completed");
        assertThat(entry.state()).isEqualTo(State.PENDING);
        assertThat(inbox.entry(RECORDING).blockOptional(WAIT)).isEmpty();
        // A replay is a duplicate: still one row.
        assertThat(send(callback(TRANSCRIPTION, RECORDING, "completed"), KEY).status()).isEqualTo(204);
        assertThat(inbox.counts().block(WAIT).get(State.PENDING)).isEqualTo(1);
    }

    @Test
    void unsignedOrMisSignedTranscriptionCallbacksStoreNothing() throws Exception {
        assertThat(send(callback(TRANSCRIPTION, RECORDING, "completed"), null).status()).isEqualTo(403);
        assertThat(send(callback(TRANSCRIPTION, RECORDING, "completed"), "PSK_wrong").status()).isEqualTo(403);
        assertThat(inbox.counts().block(WAIT).values()).allMatch(n -> n == 0);
    }

    @Test
    void aSignedCallbackStillCannotNameAnotherHostAccountOrRecording() throws Exception {
        Map<String, List<String>> elsewhere = callback(TRANSCRIPTION, RECORDING, "completed");
        elsewhere.put("RecordingUrl", List.of("http://169.254.169.254/api/laml/2010-04-01/Accounts/"
                + server.accountSid() + "/Recordings/" + RECORDING));
        Map<String, List<String>> otherRecording = callback(TRANSCRIPTION, RECORDING, "completed");
        otherRecording.put("RecordingSid", List.of("00000000-0000-4000-8000-000000000009"));
        Map<String, List<String>> otherAccount = callback(TRANSCRIPTION, RECORDING, "completed");
        otherAccount.put("AccountSid", List.of("00000000-0000-4000-8000-000000000008"));
        Map<String, List<String>> notASid = callback("../../Recordings/x", RECORDING, "completed");

        for (Map<String, List<String>> fields : List.of(elsewhere, otherRecording, otherAccount, notASid)) {
            assertThat(send(fields, KEY).status()).as(fields.toString()).isEqualTo(400);
        }
        assertThat(inbox.counts().block(WAIT).values()).allMatch(n -> n == 0);
    }

    @Test
    void theTranscriptIsStoredBesideTheArchivedRecording() throws Exception {
        Path archive = tmp.resolve("archive");
        TestRecording recording = server.addRecording(RecordingSpec.create().durationSeconds(3)
                .dateCreated(OffsetDateTime.parse("2026-03-01T10:00:00Z")));
        inbox.offer(new InboxEvent(server.accountSid(), recording.sid(), null, "completed", "callback")).block(WAIT);
        workers = RecordingWorkers.builder().client(client).inbox(inbox).target(ArchiveTarget.directory(archive))
                .pollInterval(Duration.ofMillis(50)).firstBackoff(Duration.ofMillis(50)).build().run().subscribe();
        Path day = archive.resolve("2026/03/01");
        await(() -> Files.exists(day.resolve(recording.sid() + ".json")));
        assertThat(day.resolve(recording.sid() + ".transcript.json")).doesNotExist();

        TestTranscription t = server.addTranscription(recording.sid(), "Please pause the recording now.");
        assertThat(send(callback(t.sid(), recording.sid(), "completed"), KEY).status()).isEqualTo(204);

        await(() -> inbox.entry(t.sid()).blockOptional(WAIT).map(e -> e.state() == State.ARCHIVED).orElse(false));
        String transcript = Files.readString(day.resolve(recording.sid() + ".transcript.json"));
        assertThat(transcript).contains(t.sid()).contains("Please pause the recording now.");
        assertThat(server.requestCount(recording.url(Format.WAV).getPath())).as("the audio is not fetched again")
                .isEqualTo(1);
    }

    @Test
    void theWorkerFetchesTheTranscriptionNotWhatTheCallbackSays() throws Exception {
        Path archive = tmp.resolve("archive");
        TestRecording recording = server.addRecording(RecordingSpec.create()
                .dateCreated(OffsetDateTime.parse("2026-03-02T10:00:00Z")));
        TestTranscription t = server.addTranscription(recording.sid(), "what the API says");
        Map<String, List<String>> fields = callback(t.sid(), recording.sid(), "completed");
        fields.put("TranscriptionText", List.of("what the callback says"));
        assertThat(send(fields, KEY).status()).isEqualTo(204);

        workers = RecordingWorkers.builder().client(client).inbox(inbox).target(ArchiveTarget.directory(archive))
                .pollInterval(Duration.ofMillis(50)).firstBackoff(Duration.ofMillis(50)).build().run().subscribe();
        await(() -> inbox.entry(t.sid()).blockOptional(WAIT).map(e -> e.state() == State.ARCHIVED).orElse(false));

        Path day = archive.resolve("2026/03/02");
        assertThat(day.resolve(recording.sid() + ".wav")).exists();
        assertThat(Files.readString(day.resolve(recording.sid() + ".transcript.json")))
                .contains("what the API says").doesNotContain("what the callback says");
    }

    @Test
    void anUnknownTranscriptionIsRetriedThenFailsAndAFailedOneEndsFailed() throws Exception {
        String unknown = "00000000-0000-4000-8000-000000000007";
        assertThat(send(callback(unknown, RECORDING, "completed"), KEY).status()).isEqualTo(204);
        String failed = "00000000-0000-4000-8000-000000000006";
        assertThat(send(callback(failed, RECORDING, "failed"), KEY).status()).isEqualTo(204);

        workers = RecordingWorkers.builder().client(client).inbox(inbox).target(ArchiveTarget.directory(tmp.resolve("a")))
                .pollInterval(Duration.ofMillis(20)).firstBackoff(Duration.ofMillis(10)).maxAttempts(2).build().run()
                .subscribe();
        await(() -> inbox.counts().block(WAIT).get(State.FAILED) == 2);

        assertThat(inbox.entry(failed).block(WAIT).detail()).isEqualTo("the transcription failed on SignalWire");
        assertThat(inbox.entry(unknown).block(WAIT).detail()).startsWith("gave up after 2 attempts");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(25);
        }
    }
}
