package dev.laml.recordings;

/**
 * Which bytes of a recording's audio to ask for: one HTTP byte range (RFC 9110 §14.1.2), with
 * offsets counted from 0 and both ends inclusive, as in HTTP.
 *
 * <pre>{@code
 * ByteRange.of(0, 1023)    // the first KiB             Range: bytes=0-1023
 * ByteRange.from(1 << 20)  // everything after 1 MiB    Range: bytes=1048576-
 * ByteRange.last(4096)     // the final 4 KiB           Range: bytes=-4096
 * }</pre>
 *
 * <p>A range that runs past the end of the recording is clipped to it, as servers do; one that
 * starts at or past the end fails with {@link RangeNotSatisfiableException}.
 *
 * <p>An immutable value; thread-safe. Factories never return null and reject invalid values with
 * {@link IllegalArgumentException} at once.
 */
public final class ByteRange {

    private final long first;
    private final long last;
    private final long suffix;

    private ByteRange(long first, long last, long suffix) {
        this.first = first;
        this.last = last;
        this.suffix = suffix;
    }

    /**
     * Bytes {@code first} to {@code last}, both inclusive.
     *
     * @throws IllegalArgumentException if {@code first} is negative or {@code last < first}
     */
    public static ByteRange of(long first, long last) {
        if (first < 0) {
            throw new IllegalArgumentException("first must be at least 0, got " + first);
        }
        if (last < first) {
            throw new IllegalArgumentException("last must be at least first (" + first + "), got " + last);
        }
        return new ByteRange(first, last, -1);
    }

    /**
     * Bytes {@code first} to the end.
     *
     * @throws IllegalArgumentException if {@code first} is negative
     */
    public static ByteRange from(long first) {
        if (first < 0) {
            throw new IllegalArgumentException("first must be at least 0, got " + first);
        }
        return new ByteRange(first, -1, -1);
    }

    /**
     * The final {@code n} bytes (all of them when the recording is shorter).
     *
     * @throws IllegalArgumentException if {@code n} is not positive
     */
    public static ByteRange last(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        return new ByteRange(-1, -1, n);
    }

    /** The first byte's offset; -1 for a {@link #last(long) suffix} range, whose start depends on the length. */
    public long first() {
        return first;
    }

    /** The last byte's offset (inclusive); -1 when the range runs to the end. */
    public long last() {
        return last;
    }

    /** For {@link #last(long)}: how many final bytes; otherwise -1. */
    public long suffixLength() {
        return suffix;
    }

    /** True for {@link #last(long)}. */
    public boolean isSuffix() {
        return suffix > 0;
    }

    /**
     * The number of bytes asked for, -1 when it depends on the recording's length (a range
     * {@link #from(long) to the end}); for a suffix its {@link #suffixLength()}.
     */
    public long length() {
        if (isSuffix()) {
            return suffix;
        }
        return last < 0 ? -1 : last - first + 1;
    }

    /**
     * Whether a {@code Content-Range} of {@code first-last/total} (total -1 for {@code *})
     * answers this range: it starts where asked and ends where asked, or at the end of the
     * recording when the range runs past it.
     */
    public boolean isAnsweredBy(long first, long last, long total) {
        if (first < 0 || last < first || (total >= 0 && last >= total)) {
            return false;
        }
        if (isSuffix()) {
            if (total < 0) {
                return last - first + 1 <= suffix; // no length to place it by: at least not longer
            }
            return last == total - 1 && first == Math.max(0, total - suffix);
        }
        if (first != this.first) {
            return false;
        }
        if (this.last < 0) {
            return total < 0 || last == total - 1;
        }
        return last == this.last || (total >= 0 && this.last >= total && last == total - 1);
    }

    /** The {@code Range} header value: {@code bytes=0-1023}, {@code bytes=1024-} or {@code bytes=-4096}. */
    public String headerValue() {
        if (isSuffix()) {
            return "bytes=-" + suffix;
        }
        return "bytes=" + first + "-" + (last < 0 ? "" : String.valueOf(last));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteRange r && r.first == first && r.last == last && r.suffix == suffix;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(first) * 31 * 31 + Long.hashCode(last) * 31 + Long.hashCode(suffix);
    }

    /** The {@link #headerValue()}. */
    @Override
    public String toString() {
        return headerValue();
    }
}
