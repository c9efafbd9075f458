package dev.laml.recordings.cli.internal;

import dev.laml.recordings.RecordingQuery;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WHEN of {@code --since} and {@code --until} ({@code list}, {@code archive}): one grammar, so that a value that
 * works for one command works for the other.
 * <ul>
 *   <li>an ISO-8601 date-time with an offset, {@code 2026-03-01T12:00:00Z} or {@code 2026-03-01T14:00:00+02:00};</li>
 *   <li>one without an offset, {@code 2026-03-01T12:00}, read as UTC (never the machine's zone: the same command
 *       must select the same recordings on a laptop and on a server);</li>
 *   <li>a date, {@code 2026-03-01}: from its first second in UTC, or to its last for an upper bound, so that
 *       {@code --since D --until D} is that whole day;</li>
 *   <li>a time ago, {@code 90m}, {@code 12h}, {@code 7d}, {@code 2w}: now minus that, to the second.</li>
 * </ul>
 * The API compares to the second (its dates are RFC 2822), so a fraction of a second is dropped.
 *
 * <p>Stateless and thread-safe; arguments are never null.
 */
final class When {

    /** For usage texts: what WHEN may be. Kept short, as it is repeated in each option's description. */
    static final String FORMS = "a date (2026-03-01), an ISO-8601 date-time (2026-03-01T12:00:00Z; without an "
            + "offset, UTC) or a time ago (90m, 12h, 7d, 2w)";

    private static final Pattern AGO = Pattern.compile("(\\d{1,6})([smhdw])");

    private When() {
    }

    /**
     * Parses {@code value}, the argument of {@code option}.
     *
     * @param upperBound whether a bare date means its last second rather than its first
     * @param clock      what "now" is for a time ago
     * @throws InvalidInputException (exit 2) if the value is none of the forms
     */
    static OffsetDateTime parse(String option, String value, boolean upperBound, Clock clock) {
        OffsetDateTime t = parseForm(option, value, upperBound, clock);
        // The API's date format has four-digit years; anything outside would fail later, less clearly.
        int year = t.withOffsetSameInstant(ZoneOffset.UTC).getYear();
        if (year < 1 || year > 9999) {
            throw new InvalidInputException(option + " " + value + " is out of range (years 1 to 9999)");
        }
        return t;
    }

    private static OffsetDateTime parseForm(String option, String value, boolean upperBound, Clock clock) {
        String v = value.strip();
        Matcher ago = AGO.matcher(v.toLowerCase(Locale.ROOT));
        if (ago.matches()) {
            long n = Long.parseLong(ago.group(1));
            Duration d = switch (ago.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).minus(d)
                    .truncatedTo(ChronoUnit.SECONDS);
        }
        try {
            return OffsetDateTime.parse(v).truncatedTo(ChronoUnit.SECONDS);
        } catch (DateTimeParseException notWithOffset) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(v).atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        } catch (DateTimeParseException notLocal) {
            // try the next form
        }
        try {
            LocalDate day = LocalDate.parse(v);
            return (upperBound ? day.atTime(23, 59, 59) : day.atStartOfDay()).atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException notADate) {
            // Starts like archive's message always did: scripts may match on it.
            throw new InvalidInputException(option + " " + value + " is not a date (2026-03-01), an ISO-8601 "
                    + "date-time (2026-03-01T12:00:00Z) or a time ago (12h, 7d)");
        }
    }

    /**
     * {@code --since} and {@code --until}, parsed and checked against each other; either may be null (not given).
     *
     * @throws InvalidInputException (exit 2) if one is not a WHEN, or since is after until
     */
    static Range range(String since, String until, Clock clock) {
        OffsetDateTime after = since == null ? null : parse("--since", since, false, clock);
        OffsetDateTime before = until == null ? null : parse("--until", until, true, clock);
        if (after != null && before != null && after.isAfter(before)) {
            throw new InvalidInputException("--since " + since + " is after --until " + until);
        }
        return new Range(after, before);
    }

    /**
     * Creation-date bounds, both inclusive as the API applies them ({@code DateCreated>} is "on or after").
     *
     * @param after  the lower bound, or null for none
     * @param before the upper bound, or null for none
     */
    record Range(OffsetDateTime after, OffsetDateTime before) {

        /** {@code query} narrowed to this range. */
        RecordingQuery applyTo(RecordingQuery query) {
            return query.createdAfter(after).createdBefore(before);
        }
    }
}
