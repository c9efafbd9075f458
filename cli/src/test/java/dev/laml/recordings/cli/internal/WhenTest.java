package dev.laml.recordings.cli.internal;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The WHEN of --since and --until: every form, both bounds, and what is refused. */
class WhenTest {

    /** In a zone far from UTC, to show that nothing depends on it. */
    static final Clock NOW = Clock.fixed(Instant.parse("2026-03-10T12:34:56.789Z"), ZoneId.of("Pacific/Kiritimati"));

    static OffsetDateTime since(String value) {
        return When.parse("--since", value, false, NOW);
    }

    static OffsetDateTime until(String value) {
        return When.parse("--until", value, true, NOW);
    }

    @Test
    void aDateIsItsFirstSecondForSinceAndItsLastForUntilInUtc() {
        assertThat(since("2026-03-01")).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(until("2026-03-01")).isEqualTo("2026-03-01T23:59:59Z");
    }

    @Test
    void dateTimesKeepTheirOffsetOrAreUtcAndLoseTheirFraction() {
        assertThat(since("2026-03-01T14:00:00+02:00")).isEqualTo("2026-03-01T14:00:00+02:00")
                .isAtSameInstantAs(OffsetDateTime.parse("2026-03-01T12:00:00Z"));
        assertThat(since("2026-03-01T12:00")).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(until(" 2026-03-01T12:00:00.999Z ")).isEqualTo("2026-03-01T12:00:00Z");
    }

    @Test
    void aTimeAgoIsNowMinusThatToTheSecond() {
        assertThat(since("30s")).isEqualTo("2026-03-10T12:34:26Z");
        assertThat(since("90m")).isEqualTo("2026-03-10T11:04:56Z");
        assertThat(since("12H")).isEqualTo("2026-03-10T00:34:56Z");
        assertThat(until("7d")).isEqualTo("2026-03-03T12:34:56Z");
        assertThat(since("2w")).isEqualTo("2026-02-24T12:34:56Z");
        assertThat(since("0d")).isEqualTo("2026-03-10T12:34:56Z");
    }

    @Test
    void anythingElseIsAnInputErrorNamingTheOption() {
        for (String bad : new String[] {"yesterday", "", "7", "d", "-7d", "7 d", "1.5h", "2026-02-30", "2026-3-1",
                "12:00", "1234567d"}) {
            assertThatThrownBy(() -> since(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("--since " + bad + " is not a date (2026-03-01)");
        }
        assertThatThrownBy(() -> since("999999w")).hasMessage("--since 999999w is out of range (years 1 to 9999)");
        assertThatThrownBy(() -> until("+10000-01-01T00:00:00Z")).hasMessageContaining("out of range");
    }

    @Test
    void sinceMustNotBeAfterUntil() {
        When.Range range = When.range("2026-03-01", "2026-03-01", NOW);
        assertThat(range.after()).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(range.before()).isEqualTo("2026-03-01T23:59:59Z");
        assertThat(When.range(null, null, NOW)).isEqualTo(new When.Range(null, null));

        assertThatThrownBy(() -> When.range("2026-03-02", "2026-03-01", NOW))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--since 2026-03-02 is after --until 2026-03-01");
    }
}
