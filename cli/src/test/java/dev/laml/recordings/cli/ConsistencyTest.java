package dev.laml.recordings.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a newcomer meets across commands: where the server comes from ($SIGNALWIRE_BASE_URL as $SIGNALWIRE_SPACE), one
 * JSON style (JSON Lines), and the commands {@code serve} prints working when pasted.
 */
class ConsistencyTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-8d2e41";

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(PROJECT, TOKEN));

    static TestRecording recording;

    @TempDir
    Path dir;

    @BeforeAll
    static void addRecordings() {
        recording = testkit.server().addRecording(RecordingSpec.create().durationSeconds(9));
        testkit.server().addRecordings(3, 7);
    }

    static Map<String, String> env(String... more) {
        Map<String, String> env = CliRun.env(more);
        env.put("SIGNALWIRE_PROJECT_ID", PROJECT);
        env.put("SIGNALWIRE_API_TOKEN", TOKEN);
        return env;
    }

    // ------------------------------------------------------------------------------------------ $SIGNALWIRE_BASE_URL

    @Test
    void theBaseUrlComesFromSignalwireBaseUrlWhenNoOptionNamesTheServer() {
        CliRun r = CliRun.run(env("SIGNALWIRE_BASE_URL", testkit.baseUrl().toString()),
                "metadata", "--sid", recording.sid());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains(recording.sid());
    }

    @Test
    void signalwireBaseUrlWinsOverSignalwireSpaceAndTheSpaceOptionWinsOverBoth() {
        Map<String, String> both = env("SIGNALWIRE_BASE_URL", testkit.baseUrl().toString(),
                "SIGNALWIRE_SPACE", "example");

        CliRun fromBaseUrl = CliRun.run(both, "metadata", "--sid", recording.sid(), "-v");
        // A space name the client refuses: proves --space was the one used, without a request to the internet.
        CliRun fromOption = CliRun.run(both, "metadata", "--sid", recording.sid(), "--space", "not_a_space");

        assertThat(fromBaseUrl.exitCode()).as(fromBaseUrl.toString()).isZero();
        assertThat(fromBaseUrl.stderr()).contains("base URL from $SIGNALWIRE_BASE_URL ($SIGNALWIRE_SPACE is set too");
        assertThat(fromOption.exitCode()).as(fromOption.toString()).isEqualTo(2);
        assertThat(fromOption.stderr()).contains("not_a_space").doesNotContain("127.0.0.1");
    }

    @Test
    void aMalformedSignalwireBaseUrlIsAnInputErrorNamingTheVariable() {
        CliRun r = CliRun.run(env("SIGNALWIRE_BASE_URL", "http://127.0.0.1:80 80"), "metadata", "--sid",
                recording.sid());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("recordings: error: $SIGNALWIRE_BASE_URL is not a URL: ").hasLineCount(1);
    }

    @Test
    void theHelpAndTheReadmeNameSignalwireBaseUrl() throws Exception {
        CliRun help = CliRun.run("metadata", "--help");
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);

        // picocli wraps the description: compare with the line breaks and indentation taken out.
        assertThat(help.stdout().replaceAll("\\s+", " ")).contains("SIGNALWIRE_BASE_URL or a server's URL instead",
                "--base-url=URL Talk to URL instead of a space", "Default: $SIGNALWIRE_BASE_URL unless --space");
        assertThat(readme).contains("`--base-url URL` (default `$SIGNALWIRE_BASE_URL`");
    }

    // ------------------------------------------------------------------------------------------ JSON Lines

    @Test
    void metadataJsonIsOneLineAndTheSameLineListJsonPrintsForThatRecording() throws Exception {
        Map<String, String> env = env("SIGNALWIRE_BASE_URL", testkit.baseUrl().toString());
        CliRun metadata = CliRun.run(env, "metadata", "--sid", recording.sid(), "--json");
        CliRun list = CliRun.run(env, "list", "--json");

        assertThat(metadata.exitCode()).as(metadata.toString()).isZero();
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(metadata.stdout()).hasLineCount(1).endsWith("\n");
        assertThat(new ObjectMapper().readTree(metadata.stdout()).get("duration").asLong()).isEqualTo(9);
        assertThat(list.stdout().lines().toList()).hasSize(4).contains(metadata.stdout().strip());
    }

    @Test
    void prettyPrintsTheSameObjectIndented() throws Exception {
        Map<String, String> env = env("SIGNALWIRE_BASE_URL", testkit.baseUrl().toString());
        CliRun oneLine = CliRun.run(env, "metadata", "--sid", recording.sid(), "--json");
        CliRun pretty = CliRun.run(env, "metadata", "--sid", recording.sid(), "--pretty");
        CliRun both = CliRun.run(env, "metadata", "--sid", recording.sid(), "--json", "--pretty");

        assertThat(pretty.exitCode()).as(pretty.toString()).isZero();
        assertThat(pretty.stdout().lines().count()).isGreaterThan(10);
        assertThat(pretty.stdout()).contains("\n  \"sid\" : ");
        ObjectMapper mapper = new ObjectMapper();
        JsonNode expected = mapper.readTree(oneLine.stdout());
        assertThat(mapper.readTree(pretty.stdout())).isEqualTo(expected);
        assertThat(both.stdout()).isEqualTo(pretty.stdout());
    }

    // ------------------------------------------------------------------------------------------ serve's examples

    @Test
    void theCommandsServePrintsWorkWithTheVariablesItExports() throws Exception {
        Path ca = dir.resolve("ca.pem");
        Map<String, String> exported = serveAndRunWhatItPrints("serve", "--tls", "--ca-out", ca.toString(),
                "--recordings", "2");

        assertThat(exported).containsOnlyKeys("SIGNALWIRE_BASE_URL", "SIGNALWIRE_CA_FILE",
                "SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN");
        assertThat(exported.get("SIGNALWIRE_CA_FILE")).isEqualTo(ca.toAbsolutePath().toString());
    }

    @Test
    void withAProjectIdOfItsOwnTheCommandsServePrintsNameTheAccount() throws Exception {
        Map<String, String> exported = serveAndRunWhatItPrints("serve", "--project", "my-project", "--recordings", "1");

        assertThat(exported).containsOnlyKeys("SIGNALWIRE_BASE_URL", "SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN");
        assertThat(exported.get("SIGNALWIRE_PROJECT_ID")).isEqualTo("my-project");
    }

    /**
     * Starts {@code serve} with {@code args}, runs each command it prints for this tool with the variables it prints
     * to export, asserts that each succeeds, and returns those variables.
     */
    private Map<String, String> serveAndRunWhatItPrints(String... serveArgs) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        Map<String, String> exported = new HashMap<>();
        Thread serving = new Thread(() -> exit.set(RecordingsCli.run(serveArgs,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of())),
                "serve-under-test");
        serving.start();
        try {
            String printed = awaitOutput(out, " --json\n");
            List<String[]> commands = new ArrayList<>();
            for (String line : printed.lines().map(String::strip).toList()) {
                if (line.startsWith("export ")) {
                    for (String assignment : line.substring("export ".length()).split(" ")) {
                        String[] kv = assignment.split("=", 2);
                        exported.put(kv[0], kv[1]);
                    }
                } else if (line.startsWith("recordings ")) {
                    // In-process the tool has no jar to name (QuietJarIT runs the jar's own lines in a shell).
                    commands.add(line.substring("recordings ".length()).split(" "));
                }
            }
            assertThat(commands).as(printed).extracting(c -> c[0]).containsExactly("metadata", "download", "list");

            for (String[] command : commands) {
                String[] args = command.clone();
                int o = Arrays.asList(args).indexOf("-o");
                if (o >= 0) {
                    args[o + 1] = dir.resolve(args[o + 1]).toString(); // not into the module's directory
                }
                CliRun r = CliRun.run(exported, args);
                assertThat(r.exitCode()).as(String.join(" ", command) + "\n" + r).isZero();
            }
            assertThat(dir.resolve("recording.wav")).isNotEmptyFile();
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertThat(exit.get()).isZero();
        return exported;
    }

    private static String awaitOutput(ByteArrayOutputStream out, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String s = out.toString(StandardCharsets.UTF_8);
            if (s.contains(marker)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("serve printed no '" + marker + "' in 30 s: " + out.toString(StandardCharsets.UTF_8));
    }
}
