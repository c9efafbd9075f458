package dev.laml.recordings;

/**
 * Which part of a recording a response body holds, as its {@code Content-Range} says
 * ({@code bytes first-last/total}): offsets from 0, both ends inclusive.
 *
 * <p>An immutable value; thread-safe.
 */
public final class ContentRange {

    private final long first;
    private final long last;
    private final long total;

    private ContentRange(long first, long last, long total) {
        this.first = first;
        this.last = last;
        this.total = total;
    }

    /**
     * A range of a representation of {@code total} bytes (-1 when unknown).
     *
     * @throws IllegalArgumentException if {@code first} is negative, {@code last < first}, or
     *                                  {@code last} is not below a known {@code total}
     */
    public static ContentRange of(long first, long last, long total) {
        if (first < 0 || last < first || total < -1 || (total >= 0 && last >= total)) {
            throw new IllegalArgumentException("not a content range: " + first + "-" + last + "/" + total);
        }
        return new ContentRange(first, last, total);
    }

    /** The first byte's offset. */
    public long first() {
        return first;
    }

    /** The last byte's offset, inclusive. */
    public long last() {
        return last;
    }

    /** The whole recording's length in bytes; -1 when the server did not say ({@code /*}). */
    public long total() {
        return total;
    }

    /** The number of bytes in the range: {@code last - first + 1}. */
    public long length() {
        return last - first + 1;
    }

    /** The {@code Content-Range} header value: {@code bytes 0-1023/48000} or {@code bytes 0-1023/*}. */
    public String headerValue() {
        return "bytes " + first + "-" + last + "/" + (total < 0 ? "*" : String.valueOf(total));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentRange r && r.first == first && r.last == last && r.total == total;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(first) * 31 * 31 + Long.hashCode(last) * 31 + Long.hashCode(total);
    }

    /** The {@link #headerValue()}. */
    @Override
    public String toString() {
        return headerValue();
    }
}
