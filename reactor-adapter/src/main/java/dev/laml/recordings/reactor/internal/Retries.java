package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Applies a {@link RetryPolicy}: which failure is retried and after how long is the policy's
 * (core's) decision; this class only waits, on a scheduler obtained per subscription so that
 * {@code StepVerifier.withVirtualTime} can drive the clock.
 */
public final class Retries {

    /** Counts the attempts of one logical call (one subscription); touched serially. */
    public static final class Attempts {
        private int made;

        public void started() {
            made++;
        }

        public int made() {
            return made;
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
     * each subscription is one attempt. Outstanding demand carries over to the next attempt.
     *
     * <p>Built with {@code onErrorResume} rather than {@code retryWhen}: the success path, which
     * is nearly every call, then allocates no retry machinery at all.
     */
    public <T> Flux<T> run(Function<Attempts, Flux<T>> attempt) {
        return Flux.defer(() -> attemptOnce(attempt, new Attempts()));
    }

    private <T> Flux<T> attemptOnce(Function<Attempts, Flux<T>> attempt, Attempts attempts) {
        attempts.started();
        return attempt.apply(attempts).onErrorResume(error -> {
            Duration wait = policy.delayBeforeNextAttempt(error, attempts.made(), random);
            if (wait == null) {
                recordAttempts(error, attempts.made());
                return Flux.error(error);
            }
            return Mono.delay(wait, timer.get()).thenMany(Flux.defer(() -> attemptOnce(attempt, attempts)));
        });
    }

    private static void recordAttempts(Throwable error, int made) {
        if (made > 1) {
            if (error instanceof ApiException api) {
                api.recordAttempts(made);
            } else if (error instanceof TransferException te) {
                te.recordAttempts(made);
            }
        }
    }
}
