package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Applies a {@link RetryPolicy}: which failure is retried, on which budget and after how long is
 * the policy's (core's) decision, kept per call in a {@link RetryPolicy.Budget}; this class only
 * waits and keeps the clock, both on a scheduler obtained per subscription so that
 * {@code StepVerifier.withVirtualTime} drives them.
 */
public final class Retries {

    /**
     * The attempts of one logical call (one subscription); touched serially (one attempt at a
     * time, and the body's signals are serial).
     */
    public static final class Attempts {
        private final RetryPolicy.Budget budget;

        Attempts(RetryPolicy.Budget budget) {
            this.budget = budget;
        }

        /** Attempts started so far, this one included. */
        public int made() {
            return budget.attempts();
        }

        /**
         * Bytes reached the subscriber: a later failure moves to the resume budget, whose clock
         * this restarts. Only a download calls it; a call that never does stays on the request budget.
         */
        public void progressed() {
            budget.progressed();
        }
    }

    private final RetryPolicy policy;
    private final DoubleSupplier random;
    private final Supplier<Scheduler> timer;

    public Retries(RetryPolicy policy, DoubleSupplier random, Supplier<Scheduler> timer) {
        this.policy = policy;
        this.random = random;
        this.timer = timer;
    }

    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Subscribes {@code attempt}, and again after each retryable failure as the policy says;
     * each subscription is one attempt. Outstanding demand carries over to the next attempt. The
     * final error records the attempts made and the time from the first attempt's start.
     *
     * <p>Built with {@code onErrorResume} rather than {@code retryWhen}: the success path, which
     * is nearly every call, then allocates no retry machinery at all.
     */
    public <T> Flux<T> run(Function<Attempts, Flux<T>> attempt) {
        return run(attempt, false);
    }

    /**
     * As {@link #run(Function)} for a write: a failed attempt is repeated only when the policy's
     * {@link RetryPolicy#isRetryableWrite(Throwable) write rule} allows it (the request certainly
     * did not reach the server), on the same attempts and backoff.
     */
    public <T> Flux<T> runWrite(Function<Attempts, Flux<T>> attempt) {
        return run(attempt, true);
    }

    private <T> Flux<T> run(Function<Attempts, Flux<T>> attempt, boolean write) {
        return Flux.defer(() -> {
            // Virtual under StepVerifier.withVirtualTime. A real scheduler's now() is the wall clock,
            // as for the not-found window: a clock step during an outage lengthens or shortens that
            // one resume window, nothing worse.
            Scheduler clock = timer.get();
            long now = clock.now(TimeUnit.NANOSECONDS);
            Attempts attempts = new Attempts(write ? policy.writeBudget(now) : policy.budget(now));
            return attemptOnce(attempt, attempts, clock);
        });
    }

    private <T> Flux<T> attemptOnce(Function<Attempts, Flux<T>> attempt, Attempts attempts, Scheduler clock) {
        attempts.budget.attemptStarted();
        return attempt.apply(attempts).onErrorResume(error -> {
            long now = clock.now(TimeUnit.NANOSECONDS);
            Duration wait = attempts.budget.failed(error, now, random);
            if (wait == null) {
                recordAttempts(error, attempts.made(), attempts.budget.elapsed(now));
                return Flux.error(error);
            }
            return Mono.delay(wait, clock).thenMany(Flux.defer(() -> attemptOnce(attempt, attempts, clock)));
        });
    }

    private static void recordAttempts(Throwable error, int made, Duration elapsed) {
        if (made > 1) {
            if (error instanceof ApiException api) {
                api.recordAttempts(made, elapsed);
            } else if (error instanceof TransferException te) {
                te.recordAttempts(made, elapsed);
            }
        }
    }
}
