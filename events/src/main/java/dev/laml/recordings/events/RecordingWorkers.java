package dev.laml.recordings.events;

import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.events.RecordingInbox.Entry;
import dev.laml.recordings.events.RecordingInbox.Offer;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Drains a {@link RecordingInbox} into an {@link ArchiveTarget}: each entry is archived once with the client's archive
 * job ({@link RecordingsClient#archiveRecording}: skip a stored and verified copy, stream while hashing, the sidecar
 * after the audio, delete from SignalWire only after verification when the options say so), at most
 * {@link Builder#concurrency(int)} at a time.
 *
 * <ul>
 *   <li>{@code completed}: archived; the entry ends {@link State#ARCHIVED} with the stored copy's location.</li>
 *   <li>{@code in-progress} (or paused, stopped): waits with {@link RecordingsClient#awaitCompleted} up to
 *       {@link Builder#awaitCompletedFor(Duration)}, then archives; a later {@code completed} callback updates the
 *       entry meanwhile.</li>
 *   <li>{@code absent}: recorded as {@link State#ABSENT}, nothing fetched. {@code failed}: {@link State#FAILED}.</li>
 *   <li>A transcription callback's entry ({@link InboxEvent#transcription}): the transcription is fetched by its sid,
 *       and the recording it names is archived with {@link ArchiveOptions#transcripts(boolean) transcripts}, so that
 *       {@code {sid}.transcript.json} lies beside the audio (stored now if it was not yet); the entry ends
 *       {@link State#ARCHIVED} with the audio's location. While the recording's own entry is pending, it waits for it
 *       (retried with backoff, never given up for that; its claims still count as attempts). {@code failed}: {@link State#FAILED}.</li>
 *   <li>A failure (download, store, not found yet) puts the entry back with backoff (1 s doubling, at most
 *       {@link Builder#maxBackoff(Duration)}); after {@link Builder#maxAttempts(int)} claims it ends
 *       {@link State#FAILED} with the last reason, visible through {@link RecordingInbox#counts()} and
 *       {@link RecordingInbox#entries}.</li>
 * </ul>
 *
 * <p><b>Crashes and several instances.</b> Entries are claimed under a lease that a heartbeat renews; an instance that
 * dies leaves its entries to be taken over when the lease runs out, and a restarted one resumes whatever is
 * unfinished. Storing twice is harmless: the archive job skips what is stored and verified. Several instances share
 * an object store (S3), never one directory: a directory target belongs to one process at a time (its temporary
 * files are cleared by the run that opens it).
 *
 * <p><b>Reconcile sweep.</b> A callback can be lost before it arrives; with {@link Builder#reconcile(String, Duration)}
 * the workers list the account's recordings created since the last sweep that finished (minus a margin) and put each
 * into the inbox as an event; what is already known is a duplicate, what was missed is archived like any event. The
 * sweep's start time is kept in the inbox (setting {@code reconciled-until}), so a restart carries on from there.
 *
 * <p><b>Threads.</b> The inbox runs its JDBC on its own threads; the archive job on the client's; the scheduling here
 * on {@link Schedulers#parallel()}. Nothing blocks.
 *
 * <p><b>Thread-safety.</b> Thread-safe. {@link #run()} is cold: each subscription is a drainer with its own owner id;
 * subscribe once per process. Methods never return null.
 */
public final class RecordingWorkers {

    private static final Pattern SID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final Logger LOG = Loggers.getLogger(RecordingWorkers.class);
    private static final Pattern STATUS = Pattern.compile("[a-z][a-z-]{0,31}");
    /** The setting holding the start of the last sweep that finished. */
    public static final String RECONCILED_UNTIL = "reconciled-until";

    private final RecordingsClient client;
    private final RecordingInbox inbox;
    private final ArchiveTarget target;
    private final ArchiveOptions options;
    private final int concurrency;
    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration lease;
    private final Duration pollInterval;
    private final Duration awaitCompletedFor;
    private final String reconcileAccount;
    private final Duration reconcileEvery;
    private final Duration reconcileLookback;
    private final Duration reconcileMargin;
    private final AtomicReference<Drainer> current = new AtomicReference<>();

    private RecordingWorkers(Builder b) {
        this.client = Objects.requireNonNull(b.client, "client");
        this.inbox = Objects.requireNonNull(b.inbox, "inbox");
        this.target = Objects.requireNonNull(b.target, "target");
        this.options = b.options;
        this.concurrency = b.concurrency;
        this.maxAttempts = b.maxAttempts;
        this.firstBackoff = b.firstBackoff;
        this.maxBackoff = b.maxBackoff;
        this.lease = b.lease;
        this.pollInterval = b.pollInterval;
        this.awaitCompletedFor = b.awaitCompletedFor;
        this.reconcileAccount = b.reconcileAccount;
        this.reconcileEvery = b.reconcileEvery;
        this.reconcileLookback = b.reconcileLookback;
        this.reconcileMargin = b.reconcileMargin;
    }

    /** A builder; client, inbox and target are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the workers until the subscription is cancelled or {@link #shutdown(Duration)} completes it: one
     * {@link WorkerEvent} per entry that ends or is retried, and per sweep. Cancelling stops at once: what is in
     * flight is cancelled and its leases are given back, so the entries stay in the inbox for the next run.
     */
    public Flux<WorkerEvent> run() {
        return Flux.create(sink -> {
            Drainer d = new Drainer(sink);
            if (!current.compareAndSet(null, d)) {
                sink.error(new IllegalStateException("these workers are already running"));
                return;
            }
            sink.onDispose(() -> {
                d.stopNow();
                current.compareAndSet(d, null);
            });
            d.start();
        });
    }

    /**
     * Wakes the running drainer to claim now rather than at its next poll: a receiver in the same process calls this
     * after an event is stored, so that a recording is on its way within milliseconds.
     */
    public void wake() {
        Drainer d = current.get();
        if (d != null) {
            d.pump();
        }
    }

    /**
     * Stops claiming, lets what is in flight finish for up to {@code grace}, then cancels the rest (their entries stay
     * in the inbox) and completes {@link #run()}'s flux. Completes when done; at once when not running.
     */
    public Mono<Void> shutdown(Duration grace) {
        Drainer d = current.get();
        return d == null ? Mono.empty() : d.shutdown(grace);
    }

    @Override
    public String toString() {
        return "RecordingWorkers{inbox=" + inbox.describe() + ", concurrency=" + concurrency + "}";
    }

    /** One run: its owner id, what is in flight, the timers. */
    private final class Drainer {
        private final FluxSink<WorkerEvent> sink;
        private final String owner = "laml-" + UUID.randomUUID();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicBoolean claiming = new AtomicBoolean();
        private final AtomicBoolean again = new AtomicBoolean();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final AtomicBoolean sweeping = new AtomicBoolean();
        private final Disposable.Composite work = Disposables.composite();
        private final Sinks.Empty<Void> idle = Sinks.empty();
        private volatile Disposable nextPoll;
        /**
         * One target session for the whole run, shared by every entry: each archive call would otherwise be a run of
         * its own, and a directory target's new run clears the hidden temporary files of the day directory it first
         * writes, which are those of the other entries in flight (found by RecordingWorkersTest). A failed open is
         * not kept: the next entry tries again.
         */
        private final ArchiveTarget sharedTarget;

        Drainer(FluxSink<WorkerEvent> sink) {
            this.sink = sink;
            Mono<ArchiveTarget.Session> session = target.open()
                    .cache(ok -> Duration.ofMillis(Long.MAX_VALUE), failed -> Duration.ZERO, () -> Duration.ZERO);
            this.sharedTarget = () -> session;
        }

        void start() {
            Duration beat = lease.dividedBy(3);
            work.add(Flux.interval(beat, beat, Schedulers.parallel())
                    .concatMap(tick -> inbox.renew(owner, lease).onErrorResume(e -> {
                        LOG.warn("inbox {}: could not renew leases: {}", inbox.describe(), e.getMessage());
                        return Mono.empty();
                    }))
                    .subscribe());
            if (reconcileEvery != null) {
                work.add(Flux.interval(Duration.ZERO, reconcileEvery, Schedulers.parallel())
                        .subscribe(tick -> sweep()));
            }
            pump();
        }

        /** Claims as many entries as there are free slots; one claim at a time, again if asked meanwhile. */
        void pump() {
            if (stopping.get()) {
                return;
            }
            again.set(true);
            if (!claiming.compareAndSet(false, true)) {
                return;
            }
            again.set(false);
            int free = concurrency - inFlight.get();
            if (free <= 0) {
                claiming.set(false);
                return;
            }
            inbox.claim(owner, free, lease).subscribe(entries -> {
                if (stopping.get()) {
                    // Claimed while stopping: give them straight back.
                    claiming.set(false);
                    inbox.release(owner).onErrorResume(e -> Mono.empty()).subscribe();
                    return;
                }
                entries.forEach(this::process);
                claiming.set(false);
                if (again.get() || (!entries.isEmpty() && entries.size() == free)) {
                    pump();
                } else if (entries.isEmpty()) {
                    pollLater(pollInterval);
                }
            }, e -> {
                claiming.set(false);
                LOG.warn("inbox {}: could not claim entries: {}", inbox.describe(), e.getMessage());
                pollLater(pollInterval.multipliedBy(5));
            });
        }

        private void pollLater(Duration delay) {
            Disposable previous = nextPoll;
            if (previous != null) {
                previous.dispose();
            }
            nextPoll = Schedulers.parallel().schedule(this::pump, delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private void process(Entry entry) {
            inFlight.incrementAndGet();
            AtomicReference<Disposable> self = new AtomicReference<>();
            Disposable d = outcome(entry)
                    .flatMap(o -> record(entry, o).thenReturn(o))
                    .doFinally(signal -> {
                        Disposable mine = self.get();
                        if (mine != null) {
                            work.remove(mine);
                        }
                        if (inFlight.decrementAndGet() == 0 && stopping.get()) {
                            idle.tryEmitEmpty();
                        }
                        pump();
                    })
                    .subscribe(o -> {
                        if (o.event != null) {
                            sink.next(o.event);
                        }
                    }, e -> LOG.warn("inbox {}: could not record the outcome of {}: {}", inbox.describe(),
                            entry.recordingSid(), e.getMessage()));
            self.set(d);
            if (!d.isDisposed()) {
                work.add(d);
            }
        }

        /** Stores the outcome in the inbox; an entry taken over by another drainer meanwhile is not reported. */
        private Mono<Boolean> record(Entry entry, Outcome o) {
            Mono<Boolean> done = o.retryAt != null ? inbox.retry(entry, o.retryAt, o.detail)
                    : inbox.finish(entry, o.state, o.detail);
            return done.doOnNext(mine -> {
                if (!mine) {
                    o.event = null;
                }
            });
        }

        private Mono<Outcome> outcome(Entry e) {
            if (InboxEvent.TRANSCRIPTION.equals(e.origin())) {
                return transcript(e);
            }
            String status = e.status();
            if ("absent".equals(status)) {
                return Mono.just(Outcome.end(e, State.ABSENT, null));
            }
            if ("failed".equals(status)) {
                return Mono.just(Outcome.end(e, State.FAILED, "the recording failed on SignalWire"));
            }
            boolean passing = "in-progress".equals(status) || "paused".equals(status) || "stopped".equals(status);
            Mono<?> ready = passing ? client.awaitCompleted(e.accountSid(), e.recordingSid(), awaitCompletedFor)
                    : Mono.empty();
            return ready.thenMany(Flux.defer(() -> client.archiveRecording(e.accountSid(), e.recordingSid(),
                            sharedTarget, options)))
                    .collectList()
                    .map(events -> classify(e, events))
                    .onErrorResume(error -> Mono.just(failure(e, error, describe(error))));
        }

        /**
         * A transcription callback's entry (keyed by the transcription's sid): the transcription is fetched from the API
         * by that sid, and the recording it names (the API's word, never the callback's) is archived with
         * {@link ArchiveOptions#transcripts(boolean) transcripts}: the audio is skipped when stored and verified, and
         * {@code {sid}.transcript.json} is written beside it. Failures are retried as a recording's are.
         */
        private Mono<Outcome> transcript(Entry e) {
            if ("failed".equals(e.status())) {
                return Mono.just(Outcome.end(e, State.FAILED, "the transcription failed on SignalWire"));
            }
            return client.fetchTranscription(e.accountSid(), e.recordingSid())
                    .flatMap(t -> {
                        String recording = t.recordingSid();
                        if (recording == null || !SID.matcher(recording).matches()) {
                            return Mono.just(Outcome.end(e, State.FAILED, "the transcription names no recording"));
                        }
                        if (!t.isCompleted()) {
                            return Mono.just(retryOrFail(e, "the transcription is not completed yet", null));
                        }
                        // The recording's own entry still pending: it is being (or will be) archived by another
                        // worker, and two archive jobs must not write the same keys at once. Wait for it, without
                        // spending this entry's attempts: the recording's entry ends one way or another.
                        return inbox.entry(recording)
                                .map(own -> own.state() == State.PENDING)
                                .defaultIfEmpty(false)
                                .flatMap(pending -> pending
                                        ? Mono.just(Outcome.retry(e, Instant.now().plus(backoff(e)),
                                                "waiting for recording " + recording + " to be archived first"))
                                        : client.archiveRecording(e.accountSid(), recording, sharedTarget,
                                                options.transcripts(true)).collectList().map(events -> classify(e, events)));
                    })
                    .onErrorResume(error -> Mono.just(failure(e, error, describe(error))));
        }

        private Outcome classify(Entry e, List<ArchiveEvent> events) {
            String stored = null;
            ArchiveEvent.Failed failed = null;
            for (ArchiveEvent ev : events) {
                if (ev instanceof ArchiveEvent.Downloaded d) {
                    stored = d.location().toString();
                } else if (ev instanceof ArchiveEvent.Skipped s) {
                    stored = s.location().toString();
                } else if (ev instanceof ArchiveEvent.Failed f && failed == null) {
                    failed = f;
                }
            }
            if (failed == null && stored != null) {
                return Outcome.end(e, State.ARCHIVED, stored);
            }
            if (failed == null) {
                return retryOrFail(e, "nothing was archived", null);
            }
            Outcome o = failure(e, failed.error(), failed.reason());
            if (stored != null && o.state == State.FAILED) {
                // Stored and verified, but the delete kept failing: the archive holds it, which is what counts.
                return Outcome.end(e, State.ARCHIVED, stored + " (not deleted: " + failed.reason() + ")");
            }
            return o;
        }

        private Outcome failure(Entry e, Throwable error, String reason) {
            if (error instanceof RecordingNotReadyException nr && nr.isFinal()) {
                return nr.lastStatus() == RecordingStatus.ABSENT ? Outcome.end(e, State.ABSENT, null)
                        : Outcome.end(e, State.FAILED, "the recording failed on SignalWire");
            }
            return retryOrFail(e, reason, error);
        }

        /** The delay before an entry's next attempt: {@code firstBackoff} doubling per attempt, at most maxBackoff. */
        private Duration backoff(Entry e) {
            long factor = 1L << Math.min(20, Math.max(0, e.attempts() - 1));
            Duration delay = firstBackoff.multipliedBy(factor);
            return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
        }

        private Outcome retryOrFail(Entry e, String reason, Throwable error) {
            if (e.attempts() >= maxAttempts) {
                return Outcome.end(e, State.FAILED, "gave up after " + e.attempts() + " attempts: " + reason);
            }
            long factor = 1L << Math.min(20, Math.max(0, e.attempts() - 1));
            Duration delay = firstBackoff.multipliedBy(factor);
            if (delay.compareTo(maxBackoff) > 0) {
                delay = maxBackoff;
            }
            return Outcome.retry(e, Instant.now().plus(delay), reason);
        }

        /** Lists what was created since the last finished sweep and offers it; the inbox drops what it knows. */
        private void sweep() {
            if (stopping.get() || !sweeping.compareAndSet(false, true)) {
                return;
            }
            OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
            AtomicLong listed = new AtomicLong();
            AtomicLong added = new AtomicLong();
            AtomicBoolean full = new AtomicBoolean();
            inbox.setting(RECONCILED_UNTIL)
                    .map(OffsetDateTime::parse)
                    .defaultIfEmpty(startedAt.minus(reconcileLookback))
                    .flatMapMany(since -> client.list(reconcileAccount, RecordingQuery.all().pageSize(1000)
                            .createdAfter(since.minus(reconcileMargin))))
                    .filter(r -> r.sid() != null)
                    .flatMap(r -> {
                        listed.incrementAndGet();
                        String raw = r.status().wireValue() != null ? r.status().wireValue()
                                : String.valueOf(r.rawStatus()).toLowerCase(Locale.ROOT);
                        InboxEvent ev;
                        try {
                            ev = new InboxEvent(reconcileAccount, r.sid(), r.callSid(),
                                    STATUS.matcher(raw).matches() ? raw : "unknown", "reconcile");
                        } catch (IllegalArgumentException invalid) {
                            return Mono.empty();
                        }
                        return inbox.offer(ev);
                    }, 16)
                    .doOnNext(o -> {
                        if (o == Offer.STORED || o == Offer.UPDATED) {
                            added.incrementAndGet();
                        } else if (o == Offer.FULL) {
                            full.set(true);
                        }
                    })
                    .then(Mono.defer(() -> full.get() ? Mono.error(new IllegalStateException("the inbox is full"))
                            : inbox.setting(RECONCILED_UNTIL, startedAt.toString())))
                    .doFinally(s -> sweeping.set(false))
                    .subscribe(null, e -> {
                        LOG.warn("reconcile sweep of {}: {}", inbox.describe(), describe(e));
                        sink.next(new WorkerEvent(WorkerEvent.Kind.RECONCILED, null, "failed after " + listed.get()
                                + " listed: " + describe(e), 0));
                    }, () -> {
                        sink.next(new WorkerEvent(WorkerEvent.Kind.RECONCILED, null, listed.get() + " listed, "
                                + added.get() + " new", 0));
                        if (added.get() > 0) {
                            pump();
                        }
                    });
        }

        Mono<Void> shutdown(Duration grace) {
            return Mono.defer(() -> {
                stopping.set(true);
                if (inFlight.get() == 0) {
                    idle.tryEmitEmpty();
                }
                return idle.asMono().timeout(grace, Mono.empty())
                        .then(Mono.fromRunnable(() -> sink.complete()));
            });
        }

        void stopNow() {
            stopping.set(true);
            Disposable p = nextPoll;
            if (p != null) {
                p.dispose();
            }
            work.dispose();
            // Given back so that another drainer, or the next run, takes them at once.
            inbox.release(owner).onErrorResume(e -> Mono.empty()).subscribe();
        }
    }

    /** How an entry ended, or when it is tried again. */
    private static final class Outcome {
        final State state;
        final String detail;
        final Instant retryAt;
        volatile WorkerEvent event;

        private Outcome(State state, String detail, Instant retryAt, WorkerEvent event) {
            this.state = state;
            this.detail = detail;
            this.retryAt = retryAt;
            this.event = event;
        }

        static Outcome end(Entry e, State state, String detail) {
            WorkerEvent.Kind kind = switch (state) {
                case ARCHIVED -> WorkerEvent.Kind.ARCHIVED;
                case ABSENT -> WorkerEvent.Kind.ABSENT;
                default -> WorkerEvent.Kind.FAILED;
            };
            return new Outcome(state, detail, null, new WorkerEvent(kind, e.recordingSid(), detail, e.attempts()));
        }

        static Outcome retry(Entry e, Instant at, String reason) {
            return new Outcome(State.PENDING, reason, at,
                    new WorkerEvent(WorkerEvent.Kind.RETRY, e.recordingSid(), reason, e.attempts()));
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? "failed" : m.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * Configures {@link RecordingWorkers}. Not thread-safe; {@link #build()} copies what it needs.
     */
    public static final class Builder {
        private RecordingsClient client;
        private RecordingInbox inbox;
        private ArchiveTarget target;
        private ArchiveOptions options = ArchiveOptions.defaults();
        private int concurrency = 4;
        private int maxAttempts = 8;
        private Duration firstBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(5);
        private Duration lease = Duration.ofMinutes(2);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration awaitCompletedFor = Duration.ofMinutes(15);
        private String reconcileAccount;
        private Duration reconcileEvery;
        private Duration reconcileLookback = Duration.ofDays(1);
        private Duration reconcileMargin = Duration.ofMinutes(10);

        private Builder() {
        }

        /** The client that fetches, downloads and deletes; required. */
        public Builder client(RecordingsClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The inbox to drain; required. */
        public Builder inbox(RecordingInbox inbox) {
            this.inbox = Objects.requireNonNull(inbox, "inbox");
            return this;
        }

        /** Where recordings go: {@link ArchiveTarget#directory}, S3, ...; required. */
        public Builder target(ArchiveTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** Format, delete-after-verify, remote verification; default {@link ArchiveOptions#defaults()}. */
        public Builder options(ArchiveOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Entries worked on at once (waiting, downloading, storing); default 4, at most 1024. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1 || concurrency > ArchiveOptions.MAX_CONCURRENCY) {
                throw new IllegalArgumentException("concurrency must be 1 to " + ArchiveOptions.MAX_CONCURRENCY);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** Claims of one entry before it is marked failed; default 8. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The wait after the first failure, doubling after each; default 1 s. */
        public Builder firstBackoff(Duration backoff) {
            this.firstBackoff = positive(backoff, "firstBackoff");
            return this;
        }

        /** The longest wait between attempts; default 5 minutes. */
        public Builder maxBackoff(Duration backoff) {
            this.maxBackoff = positive(backoff, "maxBackoff");
            return this;
        }

        /**
         * How long a claimed entry is this drainer's before another may take it over; renewed every third of it
         * while the drainer lives. Default 2 minutes: a dead instance's entries are taken over within that.
         */
        public Builder lease(Duration lease) {
            this.lease = positive(lease, "lease");
            return this;
        }

        /** How often the inbox is asked for due entries when there was nothing to do; default 1 s. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /**
         * How long an {@code in-progress} recording is waited for in one attempt; default 15 minutes. The wait holds
         * one of the {@link #concurrency(int)} slots: with long calls, prefer {@code completed} callbacks alone.
         */
        public Builder awaitCompletedFor(Duration max) {
            this.awaitCompletedFor = positive(max, "awaitCompletedFor");
            return this;
        }

        /**
         * Turns the reconcile sweep on: every {@code every} (and once at start), list {@code accountSid}'s recordings
         * created since the last finished sweep and put them into the inbox. Off by default.
         */
        public Builder reconcile(String accountSid, Duration every) {
            new InboxEvent(Objects.requireNonNull(accountSid, "accountSid"), accountSid, null, "completed", "x");
            this.reconcileAccount = accountSid;
            this.reconcileEvery = positive(every, "every");
            return this;
        }

        /** How far back the first sweep looks, when no sweep has finished yet; default one day. */
        public Builder reconcileLookback(Duration lookback) {
            this.reconcileLookback = positive(lookback, "reconcileLookback");
            return this;
        }

        /** Overlap with the previous sweep, for clock skew and listing delays; default 10 minutes. */
        public Builder reconcileMargin(Duration margin) {
            this.reconcileMargin = Objects.requireNonNull(margin, "margin");
            return this;
        }

        /** @throws NullPointerException if the client, inbox or target is missing */
        public RecordingWorkers build() {
            return new RecordingWorkers(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration");
            }
            return d;
        }
    }
}
