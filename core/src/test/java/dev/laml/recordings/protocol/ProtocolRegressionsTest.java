package dev.laml.recordings.protocol;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.TestData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static dev.laml.recordings.TestData.headers;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure {@link ProtocolPropertiesTest} found, kept as a plain test with the seed that found it (run the
 * property with {@code @Property(seed = "...")} to see the original sample).
 */
class ProtocolRegressionsTest {

    private static final RecordingsProtocol PROTOCOL = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(TestData.credentials()).build();
    private static final ApiRequest MEDIA = PROTOCOL.media(TestData.ACCOUNT_SID, TestData.RECORDING_SID,
            AudioFormat.MP3);

    /**
     * Seeds 1367983150998171377 ({@code headerReadersNeverThrow}) and 6340035191969397274
     * ({@code errorAlwaysTypesTheAnswer}, a 429): a {@code Retry-After} that is not blank but trims to nothing (a
     * lone NUL) reached {@code HttpDates.parse}, which returns null for it: a NullPointerException instead of "no
     * Retry-After".
     */
    @Test
    void aRetryAfterOfALoneControlCharacterIsNoRetryAfter() {
        assertThat(new Responses(Clock.systemUTC()).retryAfter("\u0000")).isNull();
        assertThat(new Responses(Clock.systemUTC()).retryAfter("\u0001 \u0007")).isNull();
        RateLimitedException e = (RateLimitedException) PROTOCOL.error(MEDIA, 429, "Too Many Requests",
                headers("Retry-After", "\u0000"), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(e.retryAfter()).isNull();
    }

    /** Found beside the one above (same cause): {@code Last-Modified} read with the same parser. */
    @Test
    void aLastModifiedOfALoneControlCharacterIsNoDate() {
        assertThat(PROTOCOL.lastModified(headers("Last-Modified", "\u0000"))).isNull();
        assertThat(PROTOCOL.resumeValidator(headers("Last-Modified", "\u0000"))).as("nothing to send back").isNull();
        assertThat(PROTOCOL.resumeValidator(headers("ETag", "\"v\u0001\""))).isNull();
    }

    /**
     * Seed -7948154619460227926 ({@code rangeAnswerIsAnAnswerOrATypedError}): {@code bytes=0-9223372036854775807}
     * answered 200 without a length; the count of bytes to hand on, {@code last - first + 1}, overflowed to
     * {@code Long.MIN_VALUE}. A range too long to count in a long now means "to the end".
     */
    @Test
    void aRangeTooLongToCountIsReadToTheEnd() {
        var answer = PROTOCOL.rangeAnswer(MEDIA, ByteRange.of(0, Long.MAX_VALUE), 200, headers());
        assertThat(answer.deliver()).isEqualTo(-1);
        assertThat(answer.skip()).isZero();
        assertThat(answer.length()).isEqualTo(-1);
        assertThat(ByteRanges.span(0, Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(ByteRanges.span(1, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(ByteRanges.span(5, 5)).isEqualTo(1);
    }
}
