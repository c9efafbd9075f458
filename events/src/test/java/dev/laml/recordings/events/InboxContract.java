package dev.laml.recordings.events;

import dev.laml.recordings.events.RecordingInbox.Entry;
import dev.laml.recordings.events.RecordingInbox.Offer;
import dev.laml.recordings.events.RecordingInbox.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What every inbox does, whatever database it is on. */
abstract class InboxContract {

    static final String ACCOUNT = "11111111-2222-3333-4444-555555555555";
    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<RecordingInbox> opened = new ArrayList<>();

    /** A new, empty inbox; {@link #reopen()} opens the same storage again. */
    abstract RecordingInbox create(int capacity);

    abstract RecordingInbox reopen();

    RecordingInbox inbox() {
        return track(create(RecordingInbox.DEFAULT_CAPACITY));
    }

    RecordingInbox track(RecordingInbox inbox) {
        opened.add(inbox);
        return inbox;
    }

    @AfterEach
    void closeInboxes() {
        opened.forEach(RecordingInbox::close);
    }

    static InboxEvent event(String sid, String status) {
        return new InboxEvent(ACCOUNT, sid, null, status, "callback");
    }

    static String sid() {
        return UUID.randomUUID().toString();
    }

    @Test
    void anEventOfferedManyTimesIsStoredOnce() {
        RecordingInbox inbox = inbox();
        String sid = sid();
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.STORED);
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.DUPLICATE);
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.DUPLICATE);
        assertThat(inbox.counts().block(WAIT)).containsEntry(State.PENDING, 1L).containsEntry(State.ARCHIVED, 0L);
        Entry e = inbox.entry(sid).block(WAIT);
        assertThat(e.status()).isEqualTo("completed");
        assertThat(e.accountSid()).isEqualTo(ACCOUNT);
        assertThat(e.origin()).isEqualTo("callback");
    }

    @Test
    void aCompletedStatusUpdatesAnInProgressEntryOnceAndAnEarlierStatusChangesNothing() {
        RecordingInbox inbox = inbox();
        String sid = sid();
        assertThat(inbox.offer(event(sid, "in-progress")).block(WAIT)).isEqualTo(Offer.STORED);
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.UPDATED);
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.DUPLICATE);
        assertThat(inbox.offer(event(sid, "in-progress")).block(WAIT)).isEqualTo(Offer.DUPLICATE);
        assertThat(inbox.entry(sid).block(WAIT).status()).isEqualTo("completed");
    }

    @Test
    void anArchivedEntryStaysArchivedWhenALaterStatusArrives() {
        RecordingInbox inbox = inbox();
        String sid = sid();
        inbox.offer(event(sid, "in-progress")).block(WAIT);
        Entry claimed = inbox.claim("a", 10, Duration.ofMinutes(1)).block(WAIT).get(0);
        assertThat(inbox.finish(claimed, State.ARCHIVED, "file:/x").block(WAIT)).isTrue();
        assertThat(inbox.offer(event(sid, "completed")).block(WAIT)).isEqualTo(Offer.UPDATED);
        Entry e = inbox.entry(sid).block(WAIT);
        assertThat(e.state()).isEqualTo(State.ARCHIVED);
        assertThat(e.detail()).isEqualTo("file:/x");
        assertThat(inbox.claim("a", 10, Duration.ofMinutes(1)).block(WAIT)).isEmpty();
    }

    @Test
    void aClaimedEntryIsNotClaimedAgainUntilItsLeaseRunsOutAndThenTheOldOwnerCannotFinishIt() throws Exception {
        RecordingInbox inbox = inbox();
        String sid = sid();
        inbox.offer(event(sid, "completed")).block(WAIT);
        List<Entry> first = inbox.claim("dead-worker", 10, Duration.ofMillis(500)).block(WAIT);
        assertThat(first).extracting(Entry::recordingSid).containsExactly(sid);
        assertThat(first.get(0).attempts()).isEqualTo(1);
        assertThat(inbox.claim("other", 10, Duration.ofMinutes(1)).block(WAIT)).isEmpty();

        List<Entry> taken = awaitClaim(inbox, "other");
        assertThat(taken).extracting(Entry::recordingSid).containsExactly(sid);
        assertThat(taken.get(0).attempts()).isEqualTo(2);
        assertThat(inbox.finish(first.get(0), State.ARCHIVED, "late").block(WAIT)).isFalse();
        assertThat(inbox.finish(taken.get(0), State.ARCHIVED, "file:/y").block(WAIT)).isTrue();
        assertThat(inbox.entry(sid).block(WAIT).detail()).isEqualTo("file:/y");
    }

    /** Claims until the lease has run out (no fixed sleep: how long that takes depends on the machine's load). */
    static List<Entry> awaitClaim(RecordingInbox inbox, String owner) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Entry> got = inbox.claim(owner, 10, Duration.ofMinutes(1)).block(WAIT);
            if (!got.isEmpty()) {
                return got;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing could be claimed within " + WAIT);
    }

    @Test
    void aRenewedLeaseKeepsOthersAway() throws Exception {
        RecordingInbox inbox = inbox();
        inbox.offer(event(sid(), "completed")).block(WAIT);
        inbox.claim("a", 10, Duration.ofMillis(300)).block(WAIT);
        assertThat(inbox.renew("a", Duration.ofMinutes(5)).block(WAIT)).isEqualTo(1);
        Thread.sleep(600); // past the first lease, well before the renewed one
        assertThat(inbox.claim("b", 10, Duration.ofMinutes(1)).block(WAIT)).isEmpty();
    }

    @Test
    void aRetriedEntryComesBackOnlyAfterItsTime() throws Exception {
        RecordingInbox inbox = inbox();
        String sid = sid();
        inbox.offer(event(sid, "completed")).block(WAIT);
        Entry e = inbox.claim("a", 10, Duration.ofMinutes(1)).block(WAIT).get(0);
        assertThat(inbox.retry(e, Instant.now().plusMillis(400), "download: reset").block(WAIT)).isTrue();
        assertThat(inbox.claim("a", 10, Duration.ofMinutes(1)).block(WAIT)).isEmpty();
        assertThat(inbox.entry(sid).block(WAIT).detail()).isEqualTo("download: reset");
        assertThat(awaitClaim(inbox, "a")).extracting(Entry::attempts).containsExactly(2);
    }

    @Test
    void releasedEntriesCanBeClaimedAtOnceAndTheReleaseIsNotAnAttempt() {
        RecordingInbox inbox = inbox();
        inbox.offer(event(sid(), "completed")).block(WAIT);
        inbox.offer(event(sid(), "completed")).block(WAIT);
        assertThat(inbox.claim("a", 10, Duration.ofMinutes(10)).block(WAIT)).hasSize(2);
        assertThat(inbox.release("a").block(WAIT)).isEqualTo(2);
        List<Entry> again = inbox.claim("b", 10, Duration.ofMinutes(10)).block(WAIT);
        assertThat(again).hasSize(2).allSatisfy(e -> assertThat(e.attempts()).isEqualTo(1));
    }

    @Test
    void failedAndAbsentEntriesAreCountedAndListed() {
        RecordingInbox inbox = inbox();
        String a = sid();
        String b = sid();
        inbox.offer(event(a, "completed")).block(WAIT);
        inbox.offer(event(b, "absent")).block(WAIT);
        for (Entry e : inbox.claim("w", 10, Duration.ofMinutes(1)).block(WAIT)) {
            inbox.finish(e, e.recordingSid().equals(a) ? State.FAILED : State.ABSENT,
                    e.recordingSid().equals(a) ? "download: 5 attempts, last: reset" : null).block(WAIT);
        }
        assertThat(inbox.counts().block(WAIT)).containsEntry(State.FAILED, 1L).containsEntry(State.ABSENT, 1L)
                .containsEntry(State.PENDING, 0L);
        assertThat(inbox.entries(State.FAILED, 10).block(WAIT)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("download: 5 attempts, last: reset"));
    }

    @Test
    void unfinishedEntriesAreThereAfterTheInboxIsOpenedAgain() {
        RecordingInbox inbox = inbox();
        String done = sid();
        String open = sid();
        inbox.offer(event(done, "completed")).block(WAIT);
        inbox.offer(event(open, "completed")).block(WAIT);
        Entry d = inbox.claim("a", 1, Duration.ofMinutes(10)).block(WAIT).get(0);
        inbox.finish(d, State.ARCHIVED, null).block(WAIT);
        inbox.close();

        RecordingInbox again = track(reopen());
        assertThat(again.claim("b", 10, Duration.ofMinutes(1)).block(WAIT)).extracting(Entry::recordingSid)
                .containsExactly(d.recordingSid().equals(done) ? open : done);
        assertThat(again.offer(event(d.recordingSid(), "completed")).block(WAIT)).isEqualTo(Offer.DUPLICATE);
    }

    @Test
    void aFullInboxRefusesNewRecordingsButStillTakesUpdates() {
        RecordingInbox inbox = track(create(2));
        String first = sid();
        inbox.offer(event(first, "in-progress")).block(WAIT);
        inbox.offer(event(sid(), "completed")).block(WAIT);
        assertThat(inbox.offer(event(sid(), "completed")).block(WAIT)).isEqualTo(Offer.FULL);
        assertThat(inbox.offer(event(first, "completed")).block(WAIT)).isEqualTo(Offer.UPDATED);
        assertThat(inbox.counts().block(WAIT)).containsEntry(State.PENDING, 2L);
    }

    @Test
    void settingsAreKeptAndReplaced() {
        RecordingInbox inbox = inbox();
        assertThat(inbox.setting("reconciled-until").block(WAIT)).isNull();
        inbox.setting("reconciled-until", "2026-01-01T00:00:00Z").block(WAIT);
        inbox.setting("reconciled-until", "2026-01-02T00:00:00Z").block(WAIT);
        assertThat(inbox.setting("reconciled-until").block(WAIT)).isEqualTo("2026-01-02T00:00:00Z");
    }

    @Test
    void manyOffersAtOnceAreAllStoredAndEachSidOnce() {
        RecordingInbox inbox = inbox();
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sids.add(sid());
        }
        List<Offer> results = reactor.core.publisher.Flux.fromIterable(sids)
                .concatWith(reactor.core.publisher.Flux.fromIterable(sids.subList(0, 30)))
                .flatMap(s -> inbox.offer(event(s, "completed")), 256)
                .collectList().block(WAIT);
        assertThat(results).filteredOn(o -> o == Offer.STORED).hasSize(300);
        assertThat(results).filteredOn(o -> o == Offer.DUPLICATE).hasSize(30);
        assertThat(inbox.counts().block(WAIT)).containsEntry(State.PENDING, 300L);
    }
}
