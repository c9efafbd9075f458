package dev.laml.recordings.player;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 9110's comparisons: weak for If-None-Match, strong for If-Range, exact dates. */
class ValidatorsTest {

    private static final String ETAG = "\"abc\"";
    private static final Instant MODIFIED = Instant.parse("2018-09-25T23:00:00Z");

    @Test
    void ifNoneMatchComparesWeakly() {
        assertThat(Validators.ifNoneMatchMatches("\"abc\"", ETAG)).isTrue();
        assertThat(Validators.ifNoneMatchMatches("W/\"abc\"", ETAG)).isTrue();
        assertThat(Validators.ifNoneMatchMatches("\"x\", \"abc\"", ETAG)).isTrue();
        assertThat(Validators.ifNoneMatchMatches("\"x,abc\",\"y\"", ETAG)).isFalse(); // a comma inside a tag
        assertThat(Validators.ifNoneMatchMatches("*", ETAG)).isTrue();
        assertThat(Validators.ifNoneMatchMatches("\"abd\"", ETAG)).isFalse();
        assertThat(Validators.ifNoneMatchMatches("\"abc\"", null)).isFalse();
        assertThat(Validators.ifNoneMatchMatches(null, ETAG)).isFalse();
        assertThat(Validators.ifNoneMatchMatches("\"unterminated", ETAG)).isFalse();
    }

    @Test
    void ifRangeComparesStronglyAndDatesExactly() {
        assertThat(Validators.ifRangeMatches("\"abc\"", ETAG, MODIFIED)).isTrue();
        assertThat(Validators.ifRangeMatches("W/\"abc\"", ETAG, MODIFIED)).isFalse();
        assertThat(Validators.ifRangeMatches("\"abc\"", "W/\"abc\"", MODIFIED)).isFalse();
        assertThat(Validators.ifRangeMatches("\"abd\"", ETAG, MODIFIED)).isFalse();
        assertThat(Validators.ifRangeMatches("Tue, 25 Sep 2018 23:00:00 GMT", ETAG, MODIFIED)).isTrue();
        assertThat(Validators.ifRangeMatches("Tue, 25 Sep 2018 23:00:01 GMT", ETAG, MODIFIED)).isFalse();
        assertThat(Validators.ifRangeMatches("Tue, 25 Sep 2018 23:00:00 GMT", ETAG, null)).isFalse();
        assertThat(Validators.ifRangeMatches("yesterday", ETAG, MODIFIED)).isFalse();
    }
}
