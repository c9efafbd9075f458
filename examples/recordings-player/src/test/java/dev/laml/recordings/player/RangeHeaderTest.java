package dev.laml.recordings.player;

import dev.laml.recordings.ByteRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which {@code Range} headers become a range for the API, which are 416, and which are ignored. */
class RangeHeaderTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bytes=0-1023       | bytes=0-1023",
            "bytes=500-         | bytes=500-",
            "bytes=-500         | bytes=-500",
            "BYTES = 7-7        | bytes=7-7",
            "bytes=10-999999999999999999 | bytes=10-999999999999999999",
    })
    void aSingleRangeGoesUpstream(String header, String upstream) {
        RangeHeader parsed = RangeHeader.parse(header.replace("BYTES = ", "bytes= "));

        assertThat(parsed.range()).extracting(ByteRange::headerValue).isEqualTo(upstream);
        assertThat(parsed.isPresent()).isTrue();
        assertThat(parsed.isUnsatisfiable()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=-0", "bytes=-00"})
    void anEmptySuffixSelectsNothing(String header) {
        RangeHeader parsed = RangeHeader.parse(header);

        assertThat(parsed.isUnsatisfiable()).isTrue();
        assertThat(parsed.isPresent()).isTrue();
        assertThat(parsed.range()).isNull();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "bytes=", "bytes=-", "bytes=0-1,5-9", "bytes=9-5", "bytes=x-", "bytes=1-y",
            "bytes=+1-2", "bytes=1--2", "items=0-9", "bytes 0-9", "bytes=1000000000000000000-",
            "bytes=-1000000000000000000"})
    void anythingElseIsIgnored(String header) {
        RangeHeader parsed = RangeHeader.parse(header);

        assertThat(parsed).isSameAs(RangeHeader.NONE);
        assertThat(parsed.isPresent()).isFalse();
    }
}
