package dev.laml.recordings.events.internal;

import dev.laml.recordings.events.InboxEvent;
import dev.laml.recordings.events.RecordingInbox;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The inbox on JDBC, for SQLite and PostgreSQL: one table keyed by recording sid, and a small settings table.
 *
 * <p>Two dedicated threads, each with its own connection, so that no JDBC call ever runs on a caller's (event loop)
 * thread: the writer commits offers in groups (everything queued when it wakes, in one transaction: one flush for
 * many callbacks, which is what makes thousands of durable offers a second possible), and the ops thread runs every
 * other statement in order. Times are epoch milliseconds from this JVM's clock: several instances sharing one
 * PostgreSQL need clocks in step to within a small part of the lease (NTP does that).
 */
public final class JdbcInbox implements RecordingInbox {

    private static final String TABLE = """
            CREATE TABLE IF NOT EXISTS recording_inbox (
              recording_sid VARCHAR(64) PRIMARY KEY,
              account_sid VARCHAR(64) NOT NULL,
              call_sid VARCHAR(64),
              status VARCHAR(32) NOT NULL,
              state VARCHAR(16) NOT NULL,
              attempts INTEGER NOT NULL,
              due_at BIGINT NOT NULL,
              lease_owner VARCHAR(128),
              lease_until BIGINT NOT NULL,
              received_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL,
              detail VARCHAR(1000),
              origin VARCHAR(16) NOT NULL)""";
    private static final String INDEX = "CREATE INDEX IF NOT EXISTS recording_inbox_due ON recording_inbox (state, due_at)";
    private static final String SETTINGS = "CREATE TABLE IF NOT EXISTS recording_inbox_settings ("
            + "name VARCHAR(64) PRIMARY KEY, value VARCHAR(1000) NOT NULL)";
    private static final String COLUMNS = "recording_sid, account_sid, call_sid, status, state, attempts, received_at, "
            + "updated_at, detail, origin, lease_owner";
    /** Statuses after which the recording still changes: a later, final one replaces them. */
    private static final String NOT_FINAL = "('in-progress', 'paused', 'stopped')";
    /** Offers waiting for the writer; beyond this the inbox answers FULL rather than queue without bound. */
    private static final int QUEUE = 8192;
    private static final int BATCH = 512;

    private final boolean postgres;
    private final String description;
    private final int capacity;
    private final Connection writerConnection;
    private final Connection opsConnection;
    private final ExecutorService ops;
    private final Thread writer;
    private final BlockingQueue<PendingOffer> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Pending rows, counted now and then on the writer thread and kept up to date by its own inserts. */
    private long pendingEstimate;
    private long pendingCountedAt;

    private JdbcInbox(boolean postgres, String description, int capacity, Callable<Connection> connect) {
        this.postgres = postgres;
        this.description = description;
        this.capacity = capacity;
        Connection w = null;
        Connection o = null;
        try {
            w = connect.call();
            o = connect.call();
            createSchema(w);
        } catch (Exception e) {
            closeQuietly(w);
            closeQuietly(o);
            throw failure("cannot open", e);
        }
        this.writerConnection = w;
        this.opsConnection = o;
        this.ops = Executors.newSingleThreadExecutor(r -> daemon(r, "laml-inbox-ops"));
        this.writer = daemon(this::writeLoop, "laml-inbox-writer");
        this.writer.start();
    }

