package dev.laml.recordings.testkit.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The two date formats the API speaks. Thread-safe (formatters are immutable).
 */
public final class HttpDates {

    /** RFC 2822 as the LaML API renders it in JSON: {@code Tue, 25 Sep 2018 23:00:00 +0000}. */
    private static final DateTimeFormatter RFC_2822 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US);

    /**
     * IMF-fixdate for HTTP headers ({@code Last-Modified}, {@code If-Range}). Not {@code RFC_1123_DATE_TIME}, which
     * prints single-digit days unpadded, something RFC 9110 does not allow a sender to generate.
     */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDates() {
    }

    /** Formats in UTC, to the second, as the API does. */
    public static String rfc2822(OffsetDateTime time) {
        return RFC_2822.format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Formats for an HTTP header. */
    public static String httpDate(Instant time) {
        return IMF_FIXDATE.format(time);
    }

    /** Parses an IMF-fixdate, or returns null when the value is not one (callers then treat it as not matching). */
    public static Instant parseHttpDate(String value) {
        try {
            return IMF_FIXDATE.parse(value.trim(), Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
