package dev.laml.recordings.player;

import dev.laml.recordings.ByteRange;

/**
 * A request's {@code Range} header, read as RFC 9110 §14.2 lets a server read it: one byte range is honoured and
 * everything else is ignored.
 *
 * <ul>
 *   <li>{@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n} (n &gt; 0): {@link #range()} is the
 *       {@link ByteRange} to ask the API for, so the API sends only those bytes;</li>
 *   <li>{@code bytes=-0}: {@link #isUnsatisfiable()}, answered 416 (a zero-length suffix selects nothing);</li>
 *   <li>absent, several ranges ({@code bytes=0-1,5-9}), another unit, or anything malformed ({@code bytes=9-5},
 *       {@code bytes=x-}, numbers past 18 digits): ignored ({@link #NONE}), and the whole recording is served with
 *       200. The RFC allows a server to ignore any {@code Range}; answering a multi-range request whole rather than
 *       as {@code multipart/byteranges} is what most servers do, and browsers never send one for media.</li>
 * </ul>
 * A range that starts past the end is syntactically fine: it goes upstream, and the API's 416 is passed on.
 *
 * <p>Immutable and thread-safe. {@link #parse(String)} accepts null (no header); only {@link #range()} returns null.
 */
public final class RangeHeader {

    /** No usable range: serve the whole recording. */
    public static final RangeHeader NONE = new RangeHeader(null, false);
    private static final RangeHeader UNSATISFIABLE = new RangeHeader(null, true);

    private final ByteRange range;
    private final boolean unsatisfiable;

    private RangeHeader(ByteRange range, boolean unsatisfiable) {
        this.range = range;
        this.unsatisfiable = unsatisfiable;
    }

    /** Reads a {@code Range} header value; null (absent) gives {@link #NONE}. */
    public static RangeHeader parse(String header) {
        if (header == null) {
            return NONE;
        }
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return NONE;
        }
        String spec = value.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0 || spec.indexOf(',') >= 0) {
            return NONE;
        }
        long first = digits(spec.substring(0, dash).trim());
        String end = spec.substring(dash + 1).trim();
        if (dash == 0 || spec.substring(0, dash).isBlank()) {
            long suffix = digits(end);
            if (suffix < 0) {
                return NONE;
            }
            return suffix == 0 ? UNSATISFIABLE : new RangeHeader(ByteRange.last(suffix), false);
        }
        if (first < 0) {
            return NONE;
        }
        if (end.isEmpty()) {
            return new RangeHeader(ByteRange.from(first), false);
        }
        long last = digits(end);
        if (last < first) { // also -1 for malformed
            return NONE;
        }
        return new RangeHeader(ByteRange.of(first, last), false);
    }

    /** The range to ask the API for; null for {@link #NONE} and for an unsatisfiable header. */
    public ByteRange range() {
        return range;
    }

    /** True when the header asked for a range that can select no byte ({@code bytes=-0}): answer 416. */
    public boolean isUnsatisfiable() {
        return unsatisfiable;
    }

    /** True when the header names a range at all, satisfiable or not (so {@code If-Range} applies). */
    public boolean isPresent() {
        return range != null || unsatisfiable;
    }

    /** 1 to 18 ASCII digits as a number; -1 for anything else (so no overflow). */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    @Override
    public String toString() {
        return range != null ? range.headerValue() : unsatisfiable ? "unsatisfiable" : "none";
    }
}
