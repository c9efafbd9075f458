package dev.laml.recordings.testkit.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The query of a recordings list request, parsed and validated: filters, page and page size, page token. Also renders
 * the {@code *_uri} of a page, carrying the same filters. Immutable and thread-safe.
 *
 * <p>Parameter names are matched after percent-decoding, so {@code DateCreated%3C} and a raw {@code DateCreated<}
 * are the same parameter; a raw {@code DateCreated<=X} splits at its {@code =} into {@code DateCreated<} and
 * {@code X}, which means the same (and a raw {@code DateCreated<==X} is read as {@code DateCreated<=} and {@code X}).
 * Unknown parameters are ignored, as the API does; empty values count as absent.
 */
public final class ListQuery {

    /** The API's default page size. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** The largest page size the API accepts. */
    public static final int MAX_PAGE_SIZE = 1000;

    private static final String INVALID = "Invalid parameter";

    private final long createdFrom;
    private final long createdTo;
    private final String callSid;
    private final String conferenceSid;
    private final long page;
    private final int pageSize;
    private final String pageToken;
    /** The filters as received (decoded name, decoded value), re-encoded into every uri of the page. */
    private final List<String[]> filters;
    private final String error;

    private ListQuery(long createdFrom, long createdTo, String callSid, String conferenceSid, long page, int pageSize,
                      String pageToken, List<String[]> filters, String error) {
        this.createdFrom = createdFrom;
        this.createdTo = createdTo;
        this.callSid = callSid;
        this.conferenceSid = conferenceSid;
        this.page = page;
        this.pageSize = pageSize;
        this.pageToken = pageToken;
        this.filters = filters;
        this.error = error;
    }

