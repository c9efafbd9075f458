package dev.laml.recordings.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testkit.TestTranscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code recordings transcripts} and {@code archive --transcripts} against the testkit. */
class TranscriptsCommandTest {

    private static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    private static final String TOKEN = "PTsecret-canary-5f3a9c";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    private static CliRun run(RecordingsServer server, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(1, List.of("--base-url", server.baseUrl().toString()));
        return CliRun.run(env(), a.toArray(String[]::new));
    }

    private static RecordingsServer server() {
        return RecordingsServer.builder().credentials(PROJECT, TOKEN).start();
    }

    @Test
    void theAccountsTranscriptsArePrintedNewestFirstOnePerLine() {
        try (RecordingsServer server = server()) {
            TestRecording older = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-01T10:00:00Z")));
            TestRecording newer = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-02T10:00:00Z")));
            server.addTranscription(older.sid(), "first call, café");
            server.addTranscription(newer.sid(), "second call");

            CliRun run = run(server, "transcripts");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdout()).isEqualTo("second call" + System.lineSeparator() + "first call, café"
                    + System.lineSeparator());
        }
    }

    @Test
    void sidSelectsOneRecordingsTranscriptsAndJsonPrintsOneObjectPerLine() throws Exception {
        try (RecordingsServer server = server()) {
            TestRecording a = server.addRecording(RecordingSpec.create().durationSeconds(9));
            TestRecording b = server.addRecording();
            TestTranscription ofA = server.addTranscription(a.sid(), "only this one");
            server.addTranscription(b.sid(), "not this one");

            CliRun run = run(server, "transcripts", "--sid", a.sid(), "--json");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            String[] lines = run.stdout().split("\\R");
            assertThat(lines).hasSize(1);
            JsonNode json = MAPPER.readTree(lines[0]);
            assertThat(json.get("sid").asText()).isEqualTo(ofA.sid());
            assertThat(json.get("recording_sid").asText()).isEqualTo(a.sid());
            assertThat(json.get("transcription_text").asText()).isEqualTo("only this one");
            assertThat(json.get("status").asText()).isEqualTo("completed");
            assertThat(json.get("duration").asInt()).isEqualTo(9);
            assertThat(server.recordedRequests()).extracting(RecordedRequest::path)
                    .containsExactly("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/" + a.sid()
                            + "/Transcriptions.json");
        }
    }

    @Test
    void sinceGoesOnTheWireAsTheApisDateFilter() {
        try (RecordingsServer server = server()) {
            TestRecording march = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-01T10:00:00Z")));
            TestRecording april = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-04-01T10:00:00Z")));
            server.addTranscription(march.sid(), "march");
            server.addTranscription(april.sid(), "april");

            CliRun run = run(server, "transcripts", "--since", "2026-03-15");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdout()).isEqualTo("april" + System.lineSeparator());
            assertThat(server.takeRequest().target()).contains("DateCreated%3E=");
        }
    }

    @Test
    void noneIsSaidOnStderrAndExitsZero() {
        try (RecordingsServer server = server()) {
            CliRun run = run(server, "transcripts");

            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout()).isEmpty();
            assertThat(run.stderr()).contains("no transcriptions");
        }
    }

    @Test
    void exitCodesAreThoseOfEveryCommand() {
        try (RecordingsServer server = server()) {
            CliRun badSid = run(server, "transcripts", "--sid", "../x");
            assertThat(badSid.exitCode()).isEqualTo(2);
            assertThat(badSid.stderr()).contains("--sid");

            CliRun unknown = run(server, "transcripts", "--sid", "00000000-0000-4000-8000-000000000001");
            assertThat(unknown.exitCode()).isEqualTo(3);

            CliRun denied = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", "PTwrong"),
                    "transcripts", "--base-url", server.baseUrl().toString());
            assertThat(denied.exitCode()).isEqualTo(4);
            assertThat(denied.stderr()).doesNotContain("PTwrong");
        }
    }

    @Test
    void archiveWithTranscriptsStoresThemBesideTheAudio() throws Exception {
        try (RecordingsServer server = server()) {
            TestRecording r = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-01T10:00:00Z")));
            TestRecording silent = server.addRecording(RecordingSpec.create()
                    .dateCreated(OffsetDateTime.parse("2026-03-01T11:00:00Z")));
            TestTranscription t = server.addTranscription(r.sid(), "archived words");
            Path dir = tmp.resolve("archive");

            CliRun run = run(server, "archive", "--dir", dir.toString(), "--transcripts");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonNode transcript = MAPPER.readTree(dir.resolve("2026/03/01/" + r.sid() + ".transcript.json").toFile());
            assertThat(transcript.get("transcriptions").get(0).get("sid").asText()).isEqualTo(t.sid());
            assertThat(transcript.get("transcriptions").get(0).get("transcription_text").asText())
                    .isEqualTo("archived words");
            assertThat(Files.exists(dir.resolve("2026/03/01/" + silent.sid() + ".wav"))).isTrue();
            assertThat(Files.exists(dir.resolve("2026/03/01/" + silent.sid() + ".transcript.json"))).isFalse();
        }
    }
}
