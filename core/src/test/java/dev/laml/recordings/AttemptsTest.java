package dev.laml.recordings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("ApiException / TransferException: how many attempts ended in the error")
class AttemptsTest {

    private static final String MESSAGE = "GET /x.wav failed";

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments("ApiException", (Supplier<Throwable>) () -> new ApiException(MESSAGE, 418, null, null, null)),
                arguments("ServerException", (Supplier<Throwable>) () -> new ServerException(MESSAGE, 503, null, null, null)),
                arguments("RateLimitedException", (Supplier<Throwable>) () -> new RateLimitedException(MESSAGE, 429,
                        20429, "slow down", null, Duration.ofSeconds(1))),
                arguments("UnexpectedResponseException",
                        (Supplier<Throwable>) () -> new UnexpectedResponseException(MESSAGE, 200, null, null, null)),
                arguments("TransferException", (Supplier<Throwable>) () -> new TransferException(MESSAGE)),
                arguments("IncompleteBodyException",
                        (Supplier<Throwable>) () -> new IncompleteBodyException(MESSAGE, 1, 2, null)),
                arguments("ResponseTimeoutException",
                        (Supplier<Throwable>) () -> new ResponseTimeoutException(MESSAGE, null)),
                arguments("ContentChangedException", (Supplier<Throwable>) () -> new ContentChangedException(MESSAGE)),
                arguments("PoolExhaustedException",
                        (Supplier<Throwable>) () -> new PoolExhaustedException(MESSAGE, null)),
                arguments("TlsException", (Supplier<Throwable>) () -> new TlsException(MESSAGE, null)),
                arguments("ProxyException", (Supplier<Throwable>) () -> new ProxyException(MESSAGE, null)));
    }

    private static int attempts(Throwable t) {
        return t instanceof ApiException a ? a.attempts() : ((TransferException) t).attempts();
    }

    private static void record(Throwable t, int n) {
        if (t instanceof ApiException a) {
            a.recordAttempts(n);
        } else {
            ((TransferException) t).recordAttempts(n);
        }
    }

    private static void record(Throwable t, int n, Duration elapsed) {
        if (t instanceof ApiException a) {
            a.recordAttempts(n, elapsed);
        } else {
            ((TransferException) t).recordAttempts(n, elapsed);
        }
    }

    private static Duration elapsed(Throwable t) {
        return t instanceof ApiException a ? a.elapsed() : ((TransferException) t).elapsed();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void aFirstAttemptErrorSaysNothingAboutAttempts(String type, Supplier<Throwable> error) {
        Throwable t = error.get();
        assertThat(attempts(t)).isEqualTo(1);
        assertThat(t.getMessage()).isEqualTo(MESSAGE);
        record(t, 1);
        assertThat(attempts(t)).isEqualTo(1);
        assertThat(t.getMessage()).isEqualTo(MESSAGE);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void afterRetriesTheMessageSaysHowManyAttemptsWereMade(String type, Supplier<Throwable> error) {
        Throwable t = error.get();
        record(t, 4);
        assertThat(attempts(t)).isEqualTo(4);
        assertThat(t.getMessage()).isEqualTo(MESSAGE + " (after 4 attempts)");
        assertThat(t.getLocalizedMessage()).isEqualTo(MESSAGE + " (after 4 attempts)");
        assertThat(t.toString()).endsWith(": " + MESSAGE + " (after 4 attempts)");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void recordingAgainReplacesTheCountRatherThanAppending(String type, Supplier<Throwable> error) {
        Throwable t = error.get();
        record(t, 2);
        record(t, 3);
        assertThat(t.getMessage()).isEqualTo(MESSAGE + " (after 3 attempts)");
        record(t, 1);
        assertThat(t.getMessage()).isEqualTo(MESSAGE);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void withTheTimeSpentTheMessageSaysBothFigures(String type, Supplier<Throwable> error) {
        Throwable t = error.get();
        record(t, 9, Duration.ofMillis(31_234));
        assertThat(attempts(t)).isEqualTo(9);
        assertThat(elapsed(t)).isEqualTo(Duration.ofMillis(31_234));
        assertThat(t.getMessage()).isEqualTo(MESSAGE + " (after 9 attempts over 31.2 s)");
        record(t, 1, Duration.ofSeconds(3));
        assertThat(t.getMessage()).as("one attempt: nothing to say").isEqualTo(MESSAGE);
        assertThat(elapsed(t)).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0} -> \"{1}\"")
    @CsvSource(delimiter = '|', value = {
            "PT0S          | ' (after 2 attempts over 0.0 s)'",
            "PT0.049S      | ' (after 2 attempts over 0.0 s)'",
            "PT0.05S       | ' (after 2 attempts over 0.1 s)'",
            "PT1.75S       | ' (after 2 attempts over 1.8 s)'",
            "PT9.96S       | ' (after 2 attempts over 10.0 s)'",
            "PT2H          | ' (after 2 attempts over 7200.0 s)'",
            "PT-1S         | ' (after 2 attempts over 0.0 s)'",
            "PT2562047H    | ' (after 2 attempts over 9223369200.0 s)'",
    })
    void theTimeIsInSecondsRoundedToATenth(Duration elapsed, String suffix) {
        for (Throwable t : new Throwable[] {new ServerException(MESSAGE, 500, null, null, null),
                new TransferException(MESSAGE)}) {
            record(t, 2, elapsed);
            assertThat(t.getMessage()).isEqualTo(MESSAGE + suffix);
        }
    }

    @ParameterizedTest(name = "[{index}] recordAttempts({0}) -> {1}, suffix \"{2}\"")
    @CsvSource(delimiter = '|', value = {
            "0            | 1          | ''",
            "-7           | 1          | ''",
            "-2147483648  | 1          | ''",
            "2            | 2          | ' (after 2 attempts)'",
            "2147483647   | 2147483647 | ' (after 2147483647 attempts)'",
    })
    void countsBelowOneMeanOne(int recorded, int expected, String suffix) {
        for (Throwable t : new Throwable[] {new ServerException(MESSAGE, 500, null, null, null),
                new TransferException(MESSAGE)}) {
            record(t, recorded);
            assertThat(attempts(t)).isEqualTo(expected);
            assertThat(t.getMessage()).isEqualTo(MESSAGE + suffix);
        }
    }
}
