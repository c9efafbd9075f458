package dev.laml.recordings.events;

import dev.laml.recordings.events.internal.JdbcInbox;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The durable inbox between the receiver and the workers: one row per recording sid in a real database, written before
 * the receiver answers 204, so that an event accepted is an event that survives a crash.
 *
 * <ul>
 *   <li>{@link #sqlite(Path)}: the embedded default, a SQLite file in WAL mode with {@code synchronous=FULL} (a
 *       commit is on disk before the offer completes). One process at a time.</li>
 *   <li>{@link #postgres(String, String, String)}: a PostgreSQL database shared by several instances behind a load
 *       balancer: every instance inserts, any instance drains; a claim takes rows with
 *       {@code FOR UPDATE SKIP LOCKED} and holds them under a lease, so the rows of an instance that died are taken
 *       over once its lease runs out.</li>
 * </ul>
 *
 * <p><b>Exactly once in storage.</b> The recording sid is the key: a duplicate or replayed callback is stored once
 * ({@link Offer#DUPLICATE}); a later status of the same recording ({@code in-progress} then {@code completed}) updates
 * the row ({@link Offer#UPDATED}) and puts it back in line unless it is already archived.
 *
 * <p><b>Threads.</b> JDBC never runs on the caller's thread, so never on an event loop: offers are committed by one
 * dedicated writer thread that groups the offers waiting into one transaction (one disk flush for many callbacks),
 * and every other statement runs on a second dedicated thread with its own connection. Results are signalled on those
 * threads; move heavy work elsewhere with {@code publishOn}.
 *
 * <p><b>Thread-safety.</b> Thread-safe; share one inbox between a receiver and its workers. Methods never return null
 * and accept no null unless their documentation says so. {@link #close()} closes the connections and fails what is
 * still waiting.
 */
public interface RecordingInbox extends AutoCloseable {

    /** Pending rows the default inbox holds before {@link #offer} answers {@link Offer#FULL}. */
    int DEFAULT_CAPACITY = 100_000;

    /**
     * Opens (creating when missing) the SQLite inbox {@code file}, its parent directory included, with the default
     * capacity. Fails with an {@link java.io.UncheckedIOException} naming the file when it cannot be opened or written.
     */
    static RecordingInbox sqlite(Path file) {
        return JdbcInbox.sqlite(Objects.requireNonNull(file, "file"), DEFAULT_CAPACITY);
    }

    /**
     * Opens the PostgreSQL inbox at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}), creating its table when
     * missing; user and password may be null when the URL or the server's configuration provides them. Never logs or
     * shows the password. Fails with an {@link java.io.UncheckedIOException} naming the host when it cannot connect.
     */
    static RecordingInbox postgres(String jdbcUrl, @Nullable String user, @Nullable String password) {
        return JdbcInbox.postgres(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), user, password, DEFAULT_CAPACITY);
    }

    /**
     * A {@code jdbc:postgresql:} URL opens {@link #postgres}, anything else is a SQLite file path. User and password of
     * PostgreSQL come from the URL's {@code user} and {@code password} parameters or from {@code PGUSER} and
     * {@code PGPASSWORD}.
     */
    static RecordingInbox open(String spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.startsWith("jdbc:postgresql:")) {
            return postgres(spec, System.getenv("PGUSER"), System.getenv("PGPASSWORD"));
        }
        if (spec.startsWith("jdbc:")) {
            throw new IllegalArgumentException("only jdbc:postgresql: URLs or SQLite file paths are inboxes");
        }
        return sqlite(Path.of(spec));
    }

    /**
     * Stores {@code event} durably: the returned {@code Mono} succeeds only after the commit. Never fails for a
     * duplicate; fails for a database error (an {@link java.io.UncheckedIOException}).
     */
    Mono<Offer> offer(InboxEvent event);

    /**
     * Claims up to {@code max} entries that are pending and due, for {@code lease}: another drainer cannot claim them
     * until the lease runs out or they are released. Each claim counts as an attempt. An empty list when none is due.
     */
    Mono<List<Entry>> claim(String owner, int max, Duration lease);

    /**
     * Ends an entry this owner holds: {@code state} {@link State#ARCHIVED}, {@link State#ABSENT} or
     * {@link State#FAILED}, with a location (archived) or a reason (else), either may be null. Emits false when the
     * entry is no longer this owner's (its lease ran out and another drainer took it).
     */
    Mono<Boolean> finish(Entry entry, State state, @Nullable String detail);

    /**
     * Puts an entry this owner holds back in line, due at {@code notBefore}, with the reason of the failure (may be
     * null). Emits false when the entry is no longer this owner's.
     */
    Mono<Boolean> retry(Entry entry, Instant notBefore, String reason);

    /** Extends every lease {@code owner} holds to {@code lease} from now (a drainer's heartbeat); emits how many. */
    Mono<Integer> renew(String owner, Duration lease);

    /** Gives back every lease {@code owner} holds, so that another drainer may take the entries at once. */
    Mono<Integer> release(String owner);

    /** How many entries are in each state; every state is a key. */
    Mono<Map<State, Long>> counts();

    /** The entries in {@code state}, oldest first, at most {@code limit}. */
    Mono<List<Entry>> entries(State state, int limit);

    /** The entry of a recording, or empty. */
    Mono<Entry> entry(String recordingSid);

    /** A value this inbox keeps for its users (the reconcile sweep's watermark); empty when never set. */
    Mono<String> setting(String name);

    /** Stores a value under {@code name}, replacing the old one. */
    Mono<Void> setting(String name, String value);

    /** Where the inbox is, for messages: a file path or {@code postgresql://host:port/db}; never credentials. */
    String describe();

    /** Closes the connections; offers still waiting fail. Idempotent. */
    @Override
    void close();

    /** What {@link #offer} did. */
    enum Offer {
        /** A new recording: stored, pending. */
        STORED,
        /** A later status of a known recording: the row now has it. */
        UPDATED,
        /** Nothing new: the same or an earlier status of a known recording. */
        DUPLICATE,
        /** Not stored: the inbox holds its capacity of pending entries; answer 503 and let the sender retry. */
        FULL
    }

    /** Where an entry is. */
    enum State {
        /** Waiting for a worker, being worked on (under a lease) or waiting for its next attempt. */
        PENDING,
        /** Stored in the target and verified. */
        ARCHIVED,
        /** The recording is {@code absent}: recorded, nothing fetched. */
        ABSENT,
        /** Given up: attempts exhausted, or the recording failed on SignalWire; {@link Entry#detail()} says why. */
        FAILED
    }

    /**
     * An inbox row, as read.
     *
     * @param recordingSid the key
     * @param accountSid   the account
     * @param callSid      the call, or null
     * @param status       the recording's status as last reported ({@code completed}, {@code in-progress}, ...)
     * @param state        where the entry is
     * @param attempts     claims so far
     * @param receivedAt   when the first event for it was stored
     * @param updatedAt    when the row last changed
     * @param detail       the archived location, or the last failure's reason, or null
     * @param origin       {@code callback} or {@code reconcile}
     * @param leaseOwner   the drainer holding it, or null
     */
    record Entry(String recordingSid, String accountSid, @Nullable String callSid, String status, State state,
                 int attempts, Instant receivedAt, Instant updatedAt, @Nullable String detail, String origin,
                 @Nullable String leaseOwner) {
    }
}
