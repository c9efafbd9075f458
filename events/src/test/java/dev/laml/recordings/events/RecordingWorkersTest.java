package dev.laml.recordings.events;

import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The workers end to end: the testkit as SignalWire, a SQLite inbox, a directory target. */
class RecordingWorkersTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    RecordingsServer server;
    RecordingsClient client;
    RecordingInbox inbox;
    Path archive;
    final List<WorkerEvent> seen = new CopyOnWriteArrayList<>();
    final List<Disposable> running = new ArrayList<>();

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken())
                .retryPolicy(RetryPolicy.none())
                .build();
        inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"));
        archive = tmp.resolve("archive");
    }

    @AfterEach
    void stop() {
        running.forEach(Disposable::dispose);
        inbox.close();
        client.close();
        server.close();
    }

    RecordingWorkers.Builder workers() {
        return RecordingWorkers.builder().client(client).inbox(inbox).target(ArchiveTarget.directory(archive))
                .concurrency(4).pollInterval(Duration.ofMillis(50)).firstBackoff(Duration.ofMillis(50));
    }

    RecordingWorkers run(RecordingWorkers w) {
        running.add(w.run().subscribe(seen::add));
        return w;
    }

    void offer(TestRecording r, String status) {
        inbox.offer(new InboxEvent(server.accountSid(), r.sid(), null, status, "callback")).block(WAIT);
    }

    void awaitCounts(Predicate<Map<State, Long>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<State, Long> last = null;
        while (System.nanoTime() < deadline) {
            last = inbox.counts().block(WAIT);
            if (condition.test(last)) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("inbox never got there; last counts " + last);
    }

    Optional<Path> stored(TestRecording r, String ext) throws IOException {
        if (!Files.exists(archive)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(p -> p.getFileName().toString().equals(r.sid() + ext)).findFirst();
        }
    }

    long mediaRequests(TestRecording r) {
        return server.requestCount(r.url(Format.WAV).getPath());
    }

    @Test
    void completedRecordingsAreArchivedByteForByteOnceHoweverOftenTheirEventArrives() throws Exception {
        List<TestRecording> recs = server.addRecordings(6, 42);
        for (TestRecording r : recs) {
            offer(r, "completed");
            offer(r, "completed"); // a duplicate callback
        }
        run(workers().build());
        awaitCounts(c -> c.get(State.ARCHIVED) == 6);
        for (TestRecording r : recs) {
            assertThat(stored(r, ".wav")).get().satisfies(p -> assertThat(p).hasBinaryContent(r.bytes(Format.WAV)));
            assertThat(stored(r, ".json")).isPresent();
            assertThat(mediaRequests(r)).as("downloaded once").isEqualTo(1);
            assertThat(inbox.entry(r.sid()).block(WAIT).detail()).startsWith("file:").endsWith(r.sid() + ".wav");
        }
        // A callback replayed after archiving changes nothing and fetches nothing.
        offer(recs.get(0), "completed");
        Thread.sleep(300);
        assertThat(mediaRequests(recs.get(0))).isEqualTo(1);
        assertThat(seen).filteredOn(e -> e.kind() == WorkerEvent.Kind.ARCHIVED).hasSize(6);
    }

    @Test
    void anInProgressRecordingIsArchivedOnceItCompletes() throws Exception {
        TestRecording r = server.addRecording(RecordingSpec.create().seed(3).completesAfter(Duration.ofMillis(1500)));
        offer(r, "in-progress");
        run(workers().build());
        awaitCounts(c -> c.get(State.ARCHIVED) == 1);
        assertThat(stored(r, ".wav")).get().satisfies(p -> assertThat(p).hasBinaryContent(r.bytes(Format.WAV)));
    }

    @Test
    void anAbsentRecordingIsRecordedAndNothingIsFetched() throws Exception {
        TestRecording r = server.addRecording(RecordingSpec.create().seed(4).status("absent"));
        offer(r, "absent");
        run(workers().build());
        awaitCounts(c -> c.get(State.ABSENT) == 1);
        assertThat(server.requestCount(r.jsonUrl().getPath())).isZero();
        assertThat(mediaRequests(r)).isZero();
        assertThat(stored(r, ".wav")).isEmpty();
    }

    @Test
    void aDownloadThatKeepsFailingIsRetriedWithBackoffThenMarkedFailedAndVisible() throws Exception {
        TestRecording bad = server.addRecording(RecordingSpec.create().seed(5));
        TestRecording good = server.addRecording(RecordingSpec.create().seed(6));
        bad.injectFault(Fault.serverError(503));
        offer(bad, "completed");
        offer(good, "completed");
        run(workers().maxAttempts(3).build());
        awaitCounts(c -> c.get(State.FAILED) == 1 && c.get(State.ARCHIVED) == 1);
        RecordingInbox.Entry failed = inbox.entries(State.FAILED, 10).block(WAIT).get(0);
        assertThat(failed.recordingSid()).isEqualTo(bad.sid());
        assertThat(failed.attempts()).isEqualTo(3);
        // The fault answers its metadata too: the reason names the metadata request.
        assertThat(failed.detail()).startsWith("gave up after 3 attempts: ").contains("503");
        assertThat(server.requestCount(bad.jsonUrl().getPath())).isEqualTo(3);
        assertThat(seen).filteredOn(e -> bad.sid().equals(e.recordingSid())).extracting(WorkerEvent::kind)
                .containsExactly(WorkerEvent.Kind.RETRY, WorkerEvent.Kind.RETRY, WorkerEvent.Kind.FAILED);
        assertThat(stored(bad, ".wav")).isEmpty();
    }

    @Test
    void unfinishedEntriesResumeAfterARestartAndADeadWorkersLeaseIsTakenOver() throws Exception {
        List<TestRecording> recs = server.addRecordings(3, 7);
        recs.forEach(r -> offer(r, "completed"));
        // A worker claimed one and died: its lease is in the database.
        inbox.claim("dead", 1, Duration.ofMillis(400)).block(WAIT);
        inbox.close();

        inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"));
        run(workers().build());
        awaitCounts(c -> c.get(State.ARCHIVED) == 3);
        for (TestRecording r : recs) {
            assertThat(stored(r, ".wav")).get().satisfies(p -> assertThat(p).hasBinaryContent(r.bytes(Format.WAV)));
        }
    }

    @Test
    void deleteAfterVerifyDeletesFromTheServerOnlyWhatWasStored() throws Exception {
        List<TestRecording> recs = server.addRecordings(3, 9);
        recs.forEach(r -> offer(r, "completed"));
        run(workers().options(ArchiveOptions.defaults().deleteAfterVerify(true)).build());
        awaitCounts(c -> c.get(State.ARCHIVED) == 3);
        assertThat(server.recordings()).isEmpty();
        for (TestRecording r : recs) {
            assertThat(stored(r, ".wav")).get().satisfies(p -> assertThat(p).hasBinaryContent(r.bytes(Format.WAV)));
        }
    }

    @Test
    void theReconcileSweepArchivesRecordingsWhoseCallbackWasLostAndRemembersHowFarItGot() throws Exception {
        List<TestRecording> recs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            recs.add(server.addRecording(RecordingSpec.create().seed(20 + i)
                    .dateCreated(java.time.OffsetDateTime.now().minusMinutes(30 + i))));
        }
        TestRecording old = server.addRecording(RecordingSpec.create().seed(30)
                .dateCreated(java.time.OffsetDateTime.now().minusDays(3)));
        offer(recs.get(0), "completed"); // only one callback arrived
        run(workers().reconcile(server.accountSid(), Duration.ofHours(1)).build());
        awaitCounts(c -> c.get(State.ARCHIVED) == 4);
        assertThat(seen).filteredOn(e -> e.kind() == WorkerEvent.Kind.RECONCILED).first()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("4 listed, 3 new"));
        assertThat(inbox.setting(RecordingWorkers.RECONCILED_UNTIL).block(WAIT)).isNotNull();
        assertThat(inbox.entry(recs.get(1).sid()).block(WAIT).origin()).isEqualTo("reconcile");
        for (TestRecording r : recs) {
            assertThat(mediaRequests(r)).as(r.sid() + " " + seen + " " + server.recordedRequests()).isEqualTo(1);
        }
        assertThat(mediaRequests(old)).as("older than the first sweep's lookback").isZero();
    }

    @Test
    void shutdownLetsWhatIsInFlightFinishAndCompletesTheRun() throws Exception {
        TestRecording slow = server.addRecording(RecordingSpec.create().seed(12));
        slow.injectFault(Fault.latency(Duration.ofMillis(500)));
        offer(slow, "completed");
        RecordingWorkers w = workers().build();
        List<WorkerEvent> events = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        running.add(w.run().doOnComplete(done::countDown).subscribe(events::add));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.requestCount(slow.jsonUrl().getPath()) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        w.shutdown(Duration.ofSeconds(20)).block(WAIT);
        assertThat(done.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(events).extracting(WorkerEvent::kind).containsExactly(WorkerEvent.Kind.ARCHIVED);
        assertThat(inbox.entry(slow.sid()).block(WAIT).state()).isEqualTo(State.ARCHIVED);
    }
}
