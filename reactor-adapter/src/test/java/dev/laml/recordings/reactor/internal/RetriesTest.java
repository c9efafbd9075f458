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
        assertThat(reset.getMessage()).endsWith("(after 3 attempts over 0.3 s)"); // waits of 0.1 s and 0.2 s
    }

    /**
     * Attempt 1 delivers two elements then fails; attempts 2 to {@code deliveringAttempt - 1} fail
     * at once, attempt {@code deliveringAttempt} delivers one more and fails, the rest fail at once.
     * Returns the instants (ms from the first) of every attempt.
     */
    private static List<Long> resumeTimes(RetryPolicy policy, double random, int deliveringAttempt,
            TransferException error) {
        List<Long> at = new ArrayList<>();
        StepVerifier.withVirtualTime(() -> new Retries(policy, () -> random, Schedulers::parallel)
                        .run(attempts -> Flux.defer(() -> {
                            at.add(Schedulers.parallel().now(java.util.concurrent.TimeUnit.MILLISECONDS));
                            int n = attempts.made() == 1 ? 2 : attempts.made() == deliveringAttempt ? 1 : 0;
                            return Flux.range(0, n).doOnNext(i -> attempts.progressed())
                                    .concatWith(Flux.error(error));
                        })))
                .expectNextCount(2)
                .thenAwait(Duration.ofMinutes(10))
                .expectNextCount(deliveringAttempt > 0 ? 1 : 0)
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(error))
                .verify(Duration.ofSeconds(5));
        long t0 = at.get(0);
        return at.stream().map(t -> t - t0).toList();
    }

    @Test
    void aBodyThatDeliveredResumesByTimeWithTheBackoffCappedNotByCount() {
        RetryPolicy policy = POLICY.maxAttempts(2).resumeWithoutProgressFor(Duration.ofSeconds(10))
                .maxResumeDelay(Duration.ofSeconds(2));
        TransferException reset = new TransferException("GET /x failed in transfer");

        // random just below 1: waits 1 s, then capped at 2 s; resumed while the failures span less than 10 s
        List<Long> times = resumeTimes(policy, 0.999999, 0, reset);
        assertThat(times).containsExactly(0L, 999L, 2999L, 4999L, 6999L, 8999L, 10999L);
        assertThat(reset.attempts()).isEqualTo(7);
        assertThat(reset.getMessage()).endsWith("(after 7 attempts over 11.0 s)");
    }

    @Test
    void bytesDeliveredByAResumeRestartTheClockAndTheBackoff() {
        RetryPolicy policy = POLICY.maxAttempts(2).resumeWithoutProgressFor(Duration.ofSeconds(3))
                .maxResumeDelay(Duration.ofSeconds(2));
        TransferException reset = new TransferException("GET /x failed in transfer");

        // attempt 3 (at 1.5 s) delivers: a fresh 3 s window from its failure, backoff from 1 s again
        List<Long> times = resumeTimes(policy, 0.5, 3, reset);
        assertThat(times).containsExactly(0L, 500L, 1500L, 2000L, 3000L, 4000L, 5000L);
        assertThat(reset.getMessage()).endsWith("(after 7 attempts over 5.0 s)");
    }

    @Test
    void withoutDeliveredBytesTheRequestBudgetStillRules() {
        TransferException refused = new TransferException("GET /x failed in transfer");
        assertThat(attemptTimes(POLICY.resumeWithoutProgressFor(Duration.ofHours(1)), 0.5, refused))
                .containsExactly(0L, 500L, 1500L, 3000L);
        assertThat(refused.getMessage()).endsWith("(after 4 attempts over 3.0 s)");
    }
}
