package dev.laml.recordings;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * When a failed request is tried again, and after how long. Applies to GET requests only (every
 * request this client makes today); resuming a broken download counts against the same budget.
 *
 * <p>Retried: 429 (after its {@code Retry-After}, capped by {@link #maxRetryAfter()}), 500, 502,
 * 503 and 504, and transfer failures (refused, reset, closed early, timed out; a broken body is
 * resumed from where it stopped rather than restarted). Never retried: any other status (400,
 * 401, 403, 404, ...), a response this client cannot interpret, a response that is not valid
 * HTTP ({@link MalformedResponseException}), content that changed between attempts, an exhausted
 * connection pool, a failed TLS handshake ({@link TlsException}) and a proxy that refused
 * ({@link ProxyException}): those fail the same way on every attempt.
 *
 * <p>Backoff is exponential with full jitter: before retry {@code k} (1-based) the client waits a
 * uniformly random time in {@code [0, min(maxDelay, baseDelay × 2^(k-1))]}, so that many clients
 * failing together do not retry together.
 *
 * <p>An immutable value; thread-safe. Setters return modified copies.
 */
public final class RetryPolicy {

    private static final RetryPolicy DEFAULTS =
            new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(60));
    private static final RetryPolicy NONE = DEFAULTS.maxAttempts(1);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Duration maxRetryAfter;

    private RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {
        this.maxAttempts = maxAttempts;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxRetryAfter = maxRetryAfter;
    }

    /** 4 attempts in all, backoff from 250 ms up to 10 s, {@code Retry-After} honoured up to 60 s. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** One attempt: every failure is final. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Attempts in all, including the first; at least 1. */
    public RetryPolicy maxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, maxRetryAfter);
    }

    /** The backoff's first ceiling; positive. */
    public RetryPolicy baseDelay(Duration baseDelay) {
        return new RetryPolicy(maxAttempts, positive("baseDelay", baseDelay), maxDelay, maxRetryAfter);
    }

    /** The backoff's largest ceiling; positive. */
    public RetryPolicy maxDelay(Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, positive("maxDelay", maxDelay), maxRetryAfter);
    }

    /** The longest {@code Retry-After} honoured; a longer one is shortened to this. Positive. */
    public RetryPolicy maxRetryAfter(Duration maxRetryAfter) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay, positive("maxRetryAfter", maxRetryAfter));
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
     * The wait before the next attempt, or null when there is none: the error is not retryable or
     * {@code attemptsMade} used up the budget.
     *
     * @param attemptsMade attempts made so far, at least 1
     * @param random       uniform in {@code [0, 1)}; injected so tests can pin the jitter
     */
    public Duration delayBeforeNextAttempt(Throwable error, int attemptsMade, DoubleSupplier random) {
        if (attemptsMade >= maxAttempts || !isRetryable(error)) {
            return null;
        }
        if (error instanceof RateLimitedException rl && rl.retryAfter() != null) {
            Duration asked = rl.retryAfter();
            return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
        }
        int shift = Math.min(attemptsMade - 1, 30);
        long ceiling = Math.min(saturatedNanos(maxDelay), saturatedShift(saturatedNanos(baseDelay), shift));
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling));
    }

    /** Nanoseconds, or {@code Long.MAX_VALUE} for a duration beyond about 292 years. */
    private static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static long saturatedShift(long value, int shift) {
        return value > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : value << shift;
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
                + ", maxRetryAfter=" + maxRetryAfter + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy p && p.maxAttempts == maxAttempts && p.baseDelay.equals(baseDelay)
                && p.maxDelay.equals(maxDelay) && p.maxRetryAfter.equals(maxRetryAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, baseDelay, maxDelay, maxRetryAfter);
    }
}
