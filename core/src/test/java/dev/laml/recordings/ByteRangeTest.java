package dev.laml.recordings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("ByteRange and ContentRange: HTTP byte ranges as values")
class ByteRangeTest {

    @Test
    void theThreeShapesSayWhatTheyAskForOnTheWire() {
        assertThat(ByteRange.of(0, 1023).headerValue()).isEqualTo("bytes=0-1023");
        assertThat(ByteRange.of(5, 5).headerValue()).isEqualTo("bytes=5-5");
        assertThat(ByteRange.from(1024).headerValue()).isEqualTo("bytes=1024-");
        assertThat(ByteRange.last(4096).headerValue()).isEqualTo("bytes=-4096");
        assertThat(ByteRange.of(0, 1023)).hasToString("bytes=0-1023");
    }

    @Test
    void accessorsAndLength() {
        ByteRange of = ByteRange.of(10, 19);
        assertThat(of.first()).isEqualTo(10);
        assertThat(of.last()).isEqualTo(19);
        assertThat(of.length()).isEqualTo(10);
        assertThat(of.isSuffix()).isFalse();
        assertThat(of.suffixLength()).isEqualTo(-1);

        ByteRange from = ByteRange.from(7);
        assertThat(from.last()).isEqualTo(-1);
        assertThat(from.length()).isEqualTo(-1);

        ByteRange last = ByteRange.last(3);
        assertThat(last.isSuffix()).isTrue();
        assertThat(last.first()).isEqualTo(-1);
        assertThat(last.suffixLength()).isEqualTo(3);
        assertThat(last.length()).isEqualTo(3);
    }

    @Test
    void invalidValuesAreRejectedAtOnce() {
        assertThatThrownBy(() -> ByteRange.of(-1, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first");
        assertThatThrownBy(() -> ByteRange.of(6, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("last");
        assertThatThrownBy(() -> ByteRange.from(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ByteRange.last(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ByteRange.last(-3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalRangesAreEqual() {
        assertThat(ByteRange.of(1, 2)).isEqualTo(ByteRange.of(1, 2)).hasSameHashCodeAs(ByteRange.of(1, 2))
                .isNotEqualTo(ByteRange.of(1, 3));
        assertThat(ByteRange.from(1)).isNotEqualTo(ByteRange.last(1));
    }

    @ParameterizedTest(name = "[{index}] {0} answered by {1}-{2}/{3}: {4}")
    @CsvSource({
            // range,      first, last, total, answers
            "of:0:99,      0,     99,   1000,  true",
            "of:0:99,      0,     99,   -1,    true",
            "of:0:99,      1,     99,   1000,  false",
            "of:0:99,      0,     98,   1000,  false",   // shorter than asked, though the recording is longer
            "of:900:1999,  900,   999,  1000,  true",    // clipped at the end of the recording
            "of:900:1999,  900,   998,  1000,  false",
            "of:900:1999,  900,   1999, -1,    true",
            "of:0:99,      0,     99,   50,    false",   // last not below total: malformed
            "from:500,     500,   999,  1000,  true",
            "from:500,     500,   998,  1000,  false",
            "from:500,     500,   700,  -1,    true",    // no length to check the end against
            "from:500,     501,   999,  1000,  false",
            "last:100,     900,   999,  1000,  true",
            "last:100,     899,   999,  1000,  false",
            "last:100,     0,     49,   50,    true",    // the recording is shorter than the suffix
            "last:100,     0,     99,   -1,    true",
            "last:100,     0,     100,  -1,    false",
    })
    void aContentRangeAnswersARangeWhenItStartsAndEndsWhereAsked(String spec, long first, long last, long total,
            boolean answers) {
        assertThat(parse(spec).isAnsweredBy(first, last, total)).isEqualTo(answers);
    }

    private static ByteRange parse(String spec) {
        String[] p = spec.split(":");
        return switch (p[0]) {
            case "of" -> ByteRange.of(Long.parseLong(p[1]), Long.parseLong(p[2]));
            case "from" -> ByteRange.from(Long.parseLong(p[1]));
            default -> ByteRange.last(Long.parseLong(p[1]));
        };
    }

    @Test
    void contentRangeIsAValueWithItsHeaderForm() {
        ContentRange r = ContentRange.of(0, 1023, 48000);
        assertThat(r.first()).isEqualTo(0);
        assertThat(r.last()).isEqualTo(1023);
        assertThat(r.total()).isEqualTo(48000);
        assertThat(r.length()).isEqualTo(1024);
        assertThat(r.headerValue()).isEqualTo("bytes 0-1023/48000");
        assertThat(ContentRange.of(5, 9, -1).headerValue()).isEqualTo("bytes 5-9/*");
        assertThat(r).isEqualTo(ContentRange.of(0, 1023, 48000)).hasSameHashCodeAs(ContentRange.of(0, 1023, 48000));
        assertThatThrownBy(() -> ContentRange.of(5, 4, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentRange.of(0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentRange.of(-1, 10, 20)).isInstanceOf(IllegalArgumentException.class);
    }
}
