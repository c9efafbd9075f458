package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;
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

    private final boolean enabled;

    public Retries(RetryPolicy policy, DoubleSupplier random, Supplier<Scheduler> timer, boolean enabled) {
        this.enabled = enabled;
        this.policy = policy;
        this.random = random;
        this.timer = timer;
    }

    public RetryPolicy policy() {
        return policy;
    }

    /**
     * A {@link Retry} for one call: waits as the policy says, or gives up with the last error,
     * which then records how many attempts were made.
     */
    public Retry spec(Attempts attempts) {
        return Retry.from(signals -> signals.concatMap(signal -> {
            Throwable error = signal.failure();
            Duration wait = policy.delayBeforeNextAttempt(error, attempts.made(), random);
            if (wait == null) {
                recordAttempts(error, attempts.made());
                return Mono.error(error);
            }
            return Mono.delay(wait, timer.get());
        }));
    }

    /** Subscribes {@code attempt} again after each retryable failure; each subscription is one attempt. */
    public <T> Flux<T> run(java.util.function.Function<Attempts, Flux<T>> attempt) {
        if (!enabled) {
            return Flux.defer(() -> attempt.apply(new Attempts()));
        }
        return Flux.defer(() -> {
            Attempts attempts = new Attempts();
            return Flux.defer(() -> {
                attempts.started();
                return attempt.apply(attempts);
            }).retryWhen(spec(attempts));
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
