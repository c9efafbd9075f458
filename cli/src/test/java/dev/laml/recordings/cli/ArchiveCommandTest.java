package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code recordings archive} against the testkit: files, the summary, resumption, deletes and every exit code. */
class ArchiveCommandTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";
    static final OffsetDateTime DAY1 = OffsetDateTime.of(2026, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);

    @TempDir
    Path tmp;

    RecordingsServer server;
    Path archive;
    /** Two a day, on March 1 to 4, 09:00 and 18:00 UTC. */
    List<TestRecording> recordings = new ArrayList<>();

    @BeforeEach
    void start() {
        server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start();
        archive = tmp.resolve("archive"); // not created: the command creates it
        for (int i = 0; i < 8; i++) {
            recordings.add(server.addRecording(RecordingSpec.create().seed(500 + i).durationSeconds(1 + i % 3)
                    .dateCreated(DAY1.plusDays(i / 2).plusHours(9L * (i % 2)))));
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    CliRun archive(String... more) {
        return archive(env(), more);
    }

    CliRun archive(Map<String, String> env, String... more) {
        List<String> a = new ArrayList<>(List.of("archive", "--base-url", server.baseUrl().toString(),
                "--dir", archive.toString()));
        a.addAll(List.of(more));
        return CliRun.run(env, a.toArray(String[]::new));
    }

    Path file(TestRecording r, int dayIndex, String ext) {
        return archive.resolve("2026/03/0" + (dayIndex + 1)).resolve(r.sid() + ext);
    }

    Path file(int i) {
        return file(recordings.get(i), i / 2, ".wav");
    }

    long mediaRequests() {
        return recordings.stream().mapToLong(r -> server.requestCount(r.url(Format.WAV).getPath())
                + server.requestCount(r.url(Format.MP3).getPath())).sum();
    }

    List<Path> files() throws IOException {
        if (!Files.exists(archive)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(archive)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The summary's value row, split into columns. */
    static List<String> row(CliRun r, String header) {
        List<String> lines = r.stdout().lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).strip().startsWith(header)) {
                return List.of(lines.get(i + 1).strip().split("\\s{2,}"));
            }
        }
        throw new AssertionError("no summary table in\n" + r);
    }

    @Test
    void archivesEveryRecordingWithASummaryThenSkipsThemAll() throws IOException {
        CliRun first = archive();

        assertThat(first.exitCode()).as(first.toString()).isZero();
        for (int i = 0; i < recordings.size(); i++) {
            assertThat(file(i)).hasBinaryContent(recordings.get(i).bytes(Format.WAV));
            assertThat(file(i).resolveSibling(recordings.get(i).sid() + ".json")).exists();
        }
        long bytes = recordings.stream().mapToLong(r -> r.size(Format.WAV)).sum();
        assertThat(first.stdout()).containsPattern("listed +downloaded +skipped +failed +deleted +bytes +time +MB/s");
        assertThat(row(first, "listed")).startsWith("8", "8", "0", "0", "0", String.format("%,d", bytes));
        assertThat(first.stdout()).contains("All 8 recordings are archived in " + archive);
        assertThat(first.stderr()).contains("downloaded   2026/03/01/" + recordings.get(0).sid() + ".wav");
        assertThat(first.stderr().lines().filter(l -> l.contains("downloaded")).count()).isEqualTo(8);
        assertThat(mediaRequests()).isEqualTo(8);
        assertThat(first.all()).doesNotContain(TOKEN);

        server.resetCounters();
        CliRun second = archive();

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(row(second, "listed")).startsWith("8", "0", "8", "0", "0", "0");
        assertThat(second.stderr()).isEmpty(); // skipped recordings are listed only with --verbose
        assertThat(mediaRequests()).isZero();
    }

    @Test
    void sinceAndUntilTakeDatesOrDateTimes() throws IOException {
        CliRun days = archive("--since", "2026-03-02", "--until", "2026-03-03", "--format", "mp3");

        assertThat(days.exitCode()).as(days.toString()).isZero();
        assertThat(row(days, "listed").get(0)).isEqualTo("4");
        assertThat(files()).hasSize(8).contains(file(recordings.get(2), 1, ".mp3"), file(recordings.get(5), 2, ".mp3"));
        assertThat(file(recordings.get(2), 1, ".mp3")).hasBinaryContent(recordings.get(2).bytes(Format.MP3));

        CliRun times = archive("--since", "2026-03-04T12:00:00Z", "--dry-run");
        assertThat(times.exitCode()).as(times.toString()).isZero();
        assertThat(row(times, "listed").get(0)).isEqualTo("1"); // March 4 at 18:00 only

        CliRun local = archive("--until", "2026-03-01T10:00", "--dry-run"); // no offset: UTC
        assertThat(row(local, "listed").get(0)).isEqualTo("1");
    }

    @Test
    void dryRunShowsWhatWouldHappenAndTouchesNothing() {
        CliRun r = archive("--dry-run", "--delete-after-verify");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).containsPattern("listed +would download +skipped +failed +would delete");
        assertThat(row(r, "listed")).startsWith("8", "8", "0", "0", "8");
        assertThat(r.stdout()).contains("nothing was downloaded, written or deleted");
        assertThat(r.stderr()).contains("would download  2026/03/04/" + recordings.get(7).sid() + ".wav",
                "would delete    " + recordings.get(7).sid());
        assertThat(archive).doesNotExist();
        assertThat(mediaRequests()).isZero();
        assertThat(server.recordings()).hasSize(8);
    }

    @Test
    void deleteAfterVerifyEmptiesTheServerOnlyOfWhatIsArchived() throws IOException {
        CliRun r = archive("--delete-after-verify", "--concurrency", "16");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(row(r, "listed")).startsWith("8", "8", "0", "0", "8");
        assertThat(r.stdout()).contains("8 deleted from the server");
        assertThat(server.recordings()).isEmpty();
        for (int i = 0; i < recordings.size(); i++) {
            assertThat(file(i)).hasBinaryContent(recordings.get(i).bytes(Format.WAV));
        }
    }

    @Test
    void exit5WhenARecordingIsNotCompletedAndTheOthersAreStillArchived() {
        TestRecording busy = server.addRecording(RecordingSpec.create().seed(99).dateCreated(DAY1)
                .completesAfter(Duration.ofHours(1)));

        CliRun r = archive("--delete-after-verify");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
        assertThat(row(r, "listed")).startsWith("9", "8", "0", "1", "8");
        assertThat(r.stdout()).contains("FAILED  " + busy.sid() + "  not completed (status in-progress)",
                "1 failure; 8 of 9 recordings are archived");
        assertThat(server.recordings()).extracting(TestRecording::sid).containsExactly(busy.sid());
    }

    @Test
    void exit3WhenEveryFailureIsNotFoundAnd1WhenFailuresDiffer() {
        TestRecording gone = recordings.get(3);
        gone.injectFault(Fault.status(404));

        CliRun notFound = archive();

        assertThat(notFound.exitCode()).as(notFound.toString()).isEqualTo(3);
        assertThat(notFound.stdout()).containsPattern("FAILED  " + gone.sid() + "  download: .*404");
        assertThat(file(3)).doesNotExist();
        assertThat(file(2)).exists();

        server.addRecording(RecordingSpec.create().seed(99).dateCreated(DAY1).completesAfter(Duration.ofHours(1)));
        CliRun mixed = archive();

        assertThat(mixed.exitCode()).as(mixed.toString()).isEqualTo(1);
        assertThat(row(mixed, "listed")).startsWith("9", "0", "7", "2");
    }

    @Test
    void exit4WhenTheListingIsRefused() {
        CliRun r = archive(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", "PTwrong"));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
        assertThat(r.stdout()).containsPattern("FAILED  \\(listing\\)  list: .*401");
        assertThat(r.all()).doesNotContain("PTwrong");
        assertThat(archive).doesNotExist();
    }

    @Test
    void exit6WhenTransfersKeepBreaking() throws IOException {
        recordings.get(0).injectFault(Fault.resetAfterBytes(1000));

        // Every resume delivers 1000 bytes more: without --resume-for 0 that progress would carry it to the end.
        CliRun r = archive("--attempts", "2", "--resume-for", "0");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stdout()).contains("FAILED  " + recordings.get(0).sid() + "  download: ");
        try (Stream<Path> s = Files.walk(archive)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        }
    }

    @Test
    void exit2ForUnusableInput() throws IOException {
        CliRun badDate = archive("--since", "yesterday");
        assertThat(badDate.exitCode()).isEqualTo(2);
        assertThat(badDate.stderr()).startsWith("recordings: error: --since yesterday is not a date").hasLineCount(1);

        CliRun backwards = archive("--since", "2026-03-04", "--until", "2026-03-01");
        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.stderr()).contains("is after --until");

        CliRun concurrency = archive("--concurrency", "0");
        assertThat(concurrency.exitCode()).isEqualTo(2);

        CliRun noToken = archive(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT));
        assertThat(noToken.exitCode()).isEqualTo(2);
        assertThat(noToken.stderr()).contains("SIGNALWIRE_API_TOKEN").hasLineCount(1);

        Path aFile = Files.writeString(tmp.resolve("file"), "x");
        CliRun notADir = CliRun.run(env(), "archive", "--base-url", server.baseUrl().toString(), "--dir",
                aFile.toString());
        assertThat(notADir.exitCode()).isEqualTo(2);
        assertThat(notADir.stderr()).contains("not a directory");

        CliRun noDir = CliRun.run(env(), "archive", "--base-url", server.baseUrl().toString());
        assertThat(noDir.exitCode()).isEqualTo(2);
        assertThat(noDir.stderr()).contains("--dir");

        assertThat(server.requestCount()).isZero();
    }

    @Test
    void helpExplainsTheLayoutResumptionAndExitCodes() {
        CliRun r = CliRun.run("archive", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("Usage: recordings archive", "--dir", "--since", "--until", "--format",
                "--concurrency", "--delete-after-verify", "--dry-run", "DIR/yyyy/MM/dd/SID.wav", "Exit codes:");
        assertThat(r.stdout().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(CliRun.run("--help").stdout()).contains("archive");
    }

    @Test
    void shardsSplitTheWorkAndTogetherArchiveEachRecordingOnce() throws IOException {
        long total = 0;
        for (int k = 0; k < 3; k++) {
            CliRun r = archive("--shard", k + "/3");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            total += Long.parseLong(row(r, "listed").get(1));
        }
        assertThat(total).as("downloaded over the three shards").isEqualTo(8);
        assertThat(files()).hasSize(16); // 8 audio files + 8 sidecars, each once
        assertThat(mediaRequests()).isEqualTo(8);
        for (int i = 0; i < recordings.size(); i++) {
            assertThat(file(i)).hasBinaryContent(recordings.get(i).bytes(Format.WAV));
        }
    }

    @Test
    void aMalformedShardIsExit2WithNothingSent() {
        for (String bad : new String[] {"3/3", "-1/2", "1", "a/b", "0/0", "1/", "/2", "0/70000"}) {
            CliRun r = archive("--shard", bad);
            assertThat(r.exitCode()).as(bad + ": " + r).isEqualTo(2);
            assertThat(r.stderr()).contains("--shard must be K/N");
        }
        assertThat(server.requestCount()).isZero();
    }
}
