package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The token is never printed: not on success, not in errors, not with --verbose and its stack traces. */
class SecretsTest {

    static final String PROJECT = "3d9c6a43-2b1f-4d0e-8a7b-5c6d7e8f9a0b";
    static final String TOKEN = "PTcanary-d41d8cd98f00b204";
    static final String WRONG = "PTwrong-canary-e3b0c44298fc";

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(PROJECT, TOKEN));

    static TestRecording recording;

    @TempDir
    Path dir;

    @BeforeAll
    static void addRecording() {
        recording = testkit.server().addRecording(RecordingSpec.create());
    }

    @Test
    void neitherTheTokenNorItsBasicFormAppearInAnyOutput() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        List<CliRun> runs = new ArrayList<>();
        for (String token : List.of(TOKEN, WRONG)) {
            Map<String, String> env = CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", token);
            runs.add(CliRun.run(env, args("--verbose", "metadata", "--sid", recording.sid())));
            runs.add(CliRun.run(env, args("metadata", "--sid", recording.sid(), "--json", "-v")));
            runs.add(CliRun.run(env, args("metadata", "--sid", UUID.randomUUID().toString(), "--verbose")));
            runs.add(CliRun.run(env, args("download", "--sid", recording.sid(), "--media-auth", "--verbose",
                    "-o", dir.resolve("a.wav").toString())));
            testkit.server().enqueueFaults(2, Fault.serverError(503));
            runs.add(CliRun.run(env, args("metadata", "--sid", recording.sid(), "--verbose", "--attempts", "2")));
        }
        runs.add(CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                args("metadata", "--sid", recording.sid(), "--token-file", tokenFile.toString(), "--verbose")));
        // Tokens with characters that could split a header are refused; the message must not echo them.
        runs.add(CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN + "\u0007x"),
                args("metadata", "--sid", recording.sid(), "--verbose")));

        assertThat(runs).extracting(CliRun::exitCode).containsExactly(0, 0, 3, 0, 5, 4, 4, 4, 0, 5, 0, 2);
        assertThat(runs).extracting(CliRun::stderr).anySatisfy(e -> assertThat(e).contains("at dev.laml"));
        for (CliRun run : runs) {
            for (String secret : secrets()) {
                assertThat(run.all()).as(run.toString()).doesNotContain(secret);
            }
        }
    }

    @Test
    void listAndDeleteNeverPrintTheTokenEither() throws IOException {
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        List<CliRun> runs = new ArrayList<>();
        for (String token : List.of(TOKEN, WRONG)) {
            Map<String, String> env = CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", token);
            runs.add(CliRun.run(env, args("list", "--verbose")));
            runs.add(CliRun.run(env, args("list", "--json", "--limit", "1", "-v")));
            runs.add(CliRun.run(env, args("list", "--since", "not-a-date", "--verbose")));
            runs.add(CliRun.run(env, args("delete", "--sid", UUID.randomUUID().toString(), "--yes", "--verbose")));
            runs.add(CliRun.run(env, args("delete", "--sid", recording.sid(), "--verbose"))); // no terminal: refused
            testkit.server().enqueueFaults(2, Fault.serverError(503));
            runs.add(CliRun.run(env, args("list", "--verbose", "--attempts", "2")));
        }
        runs.add(CliRun.atTerminal(question -> "n", CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                args("delete", "--sid", recording.sid(), "--token-file", tokenFile.toString(), "--verbose")));

        assertThat(runs).extracting(CliRun::exitCode).containsExactly(0, 0, 2, 3, 2, 5, 4, 4, 2, 4, 2, 5, 0);
        assertThat(runs).extracting(CliRun::stderr).anySatisfy(e -> assertThat(e).contains("at dev.laml"));
        assertThat(testkit.server().recording(recording.sid())).as("never deleted").isNotNull();
        for (CliRun run : runs) {
            for (String secret : secrets()) {
                assertThat(run.all()).as(run.toString()).doesNotContain(secret);
            }
        }
    }

    private static List<String> secrets() {
        List<String> s = new ArrayList<>();
        for (String token : List.of(TOKEN, WRONG)) {
            s.add(token);
            s.add(Base64.getEncoder().encodeToString((PROJECT + ":" + token).getBytes(StandardCharsets.UTF_8)));
        }
        return s;
    }

    private static String[] args(String... a) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of("--base-url", testkit.baseUrl().toString()));
        return all.toArray(String[]::new);
    }
}
