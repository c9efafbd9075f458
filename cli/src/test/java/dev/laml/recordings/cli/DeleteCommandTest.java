package dev.laml.recordings.cli;

import dev.laml.recordings.cli.internal.Prompt;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code recordings delete} against the testkit: asks at a terminal, refuses without one unless {@code --yes}, and
 * sends nothing it was not allowed to.
 */
class DeleteCommandTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(PROJECT, TOKEN));

    TestRecording recording;

    @BeforeEach
    void addRecording() {
        recording = testkit.server().addRecording(RecordingSpec.create());
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    static String[] args(String sid, String... more) {
        List<String> a = new ArrayList<>(List.of("delete", "--base-url", testkit.baseUrl().toString(), "--sid", sid));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    /** A terminal where someone types {@code answer} (null: Ctrl-D), remembering the questions. */
    static final class Typist implements Prompt {
        final String answer;
        final List<String> questions = new ArrayList<>();

        Typist(String answer) {
            this.answer = answer;
        }

        @Override
        public String ask(String question) {
            questions.add(question);
            return answer;
        }
    }

    boolean exists() {
        return testkit.server().recording(recording.sid()) != null;
    }

    @Test
    void withYesItIsDeletedAndThenNotFound() {
        CliRun r = CliRun.run(env(), args(recording.sid(), "--yes"));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("deleted recording " + recording.sid() + System.lineSeparator());
        assertThat(r.stderr()).isEmpty();
        List<RecordedRequest> requests = testkit.server().recordedRequests();
        assertThat(requests).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("DELETE");
            assertThat(request.path()).isEqualTo(recording.jsonUrl().getPath());
        });
        assertThat(exists()).isFalse();

        CliRun fetch = CliRun.run(env(), "metadata", "--base-url", testkit.baseUrl().toString(),
                "--sid", recording.sid());
        assertThat(fetch.exitCode()).as(fetch.toString()).isEqualTo(3);
    }

    @Test
    void withoutATerminalAndWithoutYesItRefusesAndSendsNothing() {
        CliRun noTerminal = CliRun.atTerminal(null, env(), args(recording.sid()));
        // Embedded on streams of its own, as here, a run never has a terminal, whatever the JVM is attached to.
        CliRun embedded = CliRun.run(env(), args(recording.sid()));

        for (CliRun r : List.of(noTerminal, embedded)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr()).isEqualTo("recordings: error: not deleting " + recording.sid() + ": stdin is not "
                    + "a terminal, so no one can confirm; pass --yes to delete without asking" + System.lineSeparator());
        }
        assertThat(testkit.server().requestCount()).isZero();
        assertThat(exists()).isTrue();
    }

    @Test
    void atATerminalItAsksAndYDeletes() {
        for (String yes : List.of("y", "YES", " Yes \t")) {
            TestRecording r = testkit.server().addRecording(RecordingSpec.create());
            Typist typist = new Typist(yes);

            CliRun run = CliRun.atTerminal(typist, env(), args(r.sid()));

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(typist.questions).containsExactly("Delete recording " + r.sid() + "? [y/N] ");
            assertThat(run.stdout()).contains("deleted recording " + r.sid());
            assertThat(testkit.server().recording(r.sid())).as(yes).isNull();
        }
    }

    @Test
    void atATerminalAnyOtherAnswerKeepsTheRecordingAndSendsNothing() {
        for (String answer : Arrays.asList("n", "", "no", "yes please", "ja", null)) {
            Typist typist = new Typist(answer);

            CliRun r = CliRun.atTerminal(typist, env(), args(recording.sid()));

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(typist.questions).hasSize(1);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr()).as(answer).contains("recordings: not deleted: " + recording.sid());
        }
        assertThat(testkit.server().requestCount()).isZero();
        assertThat(exists()).isTrue();
    }

    @Test
    void yesSkipsTheQuestionEvenAtATerminal() {
        Typist typist = new Typist("n");

        CliRun r = CliRun.atTerminal(typist, env(), args(recording.sid(), "-y"));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(typist.questions).isEmpty();
        assertThat(exists()).isFalse();
    }

    @Test
    void exit3ForAnUnknownRecording() {
        String unknown = UUID.randomUUID().toString();
        CliRun r = CliRun.run(env(), args(unknown, "--yes"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("recordings: error: ").contains("404").hasLineCount(1);
        assertThat(testkit.server().requestCount()).as("a delete is never retried").isEqualTo(1);
    }

    @Test
    void exit2ForAnInvalidSidBeforeAskingOrSending() {
        Typist typist = new Typist("y");
        CliRun atTerminal = CliRun.atTerminal(typist, env(), args("not-a-uuid"));
        CliRun withYes = CliRun.run(env(), args("../" + recording.sid(), "--yes"));
        CliRun badAccount = CliRun.run(env(), args(recording.sid(), "--yes", "--account", "x"));

        for (CliRun r : List.of(atTerminal, withYes, badAccount)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ").contains("must be a UUID")
                    .hasLineCount(1);
        }
        assertThat(typist.questions).isEmpty();
        assertThat(testkit.server().requestCount()).isZero();
        assertThat(exists()).isTrue();
    }

    @Test
    void exit4ForAWrongTokenAndTheRecordingStays() {
        CliRun r = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", "PTwrong"),
                args(recording.sid(), "--yes"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.stderr()).contains("401").hasLineCount(1);
        assertThat(exists()).isTrue();
    }

    @Test
    void theSidIsRequired() {
        CliRun r = CliRun.run(env(), "delete", "--yes");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("recordings: error: ").contains("--sid").hasLineCount(1);
    }
}
