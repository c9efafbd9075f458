package dev.laml.recordings;

import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.noHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("RetryPolicy: what is retried, and after how long")
class RetryPolicyTest {

    private static final RecordingsProtocol PROTOCOL = RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build();
    private static final ApiRequest FETCH = PROTOCOL.fetch(ACCOUNT_SID, RECORDING_SID);

    private static final DoubleSupplier TOP = () -> 1.0;
    private static final DoubleSupplier ZERO = () -> 0.0;
    private static final DoubleSupplier NEVER = () -> {
        throw new AssertionError("the jitter must not be drawn here");
    };

    private final RetryPolicy defaults = RetryPolicy.defaults();

    /** The exception the protocol makes of an error status, as the client would see it. */
    private static ApiException status(int status) {
        return PROTOCOL.error(FETCH, status, null, noHeaders(), new byte[0]);
    }

    private static RateLimitedException rateLimited(String retryAfter) {
        return (RateLimitedException) PROTOCOL.error(FETCH, 429, "Too Many Requests",
                retryAfter == null ? noHeaders() : headers("Retry-After", retryAfter), new byte[0]);
    }

    @Nested
    @DisplayName("isRetryable")
    class IsRetryable {

        @ParameterizedTest(name = "[{index}] HTTP {0}")
        @ValueSource(ints = {429, 500, 502, 503, 504})
        void overloadAndTransientServerFailuresAre(int code) {
            ApiException error = status(code);
            assertThat(defaults.isRetryable(error)).isTrue();
            assertThat(defaults.delayBeforeNextAttempt(error, 1, ZERO)).isNotNull();
        }

        @ParameterizedTest(name = "[{index}] HTTP {0}")
        @ValueSource(ints = {400, 401, 403, 404, 405, 409, 410, 422, 501, 505, 511, 302, 200})
        void otherStatusesAreNot(int code) {
            ApiException error = status(code);
            assertThat(defaults.isRetryable(error)).isFalse();
            assertThat(defaults.delayBeforeNextAttempt(error, 1, NEVER)).isNull();
        }

        static Stream<Arguments> failures() {
            IOException cause = new ConnectException("refused");
            return Stream.of(
                    arguments("TransferException", new TransferException("reset", cause), true),
                    arguments("IncompleteBodyException", new IncompleteBodyException("short", 5, 10, null), true),
                    arguments("ResponseTimeoutException", new ResponseTimeoutException("slow", null), true),
                    arguments("transferFailed(...)", PROTOCOL.transferFailed(FETCH, cause), true),
                    arguments("incompleteBody(...)", PROTOCOL.incompleteBody(FETCH, 5, 10, null), true),
                    arguments("ContentChangedException", new ContentChangedException("changed"), false),
                    arguments("PoolExhaustedException", new PoolExhaustedException("pool", null), false),
                    arguments("TlsException", new TlsException("untrusted", new javax.net.ssl.SSLHandshakeException("x")), false),
                    arguments("ProxyException", new ProxyException("407", cause), false),
                    arguments("bodyTooLarge(...)", PROTOCOL.bodyTooLarge(FETCH, 200, 1024), false),
                    arguments("MalformedResponseException", PROTOCOL.malformedResponse(FETCH, null,
                            new NumberFormatException("For input string: \"2OO\"")), false),
                    arguments("a bare IOException", new IOException("io"), false),
                    arguments("a bare ConnectException", cause, false),
                    arguments("IllegalArgumentException", new IllegalArgumentException("bug"), false),
                    arguments("an Error", new OutOfMemoryError(), false),
                    arguments("null", null, false));
        }

        @ParameterizedTest(name = "[{index}] {0}: {2}")
        @MethodSource("failures")
        void transferFailuresAreButChangedContentAndAnExhaustedPoolAreNot(String name, Throwable error,
                boolean retryable) {
            assertThat(defaults.isRetryable(error)).isEqualTo(retryable);
            if (retryable) {
                assertThat(defaults.delayBeforeNextAttempt(error, 1, ZERO)).isEqualTo(Duration.ZERO);
            } else {
                assertThat(defaults.delayBeforeNextAttempt(error, 1, NEVER)).isNull();
            }
        }
    }

    @Nested
    @DisplayName("backoff")
    class Backoff {

        private final RetryPolicy many = RetryPolicy.defaults().maxAttempts(Integer.MAX_VALUE);
        private final TransferException reset = new TransferException("reset");

