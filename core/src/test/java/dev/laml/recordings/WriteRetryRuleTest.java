package dev.laml.recordings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** RetryPolicy's rule for writes: repeated only when the request certainly did not reach the server. */
class WriteRetryRuleTest {

    private final RetryPolicy policy = RetryPolicy.defaults().baseDelay(Duration.ofMillis(100));

    private static RateLimitedException limited(Duration retryAfter) {
        return new RateLimitedException("POST …: HTTP 429", 429, 20429, null, null, retryAfter);
    }

    @Test
    void aConnectionThatNeverOpenedIsRetriedAndSaysNothingWasSent() {
        ConnectFailedException refused = new ConnectFailedException("POST …: connection refused by 127.0.0.1:1",
                new ConnectException("Connection refused"));

        assertThat(refused.requestMayHaveReachedServer()).isFalse();
        assertThat(refused).isInstanceOf(TransferException.class).isInstanceOf(IOException.class);
        assertThat(policy.isRetryableWrite(refused)).isTrue();
        assertThat(policy.isRetryable(refused)).isTrue(); // a read retries it as before
    }

    @Test
    void aTooManyRequestsWithRetryAfterIsRetriedWithoutOneItIsNot() {
        assertThat(policy.isRetryableWrite(limited(Duration.ofSeconds(2)))).isTrue();
        assertThat(policy.isRetryableWrite(limited(null))).isFalse();
        assertThat(policy.isRetryable(limited(null))).isTrue(); // reads: unchanged
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void noServerErrorIsRetriedOnAWriteNotEvenA503(int status) {
        ServerException answered = new ServerException("POST …: HTTP " + status, status, null, null, null);
        assertThat(policy.isRetryableWrite(answered)).isFalse();
        assertThat(policy.isRetryable(answered)).isTrue();
    }

    @Test
    void aBreakAfterTheConnectionOpenedIsNeverRetriedOnAWrite() {
        TransferException reset = new TransferException("POST …: connection reset by 127.0.0.1:8080");
        ResponseTimeoutException timeout = new ResponseTimeoutException("POST …: no response headers within PT1S", null);
        IncompleteBodyException truncated = new IncompleteBodyException("POST …: body ended", 10, 20, null);

        for (TransferException e : new TransferException[] {reset, timeout, truncated}) {
            assertThat(e.requestMayHaveReachedServer()).as(e.getMessage()).isTrue();
            assertThat(policy.isRetryableWrite(e)).as(e.getMessage()).isFalse();
            assertThat(policy.isRetryable(e)).as(e.getMessage()).isTrue();
        }
        assertThat(policy.isRetryableWrite(new BadRequestException("x", 400, null, null, null))).isFalse();
        assertThat(policy.isRetryableWrite(new IllegalStateException("x"))).isFalse();
    }

    @Test
    void aWriteBudgetRetriesOnlyWhatAWriteMayRepeatUpToMaxAttempts() {
        RetryPolicy.Budget budget = policy.maxAttempts(3).writeBudget(0);
        ConnectFailedException refused = new ConnectFailedException("refused", null);

        budget.attemptStarted();
        assertThat(budget.failed(refused, 1, () -> 0.5)).isEqualTo(Duration.ofMillis(50));
        budget.attemptStarted();
        assertThat(budget.failed(limited(Duration.ofSeconds(3)), 2, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
        budget.attemptStarted();
        assertThat(budget.failed(refused, 3, () -> 0.5)).as("the third attempt was the last").isNull();
        assertThat(budget.attempts()).isEqualTo(3);
        assertThat(budget.toString()).contains("write");
    }

    @Test
    void aWriteBudgetNeverResumesEvenAfterProgress() {
        RetryPolicy.Budget budget = policy.writeBudget(0);
        budget.attemptStarted();
        budget.progressed();
        assertThat(budget.failed(new TransferException("reset"), 1, () -> 0.5)).isNull();
        assertThat(budget.resuming()).isFalse();
    }

    @Test
    void aReadBudgetStillRetriesAReset() {
        RetryPolicy.Budget budget = policy.budget(0);
        budget.attemptStarted();
        assertThat(budget.failed(new TransferException("reset"), 1, () -> 0.5)).isNotNull();
    }
}
