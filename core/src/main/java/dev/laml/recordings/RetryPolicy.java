package dev.laml.recordings;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * When a failed request is tried again, and after how long. What follows is the rule for reads
 * ({@code GET}); a write ({@code POST}) is repeated only when it certainly did not reach the server,
 * see {@link #isRetryableWrite(Throwable)}. A {@code DELETE} is never repeated.
 *
 * <p>Retried: 429 (after its {@code Retry-After}, capped by {@link #maxRetryAfter()}), 500, 502,
 * 503 and 504, and transfer failures (refused, reset, closed early, timed out; a broken body is
 * resumed from where it stopped rather than restarted). Never retried: any other status (400,
 * 401, 403, 404, ...), a response this client cannot interpret, a response that is not valid
 * HTTP ({@link MalformedResponseException}), content that changed between attempts, an exhausted
 * connection pool, a failed TLS handshake ({@link TlsException}) and a proxy that refused
 * ({@link ProxyException}): those fail the same way on every attempt.
 *
 * <p><b>Two budgets.</b> A call starts on the <em>request budget</em>: {@link #maxAttempts()}
 * attempts in all, with exponential backoff and full jitter: before retry {@code k} (1-based) the
 * client waits a uniformly random time in {@code [0, min(maxDelay, baseDelay × 2^(k-1))]}, so that
 * many clients failing together do not retry together. A body that has delivered bytes since its
 * last failure has shown that the server can serve it, so when it breaks it moves to the
 * <em>resume budget</em>, counted in time rather than attempts: it is resumed (with
 * {@code Range}/{@code If-Range}) as long as the failures since the last delivered byte are spread
 * over less than {@link #resumeWithoutProgressFor()} (default 30 s), whatever their number; each
 * byte delivered restarts that clock. The backoff there starts again at {@code baseDelay} and is
 * capped by {@link #maxResumeDelay()} (default 2 s), so that a server back from a restart is
 * found again within 2 s. A short outage (a deploy, a restart, a load balancer's failover) then
 * costs the wait, not the bytes already received. {@code resumeWithoutProgressFor(Duration.ZERO)}
 * turns the resume budget off: resumes then count against the request budget. {@code maxAttempts(1)}
 * turns every second attempt off, retries and resumes alike, whatever the resume budget says.
 *
 * <p>Every method is a pure function of its arguments except {@link Budget}, which holds one
 * call's state; all the arithmetic lives here so that an adapter only schedules (and a test needs
 * no clock: times are passed in).
 *
 * <p>An immutable value; thread-safe. Setters return modified copies; no argument may be null and
 * no method returns null unless it says so.
 */
public final class RetryPolicy {

    private static final RetryPolicy DEFAULTS = new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(2));
    private static final RetryPolicy NONE = DEFAULTS.maxAttempts(1);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxRetryAfter;
    private final Duration resumeWithoutProgressFor;
    private final Duration maxResumeDelay;

    private RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter,
            Duration resumeWithoutProgressFor, Duration maxResumeDelay) {
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxRetryAfter = maxRetryAfter;
        this.resumeWithoutProgressFor = resumeWithoutProgressFor;
        this.maxResumeDelay = maxResumeDelay;
    }

    /**
     * 4 attempts in all, backoff from 250 ms up to 10 s, {@code Retry-After} honoured up to 60 s; a
     * body that made progress resumed while its failures span less than 30 s, waiting at most 2 s.
     */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt, no retry and no resume: every failure is final. The same as {@code defaults().maxAttempts(1)}. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * Attempts in all on the request budget, including the first; at least 1. 1 turns retries off,
     * and resumes too (see {@link #resumeWithoutProgressFor(Duration)}).
     */
    public RetryPolicy maxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxRetryAfter, resumeWithoutProgressFor,
                maxResumeDelay);
    }

    /** The backoff's first ceiling, on both budgets; positive. */
    public RetryPolicy baseDelay(Duration baseDelay) {
        return new RetryPolicy(maxAttempts, positive("baseDelay", baseDelay), maxDelay, maxRetryAfter,
                resumeWithoutProgressFor, maxResumeDelay);
    }

    /** The backoff's largest ceiling on the request budget; positive. */
    public RetryPolicy maxDelay(Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, positive("maxDelay", maxDelay), maxRetryAfter,
                resumeWithoutProgressFor, maxResumeDelay);
    }

    /** The longest {@code Retry-After} honoured; a longer one is shortened to this. Positive. */
    public RetryPolicy maxRetryAfter(Duration maxRetryAfter) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, positive("maxRetryAfter", maxRetryAfter),
                resumeWithoutProgressFor, maxResumeDelay);
    }

    /**
     * How long a body that made progress keeps being resumed without further progress: a failure
     * less than this after the first failure since the last delivered byte is resumed, the first
     * one at or past it is final. Zero or positive; zero turns the resume budget off (resumes then
     * count against {@link #maxAttempts()}). Ignored when {@code maxAttempts} is 1: nothing is
     * tried twice. Default 30 s.
     */
    public RetryPolicy resumeWithoutProgressFor(Duration resumeWithoutProgressFor) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxRetryAfter,
                notNegative("resumeWithoutProgressFor", resumeWithoutProgressFor), maxResumeDelay);
    }

    /**
     * The backoff's largest ceiling on the resume budget; positive. Default 2 s: a server back
     * from a restart is found within that, and a stalled download asks about once a second
     * meanwhile. {@code Retry-After} is still honoured up to {@link #maxRetryAfter()}.
     */
    public RetryPolicy maxResumeDelay(Duration maxResumeDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxRetryAfter, resumeWithoutProgressFor,
                positive("maxResumeDelay", maxResumeDelay));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** See {@link #resumeWithoutProgressFor(Duration)}; zero when the resume budget is off. */
    public Duration resumeWithoutProgressFor() {
        return resumeWithoutProgressFor;
    }

    public Duration maxResumeDelay() {
        return maxResumeDelay;
    }

    /** Whether {@code error} is worth another attempt, budget aside. */
    public boolean isRetryable(Throwable error) {
        if (error instanceof RateLimitedException) {
            return true;
        }
        if (error instanceof ServerException se) {
            int s = se.httpStatus();
            return s == 500 || s == 502 || s == 503 || s == 504;
        }
        // A malformed response is the server's own bytes (nothing corrupts them on the way: TCP
        // checksums, TLS integrity), so the next attempt would read the same violation.
        if (error instanceof ContentChangedException || error instanceof PoolExhaustedException
                || error instanceof TlsException || error instanceof ProxyException
                || error instanceof MalformedResponseException) {
            return false;
        }
        return error instanceof TransferException;
    }

    /**
     * Whether a failed <em>write</em> (a {@code POST} that starts, pauses, resumes or stops a
     * recording) is worth another attempt, budget aside. Unlike a read, a write is repeated only
     * when it certainly did not reach the server, since a repeat of one that did could act twice
     * (start a second recording): a connection that could not be opened
     * ({@link ConnectFailedException}), or a 429 that says when to come back ({@code Retry-After}:
     * the server refused it unprocessed). Never: a 429 without {@code Retry-After}, any 5xx
     * (a 503 included: the request had been sent by the time it was answered, and this client
     * cannot tell whether the server read it), a timeout, a reset or close after the connection
     * opened, and everything {@link #isRetryable(Throwable)} refuses.
     */
    public boolean isRetryableWrite(Throwable error) {
        if (error instanceof RateLimitedException limited) {
            return limited.retryAfter() != null;
        }
        return error instanceof TransferException transfer && !transfer.requestMayHaveReachedServer()
                && isRetryable(error);
    }

    /**
     * The wait before the next attempt on the request budget, or null when there is none: the
     * error is not retryable or {@code attemptsMade} used up the budget.
     *
     * @param attemptsMade attempts made so far, at least 1
     * @param random       uniform in {@code [0, 1)}; injected so tests can pin the jitter
     */
    public Duration delayBeforeNextAttempt(Throwable error, int attemptsMade, DoubleSupplier random) {
        if (attemptsMade >= maxAttempts || !isRetryable(error)) {
            return null;
        }
        return backoff(error, attemptsMade, maxDelay, random);
    }

    /**
     * The wait before the next resume on the resume budget, or null when there is none: the error
     * is not retryable, the budget is off (a zero window, or {@code maxAttempts} 1), or the
     * failures without progress already span {@link #resumeWithoutProgressFor()}.
     *
     * @param failuresWithoutProgress failures since the last delivered byte, this one included; at least 1
     * @param withoutProgressFor      time from the first of those failures to this one
     * @param random                  uniform in {@code [0, 1)}; injected so tests can pin the jitter
     */
    public Duration delayBeforeNextResume(Throwable error, int failuresWithoutProgress, Duration withoutProgressFor,
            DoubleSupplier random) {
        if (!resumes() || withoutProgressFor.compareTo(resumeWithoutProgressFor) >= 0 || !isRetryable(error)) {
            return null;
        }
        return backoff(error, Math.max(1, failuresWithoutProgress), maxResumeDelay, random);
    }

    /** Whether a body that made progress gets the resume budget. */
    private boolean resumes() {
        return maxAttempts > 1 && !resumeWithoutProgressFor.isZero();
    }

    /** {@code Retry-After} if the server sent one, else full jitter under the {@code k}-th ceiling. */
    private Duration backoff(Throwable error, int k, Duration cap, DoubleSupplier random) {
        if (error instanceof RateLimitedException rl && rl.retryAfter() != null) {
            Duration asked = rl.retryAfter();
            return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
        }
        int shift = Math.min(k - 1, 30);
        long ceiling = Math.min(saturatedNanos(cap), saturatedShift(saturatedNanos(baseDelay), shift));
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling));
    }

    /** A new budget for one call whose first attempt starts at {@code startNanos}. */
    public Budget budget(long startNanos) {
        return new Budget(this, startNanos, false);
    }

    /**
     * A new budget for one write (see {@link #isRetryableWrite(Throwable)}) whose first attempt
     * starts at {@code startNanos}: the request budget's attempts and backoff, only for the
     * failures a write may repeat, and never a resume.
     */
    public Budget writeBudget(long startNanos) {
        return new Budget(this, startNanos, true);
    }

    /**
     * The state of one call's retries: which budget it is on and how much of it is left. Times
     * are nanoseconds from any fixed origin (say {@link System#nanoTime()}, or a test's virtual
     * clock), passed in so that the arithmetic needs no clock of its own.
     *
     * <p>Not thread-safe: one per call, touched by one thread at a time (an adapter's serial
     * signals are enough).
     */
    public static final class Budget {

        private final RetryPolicy policy;
        private final long startNanos;
        /** A write: only {@link RetryPolicy#isRetryableWrite(Throwable)} failures are retried. */
        private final boolean write;
        private int attempts;
        /** Bytes were delivered since the last failure (or since the start). */
        private boolean progressed;
        /** On the resume budget: a failure followed progress. */
        private boolean resuming;
        private long stalledSinceNanos;
        private int failuresWithoutProgress;

        private Budget(RetryPolicy policy, long startNanos, boolean write) {
            this.policy = policy;
            this.startNanos = startNanos;
            this.write = write;
        }

        /** An attempt (the first, a retry or a resume) is about to be made. */
        public void attemptStarted() {
            attempts++;
        }

        /** Bytes of the body reached the caller. Cheap: called for every delivered buffer. */
        public void progressed() {
            progressed = true;
        }

        /** Attempts started so far. */
        public int attempts() {
            return attempts;
        }

        /** Whether the call is on the resume budget: a failure followed delivered bytes. */
        public boolean resuming() {
            return resuming;
        }

        /** Time since the call started, at {@code nowNanos}. */
        public Duration elapsed(long nowNanos) {
            return Duration.ofNanos(Math.max(0, nowNanos - startNanos));
        }

        /**
         * The last attempt failed with {@code error} at {@code nowNanos}: the wait before the next
         * one, or null when this failure is final.
         */
        public Duration failed(Throwable error, long nowNanos, DoubleSupplier random) {
            if (write) {
                return attempts >= policy.maxAttempts || !policy.isRetryableWrite(error) ? null
                        : policy.backoff(error, attempts, policy.maxDelay, random);
            }
            boolean progressedSinceLastFailure = progressed;
            progressed = false;
            if (progressedSinceLastFailure && policy.resumes()) {
                resuming = true;
                stalledSinceNanos = nowNanos;
                failuresWithoutProgress = 0;
            }
            if (!resuming) {
                return policy.delayBeforeNextAttempt(error, attempts, random);
            }
            failuresWithoutProgress = failuresWithoutProgress == Integer.MAX_VALUE ? Integer.MAX_VALUE
                    : failuresWithoutProgress + 1;
            return policy.delayBeforeNextResume(error, failuresWithoutProgress,
                    Duration.ofNanos(Math.max(0, nowNanos - stalledSinceNanos)), random);
        }

        @Override
        public String toString() {
            return "RetryPolicy.Budget[attempts=" + attempts + (write ? ", write" : ", resuming=" + resuming) + "]";
        }
    }

    /**
     * What an error's message says of its attempts: nothing for one, else " (after N attempts)",
     * with " over X.Y s" when the time is known (one decimal, in any locale).
     */
    static String attemptsSuffix(int attempts, Duration elapsed) {
        if (attempts <= 1) {
            return "";
        }
        if (elapsed == null) {
            return " (after " + attempts + " attempts)";
        }
        long nanos = elapsed.isNegative() ? 0 : Math.min(saturatedNanos(elapsed), Long.MAX_VALUE - 50_000_000);
        long tenths = (nanos + 50_000_000) / 100_000_000; // rounded to the nearest tenth
        return " (after " + attempts + " attempts over " + tenths / 10 + "." + tenths % 10 + " s)";
    }

    /** Nanoseconds, or {@code Long.MAX_VALUE} for a duration beyond about 292 years. */
    private static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static long saturatedShift(long value, int shift) {
        return value > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : value << shift;
    }

    private static Duration notNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
        }
        return d;
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay
                + ", maxRetryAfter=" + maxRetryAfter + ", resumeWithoutProgressFor=" + resumeWithoutProgressFor
                + ", maxResumeDelay=" + maxResumeDelay + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy p && p.maxAttempts == maxAttempts && p.baseDelay.equals(baseDelay)
                && p.maxDelay.equals(maxDelay) && p.maxRetryAfter.equals(maxRetryAfter)
                && p.resumeWithoutProgressFor.equals(resumeWithoutProgressFor)
                && p.maxResumeDelay.equals(maxResumeDelay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, baseDelay, maxDelay, maxRetryAfter, resumeWithoutProgressFor, maxResumeDelay);
    }
}