        @ParameterizedTest(name = "[{index}] after attempt {0}: up to {1} ms")
        @CsvSource({"1, 250", "2, 500", "3, 1000", "4, 2000", "5, 4000", "6, 8000", "7, 10000", "8, 10000",
                "31, 10000", "32, 10000", "64, 10000", "1000, 10000", "2147483646, 10000"})
        void ceilingsDoubleFrom250msUpTo10s(int attemptsMade, long ceilingMillis) {
            assertThat(many.delayBeforeNextAttempt(reset, attemptsMade, TOP)).isEqualTo(Duration.ofMillis(ceilingMillis));
            assertThat(many.delayBeforeNextAttempt(status(503), attemptsMade, TOP))
                    .isEqualTo(Duration.ofMillis(ceilingMillis));
        }

        @ParameterizedTest(name = "[{index}] after attempt {0}")
        @ValueSource(ints = {1, 2, 3, 7, 100})
        void fullJitterReachesDownToZero(int attemptsMade) {
            assertThat(many.delayBeforeNextAttempt(reset, attemptsMade, ZERO)).isEqualTo(Duration.ZERO);
        }

        @ParameterizedTest(name = "[{index}] random {0} after attempt {1} -> {2} ms")
        @CsvSource({"0.5, 1, 125", "0.5, 3, 500", "0.25, 7, 2500", "0.999, 1, 249.75", "0.1, 2, 50"})
        void theWaitIsTheRandomFractionOfTheCeiling(double random, int attemptsMade, double expectedMillis) {
            assertThat(many.delayBeforeNextAttempt(reset, attemptsMade, () -> random).toNanos())
                    .isCloseTo((long) (expectedMillis * 1_000_000), org.assertj.core.data.Offset.offset(1L));
        }

