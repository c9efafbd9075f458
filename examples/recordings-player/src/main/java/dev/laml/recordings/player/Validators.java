package dev.laml.recordings.player;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The two conditional headers the player evaluates against the API's validators (RFC 9110 §13.1): {@code If-None-Match}
 * (weak comparison; a match means 304) and {@code If-Range} (strong comparison; a mismatch means the range is ignored
 * and the whole recording sent, since the client's partial copy is of another version).
 *
 * <p>Stateless and thread-safe; not instantiable. A null validator from the API (no {@code ETag}, no
 * {@code Last-Modified}) never matches; a null {@code If-None-Match} value means the header is absent; the
 * {@code If-Range} value must not be null.
 */
public final class Validators {

    private Validators() {
    }

    /**
     * Whether an {@code If-None-Match} value ({@code *} or a comma-separated list of entity tags) matches
     * {@code etag}: {@code *} matches any current representation, a tag matches when equal ignoring {@code W/}.
     */
    public static boolean ifNoneMatchMatches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        if (ifNoneMatch.trim().equals("*")) {
            return true;
        }
        String current = opaque(etag.trim());
        int i = 0;
        int n = ifNoneMatch.length();
        while (i < n) {
            char c = ifNoneMatch.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            int start = i;
            if (ifNoneMatch.startsWith("W/", i)) {
                i += 2;
            }
            if (i < n && ifNoneMatch.charAt(i) == '"') {
                // A quoted tag may hold commas: it ends at the next quote, not the next comma.
                int close = ifNoneMatch.indexOf('"', i + 1);
                if (close < 0) {
                    return false;
                }
                i = close + 1;
            } else {
                while (i < n && ifNoneMatch.charAt(i) != ',') {
                    i++;
                }
            }
            if (opaque(ifNoneMatch.substring(start, i).trim()).equals(current)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an {@code If-Range} value still names the current representation: an entity tag must equal a strong
     * {@code etag} exactly (a weak one never matches), an HTTP-date must equal {@code lastModified} to the second.
     * Anything unreadable does not match, which errs on the safe side: the whole recording.
     */
    public static boolean ifRangeMatches(String ifRange, String etag, Instant lastModified) {
        String value = ifRange.trim();
        if (value.startsWith("\"")) {
            return etag != null && !etag.startsWith("W/") && value.equals(etag.trim());
        }
        if (value.startsWith("W/")) {
            return false;
        }
        if (lastModified == null) {
            return false;
        }
        try {
            Instant date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return date.equals(lastModified.truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** The tag without a weakness prefix, for weak comparison. */
    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
