package dev.laml.recordings.testkit.internal;

/**
 * A parsed single {@code Range: bytes=...} request (RFC 9110 section 14), resolved against a representation length.
 *
 * <p>Three outcomes: {@link #FULL} when there is no usable range (absent, malformed, several ranges, or a unit other
 * than bytes: the RFC lets a server ignore such a header and answer 200), {@link #UNSATISFIABLE} (416), or a
 * satisfiable range with inclusive {@link #first()} and {@link #last()} (206). Immutable.
 */
public final class ByteRange {

    /** Serve the whole representation. */
    public static final ByteRange FULL = new ByteRange(-1, -1);
    /** Answer 416. */
    public static final ByteRange UNSATISFIABLE = new ByteRange(-2, -2);

    private final long first;
    private final long last;

    private ByteRange(long first, long last) {
        this.first = first;
        this.last = last;
    }

    /** First byte offset, inclusive. */
    public long first() {
        return first;
    }

    /** Last byte offset, inclusive. */
    public long last() {
        return last;
    }

    /** Number of bytes in the range. */
    public long length() {
        return last - first + 1;
    }

    /** True for a satisfiable partial range. */
    public boolean isPartial() {
        return first >= 0;
    }

    /**
     * Resolves {@code header} against a representation of {@code total} bytes.
     *
     * @param header the Range header value, or null
     */
    public static ByteRange parse(String header, long total) {
        if (header == null) {
            return FULL;
        }
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return FULL;
        }
        String spec = value.substring(6).trim();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return FULL; // multipart/byteranges is out of scope; serving the whole body is a valid answer
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return FULL;
        }
        String from = spec.substring(0, dash).trim();
        String to = spec.substring(dash + 1).trim();
        if (from.isEmpty()) { // suffix range: the last N bytes
            long suffix = parseNonNegative(to);
            if (suffix < 0) {
                return FULL;
            }
            if (suffix == 0 || total == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, total - suffix), total - 1);
        }
        long first = parseNonNegative(from);
        if (first < 0) {
            return FULL;
        }
        long last;
        if (to.isEmpty()) {
            last = total - 1;
        } else {
            last = parseNonNegative(to);
            if (last < 0 || last < first) {
                return FULL; // syntactically invalid range-spec: ignore the header
            }
            last = Math.min(last, total - 1);
        }
        return first >= total ? UNSATISFIABLE : new ByteRange(first, last);
    }

    /** Digits only; -1 on anything else, including overflow. */
    private static long parseNonNegative(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    @Override
    public String toString() {
        return this == FULL ? "FULL" : this == UNSATISFIABLE ? "UNSATISFIABLE" : "bytes " + first + "-" + last;
    }
}