        @ParameterizedTest(name = "[{index}] base 100 ms, max 1 s, after attempt {0}: {1} ms")
        @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "6, 1000"})
        void baseAndMaxAreConfigurable(int attemptsMade, long ceilingMillis) {
            RetryPolicy p = many.baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1));
            assertThat(p.delayBeforeNextAttempt(reset, attemptsMade, TOP)).isEqualTo(Duration.ofMillis(ceilingMillis));
        }

        @Test
        void aBaseAboveTheMaxIsCappedByTheMax() {
            RetryPolicy p = many.baseDelay(Duration.ofSeconds(30));
            assertThat(p.delayBeforeNextAttempt(reset, 1, TOP)).isEqualTo(Duration.ofSeconds(10));
        }

        @ParameterizedTest(name = "[{index}] base {0}, max {1}, after attempt {2} -> {3}")
        @CsvSource({
                "PT0.25S,            PT2562048H,                 1,  PT0.25S",
                "PT0.25S,            PT2562048H,                 3,  PT1S",
                "PT24000000H,        PT10S,                      1,  PT10S",
                "PT1S,               PT24000000H,                1,  PT1S",
        })
        void durationsBeyondTheNanosecondRangeDoNotOverflow(Duration base, Duration max, int attemptsMade,
                Duration expected) {
            RetryPolicy p = many.baseDelay(base).maxDelay(max);
            assertThat(p.delayBeforeNextAttempt(reset, attemptsMade, TOP)).isEqualTo(expected);
        }

        @Test
        void aForeverMaxWithManyAttemptsStaysPositive() {
            RetryPolicy p = many.maxDelay(ChronoUnit.FOREVER.getDuration());
            assertThat(p.delayBeforeNextAttempt(reset, 200, TOP)).isPositive()
                    .isEqualTo(Duration.ofMillis(250).multipliedBy(1L << 30));
        }
    }

    @Nested
    @DisplayName("Retry-After")
    class RetryAfter {

        @ParameterizedTest(name = "[{index}] Retry-After {0} -> {1} s")
        @CsvSource({"7, 7", "0, 0", "1, 1", "59, 59", "60, 60", "61, 60", "90, 60", "86400, 60"})
        void isHonouredWithoutJitterUpTo60s(String header, long expectedSeconds) {
            assertThat(defaults.delayBeforeNextAttempt(rateLimited(header), 1, NEVER))
                    .isEqualTo(Duration.ofSeconds(expectedSeconds));
        }

        @Test
        void isHonouredWhateverTheAttemptWithinBudget() {
            assertThat(defaults.delayBeforeNextAttempt(rateLimited("7"), 3, NEVER)).isEqualTo(Duration.ofSeconds(7));
        }

        @ParameterizedTest(name = "[{index}] maxRetryAfter {0}, Retry-After {1} -> {2}")
        @CsvSource({"PT5S, 7, PT5S", "PT5S, 5, PT5S", "PT5S, 4, PT4S", "PT10M, 90, PT1M30S"})
        void isCappedByMaxRetryAfter(Duration cap, String header, Duration expected) {
            assertThat(defaults.maxRetryAfter(cap).delayBeforeNextAttempt(rateLimited(header), 1, NEVER))
                    .isEqualTo(expected);
        }

        @ParameterizedTest(name = "[{index}] Retry-After \"{0}\"")
        @CsvSource(value = {"NULL", "soon", "-5"}, nullValues = "NULL")
        void absentOrUnreadableFallsBackToBackoff(String header) {
            RateLimitedException e = rateLimited(header);
            assertThat(e.retryAfter()).isNull();
            assertThat(defaults.delayBeforeNextAttempt(e, 1, TOP)).isEqualTo(Duration.ofMillis(250));
            assertThat(defaults.delayBeforeNextAttempt(e, 2, TOP)).isEqualTo(Duration.ofMillis(500));
        }

        @Test
        void doesNotExtendTheBudget() {
            assertThat(defaults.delayBeforeNextAttempt(rateLimited("7"), 4, NEVER)).isNull();
        }
    }

    @Nested
    @DisplayName("budget")
    class Budget {

        private final TransferException reset = new TransferException("reset");

        @ParameterizedTest(name = "[{index}] maxAttempts {0}, attempts made {1}: another {2}")
        @CsvSource({"4, 1, true", "4, 2, true", "4, 3, true", "4, 4, false", "4, 5, false", "4, 100, false",
                "1, 1, false", "2, 1, true", "2, 2, false"})
        void thereIsNoNextAttemptOnceMaxAttemptsWereMade(int maxAttempts, int attemptsMade, boolean another) {
            RetryPolicy p = defaults.maxAttempts(maxAttempts);
            assertThat(p.delayBeforeNextAttempt(reset, attemptsMade, ZERO) != null).isEqualTo(another);
            assertThat(p.delayBeforeNextAttempt(status(503), attemptsMade, ZERO) != null).isEqualTo(another);
        }

        @Test
        void noneMakesEveryFailureFinal() {
            assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
            assertThat(RetryPolicy.none().delayBeforeNextAttempt(reset, 1, NEVER)).isNull();
            assertThat(RetryPolicy.none().delayBeforeNextAttempt(rateLimited("1"), 1, NEVER)).isNull();
            assertThat(RetryPolicy.none().isRetryable(reset)).as("retryable, budget aside").isTrue();
        }
    }

    @Nested
    @DisplayName("resume budget")
    class ResumeBudget {

        private final TransferException reset = new TransferException("reset");

        @ParameterizedTest(name = "[{index}] {0} ms without progress: another {1}")
        @CsvSource({"0, true", "1, true", "29999, true", "30000, false", "30001, false", "3600000, false"})
        void aBodyIsResumedWhileItsFailuresSpanLessThan30s(long millis, boolean another) {
            assertThat(defaults.delayBeforeNextResume(reset, 5, Duration.ofMillis(millis), ZERO) != null)
                    .isEqualTo(another);
        }

        @ParameterizedTest(name = "[{index}] failure {0} without progress")
        @ValueSource(ints = {4, 5, 100, Integer.MAX_VALUE})
        void theCountDoesNotEndIt(int failures) {
            assertThat(defaults.delayBeforeNextResume(reset, failures, Duration.ofSeconds(29), ZERO)).isNotNull();
        }

        @ParameterizedTest(name = "[{index}] failure {0} without progress: up to {1} ms")
        @CsvSource({"1, 250", "2, 500", "3, 1000", "4, 2000", "5, 2000", "60, 2000", "2147483647, 2000"})
        void theBackoffStartsAtTheBaseAndIsCappedAt2s(int failures, long ceilingMillis) {
            assertThat(defaults.delayBeforeNextResume(reset, failures, Duration.ZERO, TOP))
                    .isEqualTo(Duration.ofMillis(ceilingMillis));
            assertThat(defaults.delayBeforeNextResume(status(503), failures, Duration.ZERO, () -> 0.5))
                    .isEqualTo(Duration.ofMillis(ceilingMillis / 2));
        }

        @Test
        void theCapAndTheWindowAreConfigurable() {
            RetryPolicy p = defaults.maxResumeDelay(Duration.ofMillis(300)).resumeWithoutProgressFor(Duration.ofSeconds(2));
            assertThat(p.delayBeforeNextResume(reset, 9, Duration.ofMillis(1999), TOP)).isEqualTo(Duration.ofMillis(300));
            assertThat(p.delayBeforeNextResume(reset, 9, Duration.ofSeconds(2), TOP)).isNull();
        }

        @Test
        void aMaxResumeDelayAboveMaxDelayIsNotCutByIt() {
            RetryPolicy p = defaults.maxDelay(Duration.ofMillis(100)).maxResumeDelay(Duration.ofSeconds(3));
            assertThat(p.delayBeforeNextResume(reset, 10, Duration.ZERO, TOP)).isEqualTo(Duration.ofSeconds(3));
        }

        @Test
        void retryAfterIsHonouredUpToMaxRetryAfterNotMaxResumeDelay() {
            assertThat(defaults.delayBeforeNextResume(rateLimited("7"), 1, Duration.ZERO, NEVER))
                    .isEqualTo(Duration.ofSeconds(7));
            assertThat(defaults.delayBeforeNextResume(rateLimited("90"), 1, Duration.ZERO, NEVER))
                    .isEqualTo(Duration.ofSeconds(60));
        }

        @Test
        void whatIsNeverRetriedIsNeverResumed() {
            assertThat(defaults.delayBeforeNextResume(new ContentChangedException("changed"), 1, Duration.ZERO, NEVER))
                    .isNull();
            assertThat(defaults.delayBeforeNextResume(status(404), 1, Duration.ZERO, NEVER)).isNull();
        }

        @Test
        void aZeroWindowResumesNothing() {
            assertThat(defaults.resumeWithoutProgressFor(Duration.ZERO)
                    .delayBeforeNextResume(reset, 1, Duration.ZERO, NEVER)).isNull();
        }

        @Test
        void oneAttemptMeansNoResumeEither() {
            assertThat(defaults.maxAttempts(1).delayBeforeNextResume(reset, 1, Duration.ZERO, NEVER)).isNull();
            assertThat(RetryPolicy.none().delayBeforeNextResume(reset, 1, Duration.ZERO, NEVER)).isNull();
            assertThat(defaults.maxAttempts(2).delayBeforeNextResume(reset, 1, Duration.ZERO, ZERO)).isNotNull();
        }
    }

    /**
     * One call's budget driven by explicit times (milliseconds here, as nanoseconds): no clock,
     * no sleep. "fail at t" is a failed attempt at t; "bytes" is a delivered buffer.
     */
    @Nested
    @DisplayName("Budget")
    class CallBudget {

        private final TransferException reset = new TransferException("reset");
        private final RetryPolicy policy = defaults.resumeWithoutProgressFor(Duration.ofSeconds(30));

        private long ms(long millis) {
            return millis * 1_000_000L;
        }

        /** Starts attempts and fails each at the given times, with no progress; returns how many got a next one. */
        private int failAt(RetryPolicy.Budget budget, long... millis) {
            int granted = 0;
            for (long t : millis) {
                budget.attemptStarted();
                if (budget.failed(reset, ms(t), ZERO) == null) {
                    return granted;
                }
                granted++;
            }
            return granted;
        }

        @Test
        void aCallThatDeliveredNothingStaysOnTheRequestBudget() {
            RetryPolicy.Budget budget = policy.budget(0);
            assertThat(failAt(budget, 10, 20, 30, 40, 50)).as("4 attempts: 3 retries").isEqualTo(3);
            assertThat(budget.attempts()).isEqualTo(4);
            assertThat(budget.resuming()).isFalse();
        }

        @Test
        void aFailureAfterDeliveredBytesMovesToTheResumeBudgetWhateverTheAttemptsMade() {
            RetryPolicy.Budget budget = policy.budget(0);
            assertThat(failAt(budget, 10, 20, 30)).isEqualTo(3); // request budget: 3 retries of 4 attempts
            budget.attemptStarted();
            budget.progressed();
            assertThat(budget.failed(reset, ms(1_000), TOP)).as("the backoff starts again at the base")
                    .isEqualTo(Duration.ofMillis(250));
            assertThat(budget.resuming()).isTrue();
            // failures without progress, 1 s apart from 1 s to 30 s after the first: 29 more resumes, then final
            long[] times = new long[31];
            for (int i = 0; i < times.length; i++) {
                times[i] = 2_000 + 1_000L * i;
            }
            assertThat(failAt(budget, times)).as("resumed until the failures span 30 s").isEqualTo(29);
            assertThat(budget.attempts()).isEqualTo(4 + 30);
        }

        @Test
        void everyDeliveredByteRestartsTheClock() {
            RetryPolicy.Budget budget = policy.budget(0);
            budget.attemptStarted();
            budget.progressed();
            assertThat(budget.failed(reset, ms(1_000), ZERO)).isNotNull();
            assertThat(failAt(budget, 20_000, 30_999)).isEqualTo(2); // 29.999 s without progress: resumed
            budget.attemptStarted();
            budget.progressed(); // the resume delivered something, then broke
            assertThat(budget.failed(reset, ms(40_000), ZERO)).as("a new window from 40 s").isNotNull();
            assertThat(failAt(budget, 69_999)).isEqualTo(1);
            assertThat(failAt(budget, 70_000)).as("30 s after the first failure since progress").isZero();
            assertThat(budget.elapsed(ms(70_000))).isEqualTo(Duration.ofSeconds(70));
        }

        @Test
        void theBackoffGrowsWithFailuresSinceProgressAndFallsBackAfterProgress() {
            RetryPolicy.Budget budget = policy.budget(0);
            budget.attemptStarted();
            budget.progressed();
            java.util.List<Duration> waits = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                waits.add(budget.failed(reset, ms(i), TOP));
                budget.attemptStarted();
            }
            budget.progressed();
            waits.add(budget.failed(reset, ms(10), TOP));
            assertThat(waits).extracting(Duration::toMillis).containsExactly(250L, 500L, 1000L, 2000L, 2000L, 2000L, 250L);
        }

        @Test
        void aFinalErrorOnTheResumeBudgetIsTheFirstNotRetryableOne() {
            RetryPolicy.Budget budget = policy.budget(0);
            budget.attemptStarted();
            budget.progressed();
            assertThat(budget.failed(new ContentChangedException("changed"), ms(5), NEVER)).isNull();
        }

        @Test
        void withTheResumeBudgetOffResumesCountAgainstMaxAttempts() {
            RetryPolicy.Budget budget = policy.resumeWithoutProgressFor(Duration.ZERO).budget(0);
            for (int i = 0; i < 3; i++) {
                budget.attemptStarted();
                budget.progressed();
                assertThat(budget.failed(reset, ms(i), ZERO)).isNotNull();
            }
            budget.attemptStarted();
            budget.progressed();
            assertThat(budget.failed(reset, ms(4), ZERO)).as("the 4th attempt is the last, progress or not").isNull();
            assertThat(budget.resuming()).isFalse();
        }

        @Test
        void noneOrOneAttemptGivesABodyThatMadeProgressNoSecondAttempt() {
            for (RetryPolicy p : new RetryPolicy[] {RetryPolicy.none(), policy.maxAttempts(1)}) {
                RetryPolicy.Budget budget = p.budget(0);
                budget.attemptStarted();
                budget.progressed();
                assertThat(budget.failed(reset, ms(1), NEVER)).as(p.toString()).isNull();
                assertThat(budget.resuming()).isFalse();
            }
        }

        @Test
        void elapsedRunsFromTheStartGivenWhateverTheOrigin() {
            RetryPolicy.Budget budget = policy.budget(-5_000_000_000L);
            assertThat(budget.elapsed(-2_000_000_000L)).isEqualTo(Duration.ofSeconds(3));
            assertThat(budget.elapsed(-6_000_000_000L)).as("never negative").isZero();
        }
    }

    @Nested
    @DisplayName("configuration")
    class Configuration {

        @Test
        void defaultsAre4Attempts250msTo10sAndRetryAfterUpTo60s() {
            assertThat(defaults.maxAttempts()).isEqualTo(4);
            assertThat(defaults.baseDelay()).isEqualTo(Duration.ofMillis(250));
            assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(10));
            assertThat(defaults.maxRetryAfter()).isEqualTo(Duration.ofSeconds(60));
            assertThat(RetryPolicy.none()).isEqualTo(defaults.maxAttempts(1));
        }

        @Test
        void resumesByDefaultFor30sWithoutProgressWaitingAtMost2s() {
            assertThat(defaults.resumeWithoutProgressFor()).isEqualTo(Duration.ofSeconds(30));
            assertThat(defaults.maxResumeDelay()).isEqualTo(Duration.ofSeconds(2));
        }

        @Test
        void aZeroResumeWindowIsAllowedAndMeansOffButANegativeOneIsNot() {
            assertThat(defaults.resumeWithoutProgressFor(Duration.ZERO).resumeWithoutProgressFor()).isZero();
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> defaults.resumeWithoutProgressFor(Duration.ofMillis(-1)))
                    .withMessageStartingWith("resumeWithoutProgressFor ").withMessageContaining("zero or positive");
            assertThatThrownBy(() -> defaults.resumeWithoutProgressFor(null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("resumeWithoutProgressFor");
        }

        @Test
        void withersReturnModifiedCopies() {
            RetryPolicy p = defaults.maxAttempts(7).baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofSeconds(2))
                    .maxRetryAfter(Duration.ofSeconds(5)).resumeWithoutProgressFor(Duration.ofMinutes(2))
                    .maxResumeDelay(Duration.ofSeconds(4));

            assertThat(p.maxAttempts()).isEqualTo(7);
            assertThat(p.baseDelay()).isEqualTo(Duration.ofMillis(10));
            assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(p.maxRetryAfter()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.resumeWithoutProgressFor()).isEqualTo(Duration.ofMinutes(2));
            assertThat(p.maxResumeDelay()).isEqualTo(Duration.ofSeconds(4));
            assertThat(RetryPolicy.defaults()).isEqualTo(defaults).isNotEqualTo(p);
            assertThat(defaults.maxAttempts()).isEqualTo(4);
        }

        @Test
        void equalSettingsMakeEqualPolicies() {
            RetryPolicy a = defaults.maxAttempts(3).baseDelay(Duration.ofMillis(100));
            RetryPolicy b = defaults.baseDelay(Duration.ofMillis(100)).maxAttempts(3);
            assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(defaults);
            assertThat(a.toString()).contains("maxAttempts=3", "baseDelay=PT0.1S", "maxDelay=PT10S",
                    "maxRetryAfter=PT1M", "resumeWithoutProgressFor=PT30S", "maxResumeDelay=PT2S");
            assertThat(a.resumeWithoutProgressFor(Duration.ofSeconds(5))).isNotEqualTo(a)
                    .isEqualTo(b.resumeWithoutProgressFor(Duration.ofSeconds(5)));
            assertThat(a.maxResumeDelay(Duration.ofSeconds(5))).isNotEqualTo(a)
                    .isEqualTo(b.maxResumeDelay(Duration.ofSeconds(5)));
        }

        @ParameterizedTest(name = "[{index}] maxAttempts({0})")
        @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
        void maxAttemptsMustBeAtLeastOne(int value) {
            assertThatIllegalArgumentException().isThrownBy(() -> defaults.maxAttempts(value))
                    .withMessageContaining("maxAttempts").withMessageContaining(String.valueOf(value));
        }

        static Stream<Arguments> durationWithers() {
            return Stream.of(
                    arguments("baseDelay", (Function<Duration, RetryPolicy>) d -> RetryPolicy.defaults().baseDelay(d)),
                    arguments("maxDelay", (Function<Duration, RetryPolicy>) d -> RetryPolicy.defaults().maxDelay(d)),
                    arguments("maxRetryAfter",
                            (Function<Duration, RetryPolicy>) d -> RetryPolicy.defaults().maxRetryAfter(d)),
                    arguments("maxResumeDelay",
                            (Function<Duration, RetryPolicy>) d -> RetryPolicy.defaults().maxResumeDelay(d)));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @MethodSource("durationWithers")
        void durationsMustBePositive(String name, Function<Duration, RetryPolicy> wither) {
            for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(-10)}) {
                assertThatIllegalArgumentException().isThrownBy(() -> wither.apply(bad))
                        .withMessageStartingWith(name + " ").withMessageContaining("positive");
            }
            assertThatThrownBy(() -> wither.apply(null))
                    .isInstanceOfAny(NullPointerException.class, IllegalArgumentException.class)
                    .hasMessageContaining(name);
            assertThat(wither.apply(Duration.ofNanos(1))).isNotNull();
        }
    }
}
