package dev.laml.recordings.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("HttpDates: RFC 2822 / 1123 dates")
class HttpDatesTest {

    @Test
    void formatWritesUtcWithANumericOffset() {
        assertThat(HttpDates.format(OffsetDateTime.of(2018, 9, 25, 23, 0, 0, 0, ZoneOffset.UTC)))
                .isEqualTo("Tue, 25 Sep 2018 23:00:00 +0000");
    }

    @Test
    void formatConvertsOtherOffsetsToUtc() {
        assertThat(HttpDates.format(OffsetDateTime.of(2018, 9, 26, 1, 0, 0, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("Tue, 25 Sep 2018 23:00:00 +0000");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
            "2018-09-25T23:00:00Z",
            "2018-09-05T08:07:06Z",
            "2016-02-29T00:00:00-08:00",
            "1999-12-31T23:59:59+05:45",
            "2038-01-19T03:14:08Z",
    })
    void formatThenParseGivesTheSameInstant(String iso) {
        OffsetDateTime original = OffsetDateTime.parse(iso);

        String wire = HttpDates.format(original);
        OffsetDateTime back = HttpDates.parse(wire);

        assertThat(back.toInstant()).isEqualTo(original.toInstant());
        assertThat(back.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(HttpDates.format(back)).isEqualTo(wire);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', value = {
            "Tue, 25 Sep 2018 23:00:00 +0000 | 2018-09-25T23:00Z",
            "Wed, 5 Sep 2018 23:00:00 +0000  | 2018-09-05T23:00Z",
            "Tue, 5 Sep 2018 23:00:00 +0000  | 2018-09-05T23:00Z",
            "Tue, 25 Sep 2018 23:00:00 GMT   | 2018-09-25T23:00Z",
            "25 Sep 2018 23:00:00 +0000      | 2018-09-25T23:00Z",
            "Tue, 25 Sep 2018 23:00:00 +0200 | 2018-09-25T23:00+02:00",
            "Tue, 25 Sep 2018 23:00:00 -0730 | 2018-09-25T23:00-07:30",
            "2018-09-25T23:00:00Z            | 2018-09-25T23:00Z",
    })
    void parseReadsRfc1123AndFallsBackToIso(String wire, String expected) {
        assertThat(HttpDates.parse(wire)).isEqualTo(OffsetDateTime.parse(expected));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void parseGivesNullForNothing(String wire) {
        assertThat(HttpDates.parse(wire)).isNull();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"yesterday", "Tue, 25 Sep 2018", "Tue, 31 Sep 2018 23:00:00 +0000", "1537916400"})
    void parseRejectsAnythingElse(String wire) {
        assertThatThrownBy(() -> HttpDates.parse(wire)).isInstanceOf(DateTimeParseException.class);
    }

    @org.junit.jupiter.api.Test
    void theFastPathAgreesWithTheJdkFormatterOnRandomDates() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            java.time.ZoneOffset offset = java.time.ZoneOffset.ofTotalSeconds(60 * (random.nextInt(-14 * 60, 14 * 60 + 1)));
            OffsetDateTime t = java.time.Instant.ofEpochSecond(random.nextLong(0, 4_102_444_800L)).atOffset(offset);
            String wire = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(t);
            if (wire.length() != 31) {
                continue; // one-digit days and GMT take the general path, tested above
            }
            assertThat(HttpDates.parse(wire)).as(wire).isEqualTo(OffsetDateTime.parse(wire,
                    java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME));
        }
    }
}
