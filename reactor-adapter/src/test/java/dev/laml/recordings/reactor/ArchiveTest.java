package dev.laml.recordings.reactor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.reactor.ArchiveEvent.Failed;
import dev.laml.recordings.reactor.ArchiveEvent.Kind;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RecordingsClient#archive}: layout, sidecars, idempotence, resumption, delete-after-verify, dry run. */
class ArchiveTest {

    private static final int COUNT = 30;
    private static final int PAGE = 7; // 30 recordings: 5 pages
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 1, 30, 0, 0, ZoneOffset.UTC);
    private static final Duration BLOCK = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RecordingsServer server;
    private RecordingsClient client;
    private List<TestRecording> recordings;
    /** date_created as given to the testkit (which does not expose it), by sid. */
    private final Map<String, OffsetDateTime> created = new HashMap<>();

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken())
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)))
                .build();
        recordings = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            // Every 4 h 48 min from 01:30 UTC: six days; some stamped at another offset, which the layout ignores.
            OffsetDateTime at = T0.plusMinutes(288L * i);
            if (i % 5 == 0) {
                at = at.withOffsetSameInstant(ZoneOffset.ofHours(-5)); // 20:30 the day before, locally
            }
            recordings.add(add(RecordingSpec.create().seed(1000 + i).durationSeconds(1 + i % 4).channels(i % 7 == 0 ? 2 : 1),
                    at));
        }
    }

    private TestRecording add(RecordingSpec spec, OffsetDateTime at) {
        TestRecording r = server.addRecording(spec.dateCreated(at));
        created.put(r.sid(), at);
        return r;
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private List<ArchiveEvent> archive(ArchiveOptions options) {
        List<ArchiveEvent> events = client.archive(server.accountSid(), RecordingQuery.all().pageSize(PAGE), dir, options)
                .collectList().block(BLOCK);
        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1)).as("the summary comes last").isInstanceOf(Summary.class);
        assertThat(events).filteredOn(e -> e.kind() == Kind.SUMMARY).hasSize(1);
        return events;
    }

    private static Summary summary(List<ArchiveEvent> events) {
        return (Summary) events.get(events.size() - 1);
    }

    private static Set<String> sids(List<ArchiveEvent> events, Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).map(ArchiveTest::sidOf).collect(Collectors.toSet());
    }

    private static String sidOf(ArchiveEvent e) {
        if (e instanceof ArchiveEvent.Listed l) {
            return l.recording().sid();
        } else if (e instanceof ArchiveEvent.Skipped s) {
            return s.recording().sid();
        } else if (e instanceof ArchiveEvent.Downloaded d) {
            return d.recording().sid();
        } else if (e instanceof ArchiveEvent.WouldDownload w) {
            return w.recording().sid();
        } else if (e instanceof ArchiveEvent.Deleted d) {
            return d.recording().sid();
        } else if (e instanceof ArchiveEvent.WouldDelete w) {
            return w.recording().sid();
        } else if (e instanceof Failed f) {
            return f.sid();
        }
        return null;
    }

    private Path dayDir(TestRecording r) {
        OffsetDateTime utc = created.get(r.sid()).withOffsetSameInstant(ZoneOffset.UTC);
        return dir.resolve(String.format("%04d/%02d/%02d", utc.getYear(), utc.getMonthValue(), utc.getDayOfMonth()));
    }

    private Path audio(TestRecording r, Format format) {
        return dayDir(r).resolve(r.sid() + (format == Format.WAV ? ".wav" : ".mp3"));
    }

    private Path sidecar(TestRecording r) {
        return dayDir(r).resolve(r.sid() + ".json");
    }

    private long mediaRequests(TestRecording r) {
        return server.requestCount(r.url(Format.WAV).getPath()) + server.requestCount(r.url(Format.MP3).getPath());
    }

    private List<Path> partFiles() throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (!Files.exists(dir)) {
                return List.of();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
            } catch (java.io.UncheckedIOException e) {
                // A temporary file renamed or deleted by a running archive while the walk passed it.
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private void assertArchived(Iterable<TestRecording> archived, Format format) throws IOException {
        for (TestRecording r : archived) {
            assertThat(audio(r, format)).as(r.sid()).hasBinaryContent(r.bytes(format));
            Map<String, Object> json = readJson(sidecar(r));
            assertThat(Files.readString(sidecar(r))).as("a text file: ends with a newline").endsWith("}\n");
            assertThat(json).as(r.sid())
                    .containsEntry("sid", r.sid())
                    .containsEntry("account_sid", r.accountSid())
                    .containsEntry("date_created", created.get(r.sid()).withOffsetSameInstant(ZoneOffset.UTC)
                            .format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                    .containsEntry("duration", r.durationSeconds())
                    .containsEntry("channels", (long) r.channels())
                    .containsEntry("status", "completed")
                    .containsEntry("format", format == Format.WAV ? "wav" : "mp3")
                    .containsEntry("file", audio(r, format).getFileName().toString())
                    .containsEntry("size", r.size(format))
                    .containsEntry("sha256", r.sha256(format));
        }
    }

    /** A flat JSON object: strings, integers (as long), null. */
    static Map<String, Object> readJson(Path file) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                map.put(name, switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
                    case VALUE_NULL -> null;
                    default -> throw new AssertionError("unexpected " + t + " for " + name);
                });
            }
        }
        return map;
    }

    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void aFullRunArchivesEveryRecordingByteForByteWithItsSidecar() throws IOException {
        List<ArchiveEvent> events = archive(ArchiveOptions.defaults());

        Summary s = summary(events);
        long totalBytes = recordings.stream().mapToLong(r -> r.size(Format.WAV)).sum();
        assertThat(s.listed()).isEqualTo(COUNT);
        assertThat(s.downloaded()).isEqualTo(COUNT);
        assertThat(s.skipped() + s.failed() + s.deleted() + s.wouldDownload() + s.wouldDelete()).isZero();
        assertThat(s.bytes()).isEqualTo(totalBytes);
        assertThat(s.bytesPerSecond()).isPositive();
        assertThat(sids(events, Kind.DOWNLOADED)).hasSize(COUNT)
                .isEqualTo(recordings.stream().map(TestRecording::sid).collect(Collectors.toSet()));
        for (TestRecording r : recordings) {
            int listedAt = indexOf(events, Kind.LISTED, r.sid());
            int downloadedAt = indexOf(events, Kind.DOWNLOADED, r.sid());
            assertThat(listedAt).as("listed before downloaded").isLessThan(downloadedAt);
            ArchiveEvent.Downloaded d = (ArchiveEvent.Downloaded) events.get(downloadedAt);
            assertThat(d.sha256()).isEqualTo(r.sha256(Format.WAV));
            assertThat(d.bytes()).isEqualTo(r.size(Format.WAV));
            assertThat(d.file()).isEqualTo(audio(r, Format.WAV).toAbsolutePath());
        }
        assertArchived(recordings, Format.WAV);

        // Dated in UTC: i = 0 was stamped 20:30 -05:00 on Feb 28, which is 01:30 UTC on Mar 1.
        assertThat(dir.resolve("2026/03/01/" + recordings.get(0).sid() + ".wav")).exists();
        assertThat(partFiles()).isEmpty();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).count()).as("one audio file and one sidecar each")
                    .isEqualTo(2L * COUNT);
        }
        for (TestRecording r : recordings) {
            assertThat(mediaRequests(r)).as(r.sid()).isEqualTo(1);
        }
        assertThat(server.requestCount()).as("30 downloads and 5 pages").isEqualTo(COUNT + 5);
    }

    private static int indexOf(List<ArchiveEvent> events, Kind kind, String sid) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind() == kind && sid.equals(sidOf(events.get(i)))) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " for " + sid);
    }

    @Test
    void aSecondRunSkipsEverythingAndDownloadsNothing() throws IOException {
        archive(ArchiveOptions.defaults().concurrency(8));
        server.resetCounters();

        List<ArchiveEvent> events = archive(ArchiveOptions.defaults().concurrency(8));

        Summary s = summary(events);
        assertThat(s.listed()).isEqualTo(COUNT);
        assertThat(s.skipped()).isEqualTo(COUNT);
        assertThat(s.downloaded() + s.failed() + s.bytes()).isZero();
        assertThat(events).filteredOn(e -> e instanceof ArchiveEvent.Skipped).allSatisfy(e -> {
            ArchiveEvent.Skipped sk = (ArchiveEvent.Skipped) e;
            TestRecording r = server.recording(sk.recording().sid());
            assertThat(sk.sha256()).isEqualTo(r.sha256(Format.WAV));
            assertThat(sk.bytes()).isEqualTo(r.size(Format.WAV));
        });
        for (TestRecording r : recordings) {
            assertThat(mediaRequests(r)).as(r.sid()).isZero();
        }
        assertThat(server.requestCount()).as("the listing only").isEqualTo(5);
        assertArchived(recordings, Format.WAV);
    }

    @Test
    void aRunCancelledMidDownloadThenResumedEndsAsACleanRunWouldAndLeavesNoPartFiles() throws Exception {
        // The newest three (listed first) stall mid-body and hold three of the four slots.
        List<TestRecording> newestFirst = new ArrayList<>(recordings);
        Collections.reverse(newestFirst);
        List<TestRecording> stalled = newestFirst.subList(0, 3);
        stalled.forEach(r -> r.injectFault(Fault.stallAfterBytes(4096)));
        // What a killed JVM leaves: temporary files of the audio and of the sidecar, in a directory not yet reached.
        TestRecording oldest = recordings.get(0);
        Files.createDirectories(dayDir(oldest));
        Path staleAudio = Files.write(dayDir(oldest).resolve("." + oldest.sid() + ".wav.8723645.part"), new byte[100]);
        Path staleSidecar = Files.writeString(dayDir(oldest).resolve("." + oldest.sid() + ".json.42.part"), "{\"si");
        Path notOurs = Files.writeString(dayDir(oldest).resolve("notes.part"), "kept");

        List<ArchiveEvent> first = Collections.synchronizedList(new ArrayList<>());
        Disposable run = client.archive(server.accountSid(), RecordingQuery.all().pageSize(PAGE), dir,
                ArchiveOptions.defaults()).subscribe(first::add);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (count(first, Kind.DOWNLOADED) < 8 || stalledParts(stalled) < 3) {
            assertThat(System.nanoTime()).as("8 downloads and 3 stalled parts; saw " + first).isLessThan(deadline);
            Thread.sleep(10);
        }
        run.dispose();
        Set<String> downloadedBefore;
        synchronized (first) {
            downloadedBefore = sids(first, Kind.DOWNLOADED);
        }
        assertThat(downloadedBefore).doesNotContainAnyElementsOf(stalled.stream().map(TestRecording::sid).toList());
        assertThat(first).noneMatch(e -> e.kind() == Kind.SUMMARY);
        Thread.sleep(200); // let the cancelled run's clean-up settle; the next run does not depend on it
        server.clearFaults();
        server.resetCounters();

        List<ArchiveEvent> second = archive(ArchiveOptions.defaults());

        Summary s = summary(second);
        assertThat(s.failed()).isZero();
        assertThat(s.downloaded() + s.skipped()).isEqualTo(COUNT);
        assertThat(sids(second, Kind.SKIPPED)).containsAll(downloadedBefore);
        assertThat(sids(second, Kind.DOWNLOADED)).containsAll(stalled.stream().map(TestRecording::sid).toList());
        // Skipped: at least what the first run reported (a sidecar may have landed just before the cancel, its event
        // not); every other recording is fetched exactly once more.
        Set<String> skippedNow = sids(second, Kind.SKIPPED);
        for (TestRecording r : recordings) {
            assertThat(mediaRequests(r)).as(r.sid()).isEqualTo(skippedNow.contains(r.sid()) ? 0 : 1);
        }
        assertArchived(recordings, Format.WAV);
        assertThat(partFiles()).as("stale and cancelled temporary files are gone").containsExactly(notOurs);
        assertThat(staleAudio).doesNotExist();
        assertThat(staleSidecar).doesNotExist();
    }

    private static long count(List<ArchiveEvent> events, Kind kind) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind() == kind).count();
        }
    }

    private long stalledParts(List<TestRecording> stalled) throws IOException {
        Set<String> prefixes = stalled.stream().map(r -> "." + r.sid() + ".wav.").collect(Collectors.toSet());
        return partFiles().stream().filter(p -> prefixes.stream().anyMatch(p.getFileName().toString()::startsWith))
                .count();
    }

    @Test
    void damagedOrIncompleteLocalCopiesAreFetchedAgain() throws IOException {
        archive(ArchiveOptions.defaults());
        TestRecording truncated = recordings.get(3);
        TestRecording flipped = recordings.get(8);
        TestRecording noSidecar = recordings.get(13);
        TestRecording noAudio = recordings.get(21);
        TestRecording badSidecar = recordings.get(27);
        try (var ch = java.nio.channels.FileChannel.open(audio(truncated, Format.WAV),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(truncated.size(Format.WAV) / 2);
        }
        byte[] bytes = Files.readAllBytes(audio(flipped, Format.WAV));
        bytes[bytes.length - 1] ^= 1; // same size, different hash
        Files.write(audio(flipped, Format.WAV), bytes);
        Files.delete(sidecar(noSidecar)); // as when killed between the audio and its sidecar
        Files.delete(audio(noAudio, Format.WAV));
        Files.writeString(sidecar(badSidecar), "{\"sid\": ");
        server.resetCounters();

        List<ArchiveEvent> events = archive(ArchiveOptions.defaults());

        Set<String> damaged = Stream.of(truncated, flipped, noSidecar, noAudio, badSidecar).map(TestRecording::sid)
                .collect(Collectors.toSet());
        assertThat(sids(events, Kind.DOWNLOADED)).isEqualTo(damaged);
        assertThat(summary(events).skipped()).isEqualTo(COUNT - 5);
        assertThat(summary(events).failed()).isZero();
        for (TestRecording r : recordings) {
            assertThat(mediaRequests(r)).as(r.sid()).isEqualTo(damaged.contains(r.sid()) ? 1 : 0);
        }
        assertArchived(recordings, Format.WAV);
    }

    @Test
    void deleteAfterVerifyDeletesExactlyTheVerifiedRecordings() throws IOException {
        TestRecording broken = add(RecordingSpec.create().seed(7), T0.plusDays(1));
        broken.injectFault(Fault.serverError(503)); // every attempt at its audio fails
        TestRecording inProgress = add(RecordingSpec.create().seed(8)
                .completesAfter(Duration.ofHours(1)), T0.plusDays(2));
        archive(ArchiveOptions.defaults()); // archives the 30 without deleting
        TestRecording damaged = recordings.get(4);
        Files.write(audio(damaged, Format.WAV), new byte[10]);
        TestRecording undeletable = recordings.get(9);
        undeletable.injectFault(Fault.serverError(500)); // skipped (no media request), but its DELETE fails
        server.resetCounters();

        List<ArchiveEvent> events = archive(ArchiveOptions.defaults().deleteAfterVerify(true));

        Summary s = summary(events);
        assertThat(s.listed()).isEqualTo(COUNT + 2);
        assertThat(s.downloaded()).isEqualTo(1);
        assertThat(s.skipped()).isEqualTo(COUNT - 1);
        assertThat(s.deleted()).isEqualTo(COUNT - 1);
        assertThat(s.failed()).isEqualTo(3);
        assertThat(sids(events, Kind.DOWNLOADED)).containsExactly(damaged.sid());
        Map<String, Failed> failures = events.stream().filter(e -> e instanceof Failed).map(e -> (Failed) e)
                .collect(Collectors.toMap(Failed::sid, f -> f));
        assertThat(failures).containsOnlyKeys(broken.sid(), inProgress.sid(), undeletable.sid());
        assertThat(failures.get(broken.sid()).reason()).startsWith("download: ").contains("503");
        assertThat(failures.get(broken.sid()).error()).isInstanceOf(ServerException.class);
        assertThat(failures.get(inProgress.sid()).reason()).isEqualTo("not completed (status in-progress)");
        assertThat(failures.get(inProgress.sid()).error()).isInstanceOf(RecordingNotReadyException.class);
        assertThat(failures.get(undeletable.sid()).reason()).startsWith("delete: ").contains("500");
        for (TestRecording r : recordings) {
            int deletedAt = indexOf(events, Kind.DELETED, r.sid(), r != undeletable);
            if (r != undeletable) {
                int archivedAt = r == damaged ? indexOf(events, Kind.DOWNLOADED, r.sid())
                        : indexOf(events, Kind.SKIPPED, r.sid());
                assertThat(archivedAt).isLessThan(deletedAt);
                assertThat(server.requestCount(r.jsonUrl().getPath())).as("one DELETE").isEqualTo(1);
            }
        }

        assertThat(server.recordings()).extracting(TestRecording::sid)
                .containsExactlyInAnyOrder(broken.sid(), inProgress.sid(), undeletable.sid());
        assertThat(server.requestCount(inProgress.jsonUrl().getPath())).isZero();
        assertThat(server.requestCount(broken.jsonUrl().getPath())).isZero();
        assertThat(audio(broken, Format.WAV)).doesNotExist();
        assertThat(sidecar(broken)).doesNotExist();
        assertArchived(recordings, Format.WAV); // the local copies stay, of course
        assertThat(partFiles()).isEmpty();
    }

    private static int indexOf(List<ArchiveEvent> events, Kind kind, String sid, boolean required) {
        if (required) {
            return indexOf(events, kind, sid);
        }
        assertThat(events).noneMatch(e -> e.kind() == kind && sid.equals(sidOf(e)));
        return -1;
    }

    @Test
    void aDryRunDownloadsWritesAndDeletesNothing() throws IOException {
        List<ArchiveEvent> events = archive(ArchiveOptions.defaults().dryRun(true).deleteAfterVerify(true));

        Summary s = summary(events);
        assertThat(s.listed()).isEqualTo(COUNT);
        assertThat(s.wouldDownload()).isEqualTo(COUNT);
        assertThat(s.wouldDelete()).isEqualTo(COUNT);
        assertThat(s.downloaded() + s.skipped() + s.deleted() + s.failed() + s.bytes()).isZero();
        assertThat(dir).as("not even a directory").isEmptyDirectory();
        assertThat(server.requestCount()).as("the listing only").isEqualTo(5);
        assertThat(server.recordings()).hasSize(COUNT);

        archive(ArchiveOptions.defaults());
        TestRecording truncated = recordings.get(11);
        Files.write(audio(truncated, Format.WAV), new byte[44]);
        server.resetCounters();

        List<ArchiveEvent> again = archive(ArchiveOptions.defaults().dryRun(true).deleteAfterVerify(true));

        assertThat(summary(again).skipped()).isEqualTo(COUNT - 1);
        assertThat(sids(again, Kind.WOULD_DOWNLOAD)).containsExactly(truncated.sid());
        assertThat(summary(again).wouldDelete()).isEqualTo(COUNT);
        assertThat(audio(truncated, Format.WAV)).hasSize(44); // untouched
        assertThat(server.requestCount()).isEqualTo(5);
        assertThat(server.recordings()).hasSize(COUNT);
    }

    @Test
    void mp3ArchivesTheMp3Files() throws IOException {
        List<ArchiveEvent> events = archive(ArchiveOptions.defaults().format(AudioFormat.MP3).concurrency(16));

        assertThat(summary(events).downloaded()).isEqualTo(COUNT);
        assertArchived(recordings, Format.MP3);
        assertThat(audio(recordings.get(0), Format.WAV)).doesNotExist();
    }

    @Test
    void aListingThatFailsEndsInAFailedEventAndTheSummaryNotAnError() {
        try (RecordingsClient wrongToken = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), "PTwrong").build()) {
            List<ArchiveEvent> events = wrongToken.archive(server.accountSid(), RecordingQuery.all(), dir,
                    ArchiveOptions.defaults()).collectList().block(BLOCK);

            assertThat(events).hasSize(2);
            Failed f = (Failed) events.get(0);
            assertThat(f.recording()).isNull();
            assertThat(f.reason()).startsWith("list: ").contains("401");
            assertThat(summary(events).failed()).isEqualTo(1);
            assertThat(summary(events).listed()).isZero();
        }
    }

    @Test
    void argumentsAreCheckedAtCallTimeAndNothingHappensBeforeSubscription() {
        ArchiveOptions o = ArchiveOptions.defaults();
        assertThatThrownBy(() -> client.archive("not-a-uuid", RecordingQuery.all(), dir, o))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.archive(server.accountSid(), null, dir, o))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.archive(server.accountSid(), RecordingQuery.all(), (Path) null, o))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.archive(server.accountSid(), RecordingQuery.all(), dir, null))
                .isInstanceOf(IllegalArgumentException.class);

        client.archive(server.accountSid(), RecordingQuery.all(), dir.resolve("new"), o);
        assertThat(server.requestCount()).isZero();
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void optionsAreAnImmutableValueWithDocumentedDefaults() {
        ArchiveOptions d = ArchiveOptions.defaults();
        assertThat(d.format()).isEqualTo(AudioFormat.WAV);
        assertThat(d.concurrency()).isEqualTo(4);
        assertThat(d.deleteAfterVerify()).isFalse();
        assertThat(d.dryRun()).isFalse();

        ArchiveOptions changed = d.format(AudioFormat.MP3).concurrency(16).deleteAfterVerify(true).dryRun(true);
        assertThat(changed).isNotEqualTo(d).isEqualTo(ArchiveOptions.defaults().dryRun(true).deleteAfterVerify(true)
                .concurrency(16).format(AudioFormat.MP3));
        assertThat(d).isEqualTo(ArchiveOptions.defaults()); // unchanged
        assertThat(changed.toString()).contains("MP3", "16", "deleteAfterVerify", "dryRun");
        assertThatThrownBy(() -> d.concurrency(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.concurrency(ArchiveOptions.MAX_CONCURRENCY + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.format(null)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------- one recording by sid

    @Test
    void archiveRecordingArchivesThatRecordingAloneAndASecondTimeSkipsIt() throws IOException {
        TestRecording r = recordings.get(3);
        List<ArchiveEvent> first = client.archiveRecording(server.accountSid(), r.sid(), ArchiveTarget.directory(dir),
                ArchiveOptions.defaults().shard(1, 2)).collectList().block(BLOCK);
        assertThat(first).extracting(ArchiveEvent::kind).containsExactly(Kind.LISTED, Kind.DOWNLOADED, Kind.SUMMARY);
        assertArchived(List.of(r), Format.WAV);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(2); // its audio and sidecar, nothing else
        }
        assertThat(server.requestCount(r.jsonUrl().getPath())).as("its metadata, fetched once").isEqualTo(1);

        List<ArchiveEvent> again = client.archiveRecording(server.accountSid(), r.sid(), ArchiveTarget.directory(dir),
                ArchiveOptions.defaults().deleteAfterVerify(true)).collectList().block(BLOCK);
        assertThat(again).extracting(ArchiveEvent::kind)
                .containsExactly(Kind.LISTED, Kind.SKIPPED, Kind.DELETED, Kind.SUMMARY);
        assertThat(server.recordings()).extracting(TestRecording::sid).doesNotContain(r.sid());
    }

    @Test
    void archiveRecordingOfAnUnknownOrUnfinishedRecordingIsAFailedEventNotAnError() {
        String unknown = "0f0f0f0f-1111-2222-3333-444444444444";
        List<ArchiveEvent> events = client.archiveRecording(server.accountSid(), unknown, ArchiveTarget.directory(dir),
                ArchiveOptions.defaults()).collectList().block(BLOCK);
        assertThat(events).extracting(ArchiveEvent::kind).containsExactly(Kind.FAILED, Kind.SUMMARY);
        Failed f = (Failed) events.get(0);
        assertThat(f.recording()).isNull();
        assertThat(f.reason()).startsWith("list: ");
        assertThat(f.error()).isInstanceOf(dev.laml.recordings.NotFoundException.class);

        TestRecording inProgress = add(RecordingSpec.create().seed(9).completesAfter(Duration.ofHours(1)), T0);
        List<ArchiveEvent> waiting = client.archiveRecording(server.accountSid(), inProgress.sid(),
                ArchiveTarget.directory(dir), ArchiveOptions.defaults()).collectList().block(BLOCK);
        assertThat(waiting).extracting(ArchiveEvent::kind).containsExactly(Kind.LISTED, Kind.FAILED, Kind.SUMMARY);
        assertThat(((Failed) waiting.get(1)).error()).isInstanceOf(RecordingNotReadyException.class);
        assertThat(server.requestCount(inProgress.url(Format.WAV).getPath())).isZero();
        assertThatThrownBy(() -> client.archiveRecording(server.accountSid(), "not-a-uuid",
                ArchiveTarget.directory(dir), ArchiveOptions.defaults())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.archiveRecording(server.accountSid(), unknown, null, ArchiveOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
