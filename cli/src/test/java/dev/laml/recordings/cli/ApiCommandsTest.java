package dev.laml.recordings.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code metadata} and {@code download} against the testkit: output, files and every exit code. */
class ApiCommandsTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(PROJECT, TOKEN));

    static TestRecording recording;
    static TestRecording large;

    @TempDir
    Path dir;

    @BeforeAll
    static void addRecordings() {
        recording = testkit.server().addRecording(RecordingSpec.create().durationSeconds(7).channels(2));
        // Big enough that -o - must stream it through many buffers.
        large = testkit.server().addRecording(RecordingSpec.create().size(Format.MP3, 6 * 1024 * 1024));
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    static String[] args(String command, TestRecording r, String... more) {
        return args(command, r.sid(), more);
    }

    static String[] args(String command, String sid, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--base-url", testkit.baseUrl().toString(), "--sid", sid));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    // ------------------------------------------------------------------------------------------------ metadata

    @Test
    void metadataPrintsAReadableListing() {
        CliRun r = CliRun.run(env(), args("metadata", recording));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("sid:", recording.sid(), "account:", PROJECT)
                .containsPattern("duration:\\s+7 s \\(0:07\\)")
                .containsPattern("channels:\\s+2")
                .containsPattern("status:\\s+completed");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void metadataJsonParsesAndCarriesTheSidAndDuration() throws IOException {
        CliRun r = CliRun.run(env(), args("metadata", recording, "--json"));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertThat(json.get("sid").asText()).isEqualTo(recording.sid());
        assertThat(json.get("duration").isIntegralNumber()).isTrue();
        assertThat(json.get("duration").asLong()).isEqualTo(7);
        assertThat(json.get("account_sid").asText()).isEqualTo(PROJECT);
        assertThat(json.get("channels").asInt()).isEqualTo(2);
        assertThat(json.get("conference_sid").isNull()).isTrue();
        assertThat(json.get("date_created").asText()).isEqualTo("2018-09-25T23:00:00Z");
    }

    @Test
    void theAccountDefaultsToTheProjectIdAndTheTokenMayComeFromAFile() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        CliRun r = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                args("metadata", recording, "--token-file", tokenFile.toString(), "--json"));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains(recording.sid());
    }

    // ------------------------------------------------------------------------------------------------ download

    @Test
    void downloadToAFileIsByteIdentical() throws IOException {
        Path target = dir.resolve("call.wav");
        CliRun r = CliRun.run(args("download", recording, "--account", PROJECT, "-o", target.toString()));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(recording.bytes(Format.WAV));
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("saved", target.toString(), "bytes");
    }

    @Test
    void downloadIntoADirectoryNamesTheFileAfterTheSid() throws IOException {
        CliRun r = CliRun.run(args("download", recording, "--account", PROJECT, "--format", "MP3", "-o",
                dir.toString()));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve(recording.sid() + ".mp3"))).isEqualTo(recording.bytes(Format.MP3));
    }

    @Test
    void downloadToStdoutWritesExactlyTheAudioAndNothingElse() {
        CliRun r = CliRun.run(env(), args("download", large, "--format", "mp3", "-o", "-"));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdoutBytes()).isEqualTo(large.bytes(Format.MP3));
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void aTruncatedTransferIsResumedAndTheFileIsStillExact() throws IOException {
        testkit.server().enqueueFault(Fault.resetAfterBytes(100_000));
        Path target = dir.resolve("resumed.mp3");
        CliRun r = CliRun.run(env(), args("download", large, "--format", "mp3", "-o", target.toString()));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(large.bytes(Format.MP3));
    }

    // ------------------------------------------------------------------------------------------------ exit codes

    @Test
    void exit2ForAnInvalidSid() {
        CliRun r = CliRun.run(env(), args("metadata", "not-a-uuid"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("recordings: error: ").contains("must be a UUID").hasLineCount(1);
        assertThat(testkit.server().requestCount()).isZero();
    }

    @Test
    void exit2WhenTheTokenIsMissingOrItsFileUnusable() throws IOException {
        CliRun noToken = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT), args("metadata", recording));
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.stderr()).contains("SIGNALWIRE_API_TOKEN", "--token-file").hasLineCount(1);

        CliRun missingFile = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                args("metadata", recording, "--token-file", dir.resolve("nope").toString()));
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.stderr()).contains("cannot read --token-file").hasLineCount(1);

        Path empty = Files.writeString(dir.resolve("empty"), "  \n");
        CliRun emptyFile = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                args("metadata", recording, "--token-file", empty.toString()));
        assertThat(emptyFile.exitCode()).isEqualTo(2);
        assertThat(emptyFile.stderr()).contains("is empty");
    }

    @Test
    void exit2ForAResumeWindowOutOfRange() {
        for (String value : new String[] {"-1", "3601"}) {
            CliRun r = CliRun.run(env(), args("download", recording, "-o", "-", "--resume-for", value));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr()).startsWith("recordings: error: ")
                    .contains("--resume-for must be between 0 and 3600 seconds, got " + value).hasLineCount(1);
        }
        assertThat(testkit.server().requestCount()).isZero();
    }

    @Test
    void aDownloadThatKeepsProgressingIsResumedPastTheAttemptsByDefault() throws IOException {
        // Six answers in a row are cut after 50 KB: two attempts could not do it, but every resume delivers bytes.
        testkit.server().enqueueFaults(6, Fault.resetAfterBytes(50_000));
        Path target = dir.resolve("call.mp3");
        CliRun r = CliRun.run(env(), args("download", large, "--format", "mp3", "-o", target.toString(),
                "--attempts", "2"));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(large.bytes(Format.MP3));
        assertThat(testkit.server().requestCount(large.url(Format.MP3).getPath())).isEqualTo(7);
    }

    @Test
    void exit2ForConflictingOrMissingServerSettings() {
        CliRun both = CliRun.run(env(), args("metadata", recording, "--space", "example"));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("--space and --base-url");

        CliRun none = CliRun.run(env(), "metadata", "--sid", recording.sid());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("no space");

        CliRun badSpace = CliRun.run(env(), "metadata", "--space", "not a space", "--sid", recording.sid());
        assertThat(badSpace.exitCode()).isEqualTo(2);

        CliRun plainHttpElsewhere = CliRun.run(env(), "metadata", "--base-url", "http://example.com",
                "--sid", recording.sid());
        assertThat(plainHttpElsewhere.exitCode()).as(plainHttpElsewhere.toString()).isEqualTo(2);
    }

    @Test
    void exit3ForAnUnknownRecording() {
        String unknown = UUID.randomUUID().toString();
        CliRun metadata = CliRun.run(env(), args("metadata", unknown));
        CliRun download = CliRun.run(env(), args("download", unknown, "-o", dir.resolve("x.wav").toString()));

        assertThat(metadata.exitCode()).as(metadata.toString()).isEqualTo(3);
        assertThat(metadata.stderr()).startsWith("recordings: error: ").contains("404").hasLineCount(1);
        assertThat(download.exitCode()).as(download.toString()).isEqualTo(3);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void exit4ForAWrongToken() {
        CliRun r = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", "PTwrong"),
                args("metadata", recording));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.stderr()).contains("401").hasLineCount(1);
    }

    @Test
    void exit5ForAnyOtherErrorAnswer() {
        testkit.server().enqueueFault(Fault.status(400));
        CliRun badRequest = CliRun.run(env(), args("metadata", recording));
        assertThat(badRequest.exitCode()).as(badRequest.toString()).isEqualTo(5);
        assertThat(badRequest.stderr()).contains("400").hasLineCount(1);

        // A 200 that is an HTML page, not audio: never retried, never written.
        testkit.server().enqueueFault(Fault.wrongContentType("text/html"));
        CliRun notAudio = CliRun.run(env(), args("download", recording, "-o", dir.resolve("x.wav").toString()));
        assertThat(notAudio.exitCode()).as(notAudio.toString()).isEqualTo(5);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void exit6WhenEveryAttemptIsResetAndNoFileIsLeftBehind() throws IOException {
        // More faults than attempts: each attempt (and each resume) is cut again. Each resume delivers bytes, which
        // would earn it another on the resume budget: --resume-for 0 counts resumes against --attempts.
        testkit.server().enqueueFaults(10, Fault.resetAfterBytes(50_000));
        Path target = dir.resolve("call.mp3");
        CliRun r = CliRun.run(env(), args("download", large, "--format", "mp3", "-o", target.toString(),
                "--resume-for", "0"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).startsWith("recordings: error: ").contains("4 attempts").hasLineCount(1);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no partial file, no temporary file").isEmpty();
        }
    }

    @Test
    void exit6WhenEveryAttemptToStreamFailsAfterSomeBytes() {
        testkit.server().enqueueFaults(10, Fault.closeAfterBytes(50_000));
        CliRun r = CliRun.run(env(), args("download", large, "--format", "mp3", "-o", "-", "--attempts", "2",
                "--resume-for", "0"));

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(6);
        assertThat(r.stderr()).startsWith("recordings: error: ").hasLineCount(1);
        assertThat(r.stdoutBytes().length).as("what arrived before the failure, and no message")
                .isLessThan((int) large.size(Format.MP3));
    }

    @Test
    void exit6WhenTheServerRefusesConnections() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun r = CliRun.run(env(), "metadata", "--base-url", "http://127.0.0.1:" + closedPort,
                "--sid", recording.sid(), "--attempts", "2");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).startsWith("recordings: error: ").containsIgnoringCase("refused").hasLineCount(1);
    }
}
