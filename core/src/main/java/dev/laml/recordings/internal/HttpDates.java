package dev.laml.recordings.internal;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/** Date parsing and formatting for the API (RFC 2822 in JSON, RFC 1123 in headers). */
public final class HttpDates {

    // Strict, so that "31 Sep" is an error rather than quietly becoming 30 Sep.
    private static final DateTimeFormatter RFC_1123_STRICT =
            DateTimeFormatter.RFC_1123_DATE_TIME.withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern WEEKDAY = Pattern.compile("^[A-Za-z]{3},\\s*");

    private HttpDates() {
    }

    /**
     * Parses {@code "Tue, 25 Sep 2018 23:00:00 +0000"} (one- or two-digit day, optional weekday,
     * numeric offset or {@code GMT}), falling back to ISO-8601 for servers that send it.
     *
     * <p>The weekday is redundant and is not checked against the date: a server (or a
     * hand-written fixture) with the wrong weekday still says unambiguously which instant it
     * means, and refusing the whole recording over it would help nobody.
     *
     * @return the instant with its offset, or null for null or blank input
     * @throws DateTimeParseException if the text is neither form
     */
    public static OffsetDateTime parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = WEEKDAY.matcher(text.trim()).replaceFirst("");
        try {
            return OffsetDateTime.parse(t, RFC_1123_STRICT);
        } catch (DateTimeParseException rfc) {
            try {
                return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException iso) {
                throw rfc;
            }
        }
    }

    /** Formats for the wire: {@code "Tue, 25 Sep 2018 23:00:00 +0000"}, in UTC. */
    public static String format(OffsetDateTime time) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC))
                .replace("GMT", "+0000");
    }
}