    /**
     * Parses a raw query string (without the {@code ?}; null for none). Never throws for bad input: the result then
     * has an {@link #error()}.
     */
    public static ListQuery parse(String rawQuery) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        String callSid = null;
        String conferenceSid = null;
        long page = 0;
        int pageSize = DEFAULT_PAGE_SIZE;
        String pageToken = null;
        List<String[]> filters = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new ListQuery(from, to, null, null, page, pageSize, null, List.of(), null);
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            String name;
            String value;
            try {
                name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
                value = URLDecoder.decode(rawValue, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return invalid(INVALID + ": malformed query string");
            }
            if (value.isEmpty()) {
                continue;
            }
            switch (name) {
                case "DateCreated", "DateCreated<", "DateCreated<=", "DateCreated>", "DateCreated>=" -> {
                    if (name.length() == "DateCreated<".length() && value.startsWith("=")) {
                        // A raw "DateCreated<=" followed by its own '=': the split left the second '=' in the value.
                        value = value.substring(1);
                        rawValue = rawValue.substring(rawValue.startsWith("=") ? 1 : 3); // "=" or "%3D"
                        name = name + '=';
                    }
                    long[] range = dateRange(value, rawValue);
                    if (range == null) {
                        return invalid(INVALID + ": " + name + " must be YYYY-MM-DD or an RFC 2822 date: " + value);
                    }
                    if (name.equals("DateCreated") || name.startsWith("DateCreated>")) {
                        from = Math.max(from, range[0]);
                    }
                    if (name.equals("DateCreated") || name.startsWith("DateCreated<")) {
                        to = Math.min(to, range[1]);
                    }
                    filters.add(new String[] {name, value});
                }
                case "CallSid" -> {
                    callSid = value;
                    filters.add(new String[] {name, value});
                }
                case "ConferenceSid" -> {
                    conferenceSid = value;
                    filters.add(new String[] {name, value});
                }
                case "PageSize" -> {
                    long n = parseNonNegative(value);
                    if (n > MAX_PAGE_SIZE) {
                        return error(ApiJson.error(30010, "Page size is too large", 400));
                    }
                    if (n < 1) {
                        return invalid(INVALID + ": PageSize must be between 1 and " + MAX_PAGE_SIZE + ": " + value);
                    }
                    pageSize = (int) n;
                }
                case "Page" -> {
                    page = parseNonNegative(value);
                    if (page < 0) {
                        return invalid(INVALID + ": Page must be a non-negative integer: " + value);
                    }
                }
                case "PageToken" -> {
                    if (value.length() < 3 || !value.startsWith("PA") && !value.startsWith("PB")) {
                        return invalid(INVALID + ": PageToken: " + value);
                    }
                    pageToken = value;
                }
                default -> { } // the API ignores parameters it does not know
            }
        }
        return new ListQuery(from, to, callSid, conferenceSid, page, pageSize, pageToken, List.copyOf(filters), null);
    }

    /** The JSON error body (status 400) when the query is invalid; null when it is valid. */
    public String error() {
        return error;
    }

    /** Whether a recording passes every filter; dates compare at the second, as rendered. */
    public boolean matches(RecordingMetadata r) {
        long created = r.dateCreated().toEpochSecond();
        return created >= createdFrom && created <= createdTo
                && (callSid == null || callSid.equalsIgnoreCase(r.callSid()))
                && (conferenceSid == null || conferenceSid.equalsIgnoreCase(r.conferenceSid()));
    }

    /** Whether a creation time (epoch second) passes the date filters; for lists of other resources. */
    public boolean matchesCreated(long createdEpochSecond) {
        return createdEpochSecond >= createdFrom && createdEpochSecond <= createdTo;
    }

    /** The requested page number, 0 by default. */
    public long page() {
        return page;
    }

    /** 1 to 1000, 50 by default. */
    public int pageSize() {
        return pageSize;
    }

    /** {@code PA<sid>} (the page after that recording) or {@code PB<sid>} (the page before it); null if none. */
    public String pageToken() {
        return pageToken;
    }

    /**
     * {@code path?Page=..&PageSize=..}, then the filters as received, then {@code &PageToken=..} when
     * {@code token} is not null: the layout of the API's own {@code *_uri} fields.
     */
    public String uri(String path, long page, String token) {
        StringBuilder out = new StringBuilder(path.length() + 64).append(path)
                .append("?Page=").append(page).append("&PageSize=").append(pageSize);
        for (String[] filter : filters) {
            out.append('&').append(encode(filter[0])).append('=').append(encode(filter[1]));
        }
        if (token != null) {
            out.append("&PageToken=").append(encode(token));
        }
        return out.toString();
    }

    private static ListQuery invalid(String message) {
        return error(ApiJson.error(20001, message, 400));
    }

    private static ListQuery error(String body) {
        return new ListQuery(0, 0, null, null, 0, DEFAULT_PAGE_SIZE, null, List.of(), body);
    }

    /** -1 unless a plain decimal; large values saturate, so that "too large" is still reported as such. */
    private static long parseNonNegative(String value) {
        if (!value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
    }

    /**
     * The inclusive epoch-second range a date value denotes: a whole UTC day for {@code YYYY-MM-DD}, one second for a
     * date-time (RFC 2822 as the API renders it, or ISO 8601). A client that did not encode the {@code +} of an
     * offset sent a space after decoding: the raw value is tried as well. Null when not a date.
     */
    private static long[] dateRange(String value, String rawValue) {
        long[] range = tryDate(value.trim());
        if (range == null && rawValue.indexOf('+') >= 0) {
            try {
                range = tryDate(URLDecoder.decode(rawValue.replace("+", "%2B"), StandardCharsets.UTF_8).trim());
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return range;
    }

    private static long[] tryDate(String value) {
        try {
            if (value.length() == 10) {
                long start = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
                return new long[] {start, start + 24 * 3600 - 1};
            }
            long second;
            if (Character.isDigit(value.charAt(0)) && value.indexOf('T') > 0) {
                second = OffsetDateTime.parse(value).toEpochSecond();
            } else {
                second = OffsetDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            }
            return new long[] {second, second};
        } catch (DateTimeParseException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Percent-encodes everything but unreserved characters (so spaces become %20, never '+'). */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
