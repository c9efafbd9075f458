package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The backoff schedule, pinned with virtual time: no sleeps, exact instants. */
class RetriesTest {

    private static final RetryPolicy POLICY = RetryPolicy.defaults()
            .baseDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(3)).maxRetryAfter(Duration.ofSeconds(20));

    /** Subscribes {@code run} under virtual time, failing every attempt with {@code error}; returns attempt instants. */
    private static List<Long> attemptTimes(RetryPolicy policy, double random, Throwable error) {
        List<Long> at = new ArrayList<>();
        StepVerifier.withVirtualTime(() -> new Retries(policy, () -> random, Schedulers::parallel)
                        .run(attempts -> Flux.defer(() -> {
                            at.add(Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS));
                            return Flux.<Integer>error(error);
                        })))
                .thenAwait(Duration.ofMinutes(5))
                .expectError(error.getClass())
                .verify(Duration.ofSeconds(5));
        long t0 = at.get(0);
        return at.stream().map(t -> t - t0).toList();
    }

    @Test
    void backoffIsExponentialUnderTheCapWithFullJitter() {
        ServerException e503 = new ServerException("x", 503, null, null, null);

        // random just below 1: the ceilings themselves, 1 s, 2 s, then capped at 3 s
        assertThat(attemptTimes(POLICY, 0.999999, e503)).containsExactly(0L, 999L, 2999L, 5999L);
        // random 0.5: half of each ceiling
        assertThat(attemptTimes(POLICY, 0.5, e503)).containsExactly(0L, 500L, 1500L, 3000L);
        // random 0: retries at once (full jitter reaches down to zero)
        assertThat(attemptTimes(POLICY, 0.0, e503)).containsExactly(0L, 0L, 0L, 0L);
    }

    @Test
    void retryAfterIsHonouredAndCapped() {
        RateLimitedException asked7 = new RateLimitedException("x", 429, 20429, null, null, Duration.ofSeconds(7));
        RateLimitedException asked90 = new RateLimitedException("x", 429, 20429, null, null, Duration.ofSeconds(90));

        assertThat(attemptTimes(POLICY, 0.5, asked7)).containsExactly(0L, 7000L, 14000L, 21000L);
        assertThat(attemptTimes(POLICY, 0.5, asked90)).containsExactly(0L, 20000L, 40000L, 60000L);
    }

    @Test
    void nonRetryableErrorsGetExactlyOneAttempt() {
        assertThat(attemptTimes(POLICY, 0.5, new NotFoundException("x", 404, 20404, null, null))).containsExactly(0L);
        assertThat(attemptTimes(POLICY, 0.5, new ServerException("x", 501, null, null, null))).containsExactly(0L);
        assertThat(attemptTimes(RetryPolicy.none(), 0.5, new TransferException("reset"))).containsExactly(0L);
    }

    @Test
    void theFinalErrorCarriesTheAttemptCount() {
        TransferException reset = new TransferException("GET /x failed in transfer");
        assertThat(attemptTimes(POLICY.maxAttempts(3), 0.1, reset)).hasSize(3);
        assertThat(reset.attempts()).isEqualTo(3);
        assertThat(reset.getMessage()).endsWith("(after 3 attempts)");
    }
}
