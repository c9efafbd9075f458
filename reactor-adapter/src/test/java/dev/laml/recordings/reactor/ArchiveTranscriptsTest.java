package dev.laml.recordings.reactor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveEvent.Failed;
import dev.laml.recordings.reactor.ArchiveEvent.Kind;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testkit.TestTranscription;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link ArchiveOptions#transcripts(boolean)}: the transcript beside the audio, none is no failure, retried later. */
class ArchiveTranscriptsTest {

    private static final Duration BLOCK = Duration.ofSeconds(30);
    private static final JsonFactory JSON = new JsonFactory();
    private static final String DAY = "2026/03/01/";

    @TempDir
    Path dir;

    private RecordingsServer server;
    private RecordingsClient client;
    private TestRecording spoken;
    private TestRecording silent;

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken())
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxAttempts(2))
                .build();
        OffsetDateTime at = OffsetDateTime.parse("2026-03-01T10:00:00Z");
        spoken = server.addRecording(RecordingSpec.create().durationSeconds(3).dateCreated(at));
        silent = server.addRecording(RecordingSpec.create().durationSeconds(2).dateCreated(at.plusMinutes(1)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void theTranscriptLiesBesideTheAudioAndARecordingWithoutOneIsNoFailure() throws IOException {
        TestTranscription t = server.addTranscription(spoken.sid(), "Hello, I would like to pay by card.");

        Summary summary = run(ArchiveOptions.defaults().transcripts(true));

        assertThat(summary.downloaded()).isEqualTo(2);
        assertThat(summary.failed()).isZero();
        assertThat(dir.resolve(DAY + spoken.sid() + ".wav")).exists();
        Map<String, String> transcript = flat(dir.resolve(DAY + spoken.sid() + ".transcript.json"));
        assertThat(transcript).containsEntry("recording_sid", spoken.sid())
                .containsEntry("account_sid", server.accountSid())
                .containsEntry("transcriptions.0.sid", t.sid())
                .containsEntry("transcriptions.0.status", "completed")
                .containsEntry("transcriptions.0.transcription_text", "Hello, I would like to pay by card.")
                .containsEntry("transcriptions.0.duration", "3")
                .doesNotContainKey("transcriptions.1.sid");
        assertThat(dir.resolve(DAY + silent.sid() + ".wav")).exists();
        assertThat(dir.resolve(DAY + silent.sid() + ".transcript.json")).doesNotExist();
    }

    @Test
    void withoutTheOptionNoTranscriptIsListedOrWritten() {
        server.addTranscription(spoken.sid(), "not wanted");

        run(ArchiveOptions.defaults());

        assertThat(dir.resolve(DAY + spoken.sid() + ".transcript.json")).doesNotExist();
        assertThat(server.recordedRequests()).noneMatch(r -> r.path().contains("Transcriptions"));
    }

    @Test
    void aTranscriptArrivingAfterTheAudioIsStoredOnTheNextRunAndAnUnchangedOneIsNotRewritten() throws IOException {
        run(ArchiveOptions.defaults().transcripts(true));
        Path file = dir.resolve(DAY + spoken.sid() + ".transcript.json");
        assertThat(file).doesNotExist();

        server.addTranscription(spoken.sid(), "late text");
        Summary second = run(ArchiveOptions.defaults().transcripts(true));
        assertThat(second.skipped()).isEqualTo(2);
        assertThat(second.downloaded()).isZero();
        assertThat(Files.readString(file)).contains("late text");

        FileTime written = FileTime.fromMillis(0);
        Files.setLastModifiedTime(file, written);
        run(ArchiveOptions.defaults().transcripts(true));
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);
    }

    @Test
    void aTranscriptThatCannotBeListedFailsTheRecordingKeepsTheAudioAndDeletesNothing() throws IOException {
        WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        String account = TestData.ACCOUNT;
        String sid = TestData.RECORDING;
        String root = "/api/laml/2010-04-01/Accounts/" + account;
        byte[] audio = TestData.bytes(4096, 7);
        wm.stubFor(get(urlPathEqualTo(root + "/Recordings.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody("{\"recordings\": [{\"sid\": \"" + sid
                        + "\", \"status\": \"completed\", \"date_created\": \"Sun, 01 Mar 2026 10:00:00 +0000\"}],"
                        + " \"next_page_uri\": null}")));
        wm.stubFor(get(urlPathEqualTo(root + "/Recordings/" + sid + ".wav")).willReturn(aResponse()
                .withHeader("Content-Type", "audio/x-wav").withBody(audio)));
        wm.stubFor(get(urlPathEqualTo(root + "/Recordings/" + sid + "/Transcriptions.json")).willReturn(aResponse()
                .withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"code\": 20500, \"message\": \"Internal error\", \"status\": 500}")));
        wm.stubFor(delete(urlPathEqualTo(root + "/Recordings/" + sid + ".json")).willReturn(aResponse().withStatus(204)));
        try (RecordingsClient mocked = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(TestData.PROJECT, TestData.TOKEN)
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxAttempts(2)).build()) {
            List<ArchiveEvent> events = mocked.archive(account, RecordingQuery.all(), ArchiveTarget.directory(dir),
                    ArchiveOptions.defaults().transcripts(true).deleteAfterVerify(true)).collectList().block(BLOCK);

            assertThat(events).filteredOn(e -> e instanceof Failed).singleElement()
                    .satisfies(e -> assertThat(((Failed) e).reason()).startsWith("transcript: ")
                            .contains("HTTP 500"));
            assertThat(events).noneMatch(e -> e.kind() == Kind.DELETED);
            assertThat(Files.readAllBytes(dir.resolve(DAY + sid + ".wav"))).isEqualTo(audio);
            assertThat(dir.resolve(DAY + sid + ".transcript.json")).doesNotExist();
            wm.verify(0, deleteRequestedFor(urlPathEqualTo(root + "/Recordings/" + sid + ".json")));
        } finally {
            wm.stop();
        }
    }

    @Test
    void aDryRunListsNoTranscript() {
        server.addTranscription(spoken.sid(), "text");

        run(ArchiveOptions.defaults().transcripts(true).dryRun(true));

        assertThat(dir.resolve(DAY + spoken.sid() + ".transcript.json")).doesNotExist();
        assertThat(server.recordedRequests()).noneMatch(r -> r.path().contains("Transcriptions"));
    }

    @Test
    void archivingOneRecordingStoresItsTranscriptToo() throws IOException {
        server.addTranscription(spoken.sid(), "one");

        List<ArchiveEvent> events = client.archiveRecording(server.accountSid(), spoken.sid(),
                ArchiveTarget.directory(dir), ArchiveOptions.defaults().transcripts(true)).collectList().block(BLOCK);

        assertThat(events).last().isInstanceOfSatisfying(Summary.class, s -> assertThat(s.downloaded()).isEqualTo(1));
        assertThat(Files.readString(dir.resolve(DAY + spoken.sid() + ".transcript.json"))).contains("\"one\"");
    }

    /** A JSON document as dotted paths to scalar texts ({@code transcriptions.0.sid}). */
    private static Map<String, String> flat(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            Deque<String> path = new ArrayDeque<>();
            Deque<int[]> indexes = new ArrayDeque<>();
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_ARRAY -> indexes.push(new int[] {0});
                    case END_ARRAY -> indexes.pop();
                    case FIELD_NAME -> {
                        path.addLast(p.currentName());
                        continue;
                    }
                    case START_OBJECT, END_OBJECT -> { }
                    default -> out.put(String.join(".", path), t == JsonToken.VALUE_NULL ? null : p.getText());
                }
                if (t == JsonToken.START_OBJECT && !indexes.isEmpty() && p.getParsingContext().getParent().inArray()) {
                    path.addLast(String.valueOf(indexes.peek()[0]++));
                } else if (t == JsonToken.END_OBJECT && !path.isEmpty() && p.getParsingContext().inArray()) {
                    path.removeLast();
                }
                if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY && !path.isEmpty()
                        && p.getParsingContext().inObject()) {
                    path.removeLast();
                }
            }
        }
        return out;
    }

    private Summary run(ArchiveOptions options) {
        List<ArchiveEvent> events = client.archive(server.accountSid(), RecordingQuery.all(), ArchiveTarget.directory(dir),
                options).collectList().block(BLOCK);
        assertThat(events).isNotNull().last().isInstanceOf(Summary.class);
        return (Summary) events.get(events.size() - 1);
    }
}