    /** A SQLite inbox in {@code file} (WAL, synchronous FULL). */
    public static JdbcInbox sqlite(Path file, int capacity) {
        Path abs = file.toAbsolutePath();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("inbox " + abs + ": cannot create its directory: " + e.getMessage(), e);
        }
        return new JdbcInbox(false, abs.toString(), capacity, () -> {
            Properties p = new Properties();
            // BEGIN IMMEDIATE: a transaction takes the write lock when it starts. A deferred one starts as a reader
            // and, in WAL mode, cannot wait for the lock when it then writes: SQLite answers SQLITE_BUSY at once,
            // whatever the busy timeout (seen as refused callbacks while the other connection claimed entries).
            p.setProperty("transaction_mode", "IMMEDIATE");
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + abs, p);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA journal_mode=WAL");
                // FULL: a commit is on disk when it returns; NORMAL could lose the last commits on power loss,
                // and an event answered 204 must not be lost.
                s.execute("PRAGMA synchronous=FULL");
            }
            return c;
        });
    }

    /** A PostgreSQL inbox at {@code jdbcUrl}. */
    public static JdbcInbox postgres(String jdbcUrl, String user, String password, int capacity) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL inbox needs a jdbc:postgresql: URL");
        }
        String description = describePostgres(jdbcUrl);
        return new JdbcInbox(true, description, capacity, () -> {
            Properties p = new Properties();
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", "10");
            p.setProperty("ApplicationName", "laml-recordings-events");
            Connection c = DriverManager.getConnection(jdbcUrl, p);
            return c;
        });
    }

    /** {@code postgresql://host:port/db}: the URL without its parameters, which may hold a password. */
    static String describePostgres(String jdbcUrl) {
        String s = jdbcUrl.substring("jdbc:".length());
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int at = s.indexOf('@');
        if (at >= 0) {
            s = "postgresql://" + s.substring(at + 1);
        }
        return s;
    }

    private void createSchema(Connection c) throws SQLException {
        // Two instances starting together may both create: PostgreSQL then reports a duplicate type or key for the
        // loser of the race even with IF NOT EXISTS; the table is there, which is all that matters, so try again.
        for (int attempt = 0; ; attempt++) {
            try (Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute(TABLE);
                s.execute(INDEX);
                s.execute(SETTINGS);
                return;
            } catch (SQLException e) {
                if (attempt >= 2 || !postgres || !"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Mono<Offer> offer(InboxEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("event must not be null");
        }
        return Mono.create(sink -> {
            if (closed.get()) {
                sink.error(failure("closed", null));
            } else if (!queue.offer(new PendingOffer(event, sink))) {
                sink.success(Offer.FULL);
            }
        });
    }

    private void writeLoop() {
        List<PendingOffer> batch = new ArrayList<>(BATCH);
        while (!closed.get()) {
            try {
                PendingOffer first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                break;
            } finally {
                batch.clear();
            }
        }
        List<PendingOffer> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.sink.error(failure("closed", null)));
    }

    /** One transaction for the whole batch; every sink is told after the commit, or fails with it. */
    private void commit(List<PendingOffer> batch) {
        Offer[] results = new Offer[batch.size()];
        Connection c = writerConnection;
        try {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            long pending = pendingCount(c, now);
            // Prepared once per batch, not per offer: compiling the three statements for every callback was a
            // measurable part of the writer's CPU (EventsIntake, BENCHMARKS.md).
            try (PreparedStatement select = c.prepareStatement(SELECT_STATUS);
                 PreparedStatement insert = c.prepareStatement(INSERT);
                 PreparedStatement update = c.prepareStatement(UPDATE_FINAL)) {
                for (int i = 0; i < batch.size(); i++) {
                    results[i] = offerOne(select, insert, update, batch.get(i).event, now, pending);
                    if (results[i] == Offer.STORED) {
                        pending++;
                    }
                }
            }
            c.commit();
            pendingEstimate = pending;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            pendingCountedAt = 0; // count again: the estimate may count rows that were rolled back
            UncheckedIOException f = failure("cannot store an event", e);
            batch.forEach(p -> p.sink.error(f));
            return;
        } finally {
            // Back to autocommit between batches: the driver begins the next transaction as soon as one ends while
            // autocommit is off, and an idle open transaction would hold SQLite's write lock (or a PostgreSQL
            // snapshot) against the other connection.
            autocommitQuietly(c);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).sink.success(results[i]);
        }
    }

    private long pendingCount(Connection c, long now) throws SQLException {
        if (now - pendingCountedAt < 1000) {
            return pendingEstimate;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM recording_inbox WHERE state = 'PENDING'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            pendingCountedAt = now;
            pendingEstimate = rs.getLong(1);
            return pendingEstimate;
        }
    }

    private static final String SELECT_STATUS = "SELECT status FROM recording_inbox WHERE recording_sid = ?";
    // ON CONFLICT: another instance may insert the same sid between the select and the insert.
    private static final String INSERT = "INSERT INTO recording_inbox (recording_sid, account_sid, call_sid, status, "
            + "state, attempts, due_at, lease_owner, lease_until, received_at, updated_at, detail, origin) "
            + "VALUES (?, ?, ?, ?, 'PENDING', 0, ?, NULL, 0, ?, ?, NULL, ?) ON CONFLICT (recording_sid) DO NOTHING";
    // A final status replaces a passing one, once; the row goes back in line unless already archived.
    private static final String UPDATE_FINAL = "UPDATE recording_inbox SET status = ?, updated_at = ?, "
            + "state = CASE WHEN state = 'ARCHIVED' THEN state ELSE 'PENDING' END, "
            + "due_at = CASE WHEN state = 'ARCHIVED' THEN due_at ELSE ? END, "
            + "attempts = CASE WHEN state = 'ARCHIVED' THEN attempts ELSE 0 END "
            + "WHERE recording_sid = ? AND status IN " + NOT_FINAL;

    private Offer offerOne(PreparedStatement select, PreparedStatement insert, PreparedStatement update,
            InboxEvent e, long now, long pending) throws SQLException {
        String known = null;
        select.setString(1, e.recordingSid());
        try (ResultSet rs = select.executeQuery()) {
            if (rs.next()) {
                known = rs.getString(1);
            }
        }
        if (known == null) {
            if (pending >= capacity) {
                return Offer.FULL;
            }
            insert.setString(1, e.recordingSid());
            insert.setString(2, e.accountSid());
            insert.setString(3, e.callSid());
            insert.setString(4, e.status());
            insert.setLong(5, now);
            insert.setLong(6, now);
            insert.setLong(7, now);
            insert.setString(8, e.origin());
            if (insert.executeUpdate() == 1) {
                return Offer.STORED;
            }
        }
        if (!e.isFinalStatus()) {
            return Offer.DUPLICATE;
        }
        update.setString(1, e.status());
        update.setLong(2, now);
        update.setLong(3, now);
        update.setString(4, e.recordingSid());
        return update.executeUpdate() == 1 ? Offer.UPDATED : Offer.DUPLICATE;
    }

    @Override
    public Mono<List<Entry>> claim(String owner, int max, Duration lease) {
        checkOwner(owner);
        if (max < 1 || lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("max must be positive and lease a positive duration");
        }
        return onOps("cannot claim entries", c -> {
            long now = System.currentTimeMillis();
            long until = now + lease.toMillis();
            List<Entry> claimed = new ArrayList<>();
            if (postgres) {
                // SKIP LOCKED: drainers on other instances claim other rows instead of waiting for these.
                try (PreparedStatement s = c.prepareStatement("UPDATE recording_inbox SET lease_owner = ?, "
                        + "lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE recording_sid IN ("
                        + "SELECT recording_sid FROM recording_inbox WHERE state = 'PENDING' AND due_at <= ? "
                        + "AND lease_until < ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)) {
                    s.setString(1, owner);
                    s.setLong(2, until);
                    s.setLong(3, now);
                    s.setLong(4, now);
                    s.setLong(5, now);
                    s.setInt(6, max);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            claimed.add(entry(rs));
                        }
                    }
                }
                return claimed;
            }
            // SQLite has one writer at a time: select and update in one transaction are atomic enough.
            c.setAutoCommit(false);
            try {
                List<String> sids = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT recording_sid FROM recording_inbox "
                        + "WHERE state = 'PENDING' AND due_at <= ? AND lease_until < ? ORDER BY due_at LIMIT ?")) {
                    s.setLong(1, now);
                    s.setLong(2, now);
                    s.setInt(3, max);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            sids.add(rs.getString(1));
                        }
                    }
                }
                try (PreparedStatement u = c.prepareStatement("UPDATE recording_inbox SET lease_owner = ?, "
                        + "lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE recording_sid = ?");
                     PreparedStatement r = c.prepareStatement("SELECT " + COLUMNS
                             + " FROM recording_inbox WHERE recording_sid = ?")) {
                    for (String sid : sids) {
                        u.setString(1, owner);
                        u.setLong(2, until);
                        u.setLong(3, now);
                        u.setString(4, sid);
                        u.executeUpdate();
                        r.setString(1, sid);
                        try (ResultSet rs = r.executeQuery()) {
                            if (rs.next()) {
                                claimed.add(entry(rs));
                            }
                        }
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    @Override
    public Mono<Boolean> finish(Entry entry, State state, String detail) {
        if (entry == null || state == null || state == State.PENDING) {
            throw new IllegalArgumentException("an entry and a final state are needed");
        }
        return onOps("cannot record an outcome", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE recording_inbox SET state = ?, detail = ?, "
                    + "lease_owner = NULL, lease_until = 0, updated_at = ? WHERE recording_sid = ? AND lease_owner = ?")) {
                s.setString(1, state.name());
                s.setString(2, clip(detail));
                s.setLong(3, System.currentTimeMillis());
                s.setString(4, entry.recordingSid());
                s.setString(5, ownerOf(c, entry));
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Mono<Boolean> retry(Entry entry, Instant notBefore, String reason) {
        if (entry == null || notBefore == null) {
            throw new IllegalArgumentException("an entry and a time are needed");
        }
        return onOps("cannot record a failure", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE recording_inbox SET due_at = ?, detail = ?, "
                    + "lease_owner = NULL, lease_until = 0, updated_at = ? WHERE recording_sid = ? AND lease_owner = ? "
                    + "AND state = 'PENDING'")) {
                s.setLong(1, notBefore.toEpochMilli());
                s.setString(2, clip(reason));
                s.setLong(3, System.currentTimeMillis());
                s.setString(4, entry.recordingSid());
                s.setString(5, ownerOf(c, entry));
                return s.executeUpdate() == 1;
            }
        });
    }

    private static String ownerOf(Connection c, Entry entry) {
        String owner = entry.leaseOwner();
        if (owner == null) {
            throw new IllegalArgumentException("only a claimed entry can be finished or retried");
        }
        return owner;
    }

    @Override
    public Mono<Integer> renew(String owner, Duration lease) {
        checkOwner(owner);
        return onOps("cannot renew leases", c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE recording_inbox SET lease_until = ? "
                    + "WHERE lease_owner = ? AND state = 'PENDING'")) {
                s.setLong(1, System.currentTimeMillis() + lease.toMillis());
                s.setString(2, owner);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Mono<Integer> release(String owner) {
        checkOwner(owner);
        return onOps("cannot release leases", c -> {
            // A release is not an attempt: the claim counted one, the release takes it back.
            try (PreparedStatement s = c.prepareStatement("UPDATE recording_inbox SET lease_owner = NULL, "
                    + "lease_until = 0, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
                    + "WHERE lease_owner = ? AND state = 'PENDING'")) {
                s.setString(1, owner);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Mono<Map<State, Long>> counts() {
        return onOps("cannot count entries", c -> {
            Map<State, Long> counts = new EnumMap<>(State.class);
            for (State s : State.values()) {
                counts.put(s, 0L);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT state, count(*) FROM recording_inbox GROUP BY state");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(State.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    @Override
    public Mono<List<Entry>> entries(State state, int limit) {
        if (state == null || limit < 1) {
            throw new IllegalArgumentException("a state and a positive limit are needed");
        }
        return onOps("cannot list entries", c -> {
            List<Entry> list = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM recording_inbox WHERE state = ? "
                    + "ORDER BY received_at, recording_sid LIMIT ?")) {
                s.setString(1, state.name());
                s.setInt(2, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        list.add(entry(rs));
                    }
                }
            }
            return list;
        });
    }

    @Override
    public Mono<Entry> entry(String recordingSid) {
        if (recordingSid == null) {
            throw new IllegalArgumentException("recordingSid must not be null");
        }
        return onOps("cannot read an entry", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM recording_inbox WHERE recording_sid = ?")) {
                s.setString(1, recordingSid);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? entry(rs) : null;
                }
            }
        });
    }

    @Override
    public Mono<String> setting(String name) {
        return onOps("cannot read a setting", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT value FROM recording_inbox_settings WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    @Override
    public Mono<Void> setting(String name, String value) {
        return onOps("cannot store a setting", c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO recording_inbox_settings (name, value) "
                    + "VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")) {
                s.setString(1, name);
                s.setString(2, value);
                s.executeUpdate();
            }
            return null;
        }).then();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writer.interrupt();
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ops.shutdown();
        try {
            ops.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(writerConnection);
        closeQuietly(opsConnection);
    }

    @Override
    public String toString() {
        return "RecordingInbox{" + description + "}";
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on the ops thread; its result (null: empty) or failure is signalled there. */
    private <T> Mono<T> onOps(String what, Work<T> work) {
        return Mono.create(sink -> {
            try {
                ops.execute(() -> {
                    try {
                        T value = work.run(opsConnection);
                        if (value == null) {
                            sink.success();
                        } else {
                            sink.success(value);
                        }
                    } catch (SQLException | RuntimeException e) {
                        sink.error(failure(what, e));
                    }
                });
            } catch (RejectedExecutionException closedNow) {
                sink.error(failure("closed", null));
            }
        });
    }

    private Entry entry(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                State.valueOf(rs.getString(5)), rs.getInt(6), Instant.ofEpochMilli(rs.getLong(7)),
                Instant.ofEpochMilli(rs.getLong(8)), rs.getString(9), rs.getString(10), rs.getString(11));
    }

    private static String clip(String s) {
        if (s == null) {
            return null;
        }
        return s.length() > 1000 ? s.substring(0, 997) + "..." : s;
    }

    private static void checkOwner(String owner) {
        if (owner == null || owner.isBlank() || owner.length() > 128) {
            throw new IllegalArgumentException("owner must be 1 to 128 characters");
        }
    }

    private UncheckedIOException failure(String what, Throwable cause) {
        String reason = cause == null ? "" : ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage().strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
        return new UncheckedIOException(new IOException("inbox " + description + ": " + what + reason, cause));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the next statement reports it
        }
    }

    private static void autocommitQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the next statement reports it
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    private record PendingOffer(InboxEvent event, MonoSink<Offer> sink) {
    }
}
