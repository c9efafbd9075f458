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
        String t = text.trim();
        OffsetDateTime fast = fixedLayout(t);
        if (fast != null) {
            return fast;
        }
        t = WEEKDAY.matcher(t).replaceFirst("");
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

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    /**
     * The fast path for the layout the API always sends, {@code "Tue, 25 Sep 2018 23:00:00 +0000"}:
     * read by hand, about twenty times faster than the formatter (a fifth of a metadata fetch's
     * CPU went into date parsing). Equally strict ({@code OffsetDateTime.of} rejects 31 Sep);
     * anything else, or anything odd, returns null and takes the general path.
     */
    private static OffsetDateTime fixedLayout(String s) {
        if (s.length() != 31 || !Character.isLetter(s.charAt(0)) || !Character.isLetter(s.charAt(1))
                || !Character.isLetter(s.charAt(2)) || s.charAt(3) != ',' || s.charAt(4) != ' ' || s.charAt(7) != ' ' || s.charAt(11) != ' '
                || s.charAt(16) != ' ' || s.charAt(19) != ':' || s.charAt(22) != ':' || s.charAt(25) != ' ') {
            return null;
        }
        int day = digits(s, 5, 2);
        int month = MONTHS.indexOf(s.substring(8, 11));
        int year = digits(s, 12, 4);
        int hour = digits(s, 17, 2);
        int minute = digits(s, 20, 2);
        int second = digits(s, 23, 2);
        char sign = s.charAt(26);
        int offsetHours = digits(s, 27, 2);
        int offsetMinutes = digits(s, 29, 2);
        if (day < 0 || month < 0 || month % 3 != 0 || year < 0 || hour < 0 || minute < 0 || second < 0
                || offsetHours < 0 || offsetMinutes < 0 || (sign != '+' && sign != '-')) {
            return null;
        }
        try {
            int offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == '-' ? -1 : 1);
            return OffsetDateTime.of(year, month / 3 + 1, day, hour, minute, second, 0, ZoneOffset.ofTotalSeconds(offset));
        } catch (java.time.DateTimeException invalid) {
            return null; // the general parser produces the error
        }
    }

    private static int digits(String s, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Formats for the wire: {@code "Tue, 25 Sep 2018 23:00:00 +0000"}, in UTC. */
    public static String format(OffsetDateTime time) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC))
                .replace("GMT", "+0000");
    }
}
