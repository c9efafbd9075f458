package dev.laml.recordings.protocol;

import dev.laml.recordings.ByteRange;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.Validation;
import dev.laml.recordings.protocol.RecordingsProtocol.ContentCoding;
import dev.laml.recordings.protocol.RecordingsProtocol.RangeAnswer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Byte ranges for {@link RecordingsProtocol}: the request for a part of a recording, and how its first answer is read
 * ({@link RangeAnswer}), whether the server sent the part, the whole recording (it may ignore {@code Range}), or a
 * part that does not answer the question. It also owns the {@code Content-Range} grammar, which resuming a broken
 * body and reading a 416 share.
 *
 * <p>A part delivered as if it were the asked bytes is a wrong download that succeeds, so every answer is checked
 * against what was asked. Stateless, so static and thread-safe.
 */
final class ByteRanges {

    private ByteRanges() {
    }

    /** See {@link RecordingsProtocol#ranged}. */
    static ApiRequest ranged(ApiRequest request, ByteRange range) {
        if (range == null) {
            throw new IllegalArgumentException("range must not be null");
        }
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.put("Range", range.headerValue());
        headers.remove("If-Range");
        return request.with(request.uri(), headers);
    }

    /** See {@link RecordingsProtocol#rangeAnswer}. */
    static RangeAnswer rangeAnswer(ApiRequest request, ByteRange asked, int status, HeaderLookup headers) {
        ContentCoding coding = ResponseHead.contentCoding(headers);
        if (coding == null) {
            throw ResponseHead.unsupportedCoding(request, status, headers);
        }
        if (coding != ContentCoding.IDENTITY && status == 206) {
            throw ResponseHead.partOfACodedBody(request, status, headers);
        }
        // A coded body's Content-Length counts coded bytes: how many the decoding yields is unknown.
        long length = coding == ContentCoding.IDENTITY ? ResponseHead.contentLength(headers) : -1;
        if (asked == null) {
            if (status == 206) {
                wholeIn206(request, headers, length);
            }
            return new RangeAnswer(0, -1, length, 0, length > 0 ? length - 1 : -1, length, false);
        }
        if (status == 206) {
            String value = headers.get("Content-Range");
            long[] r = contentRange(value);
            if (r == null || !asked.isAnsweredBy(r[0], r[1], r[2])) {
                throw new UnexpectedResponseException(request.describe() + ": asked for " + asked.headerValue()
                        + ", the server answered 206 with Content-Range "
                        + (value == null ? "missing" : Validation.quote(value)), status, null, null, null);
            }
            long n = span(r[0], r[1]);
            if (length >= 0 && length != n) {
                throw new UnexpectedResponseException(request.describe() + ": the server answered 206 with "
                        + Validation.quote(value) + " (" + n + " bytes) and Content-Length " + length, status, null,
                        null, null);
            }
            return new RangeAnswer(0, -1, n, r[0], r[1], r[2], true);
        }
        // The server ignored the Range header (RFC 9110 lets it): the body is the whole recording.
        long first;
        long last;
        if (asked.isSuffix()) {
            if (length < 0) {
                throw new UnexpectedResponseException(request.describe() + ": asked for " + asked.headerValue()
                        + ", the server ignored the range and sent the whole recording without a Content-Length, "
                        + "so its last bytes cannot be found without reading all of it", status, null, null, null);
            }
            if (length == 0) {
                throw rangeNotSatisfiable(request, asked, status, 0);
            }
            first = Math.max(0, length - asked.suffixLength());
            last = length - 1;
        } else {
            first = asked.first();
            if (length >= 0 && first >= length) {
                throw rangeNotSatisfiable(request, asked, status, length);
            }
            if (asked.last() < 0) {
                last = length < 0 ? -1 : length - 1;
            } else {
                last = length < 0 ? asked.last() : Math.min(asked.last(), length - 1);
            }
        }
        return new RangeAnswer(first, last < 0 ? -1 : span(first, last), length, first, last, length, true);
    }

    /**
     * A 206 to a request for the whole recording: only its whole ({@code bytes 0-(n-1)/n}, and no other length)
     * can be delivered as the download. Any other part was delivered as if it were all of it, a short download
     * that succeeded (found by the adapter's socket fuzzing: {@code bytes 0-12/16} gave 13 bytes of 16).
     */
    private static void wholeIn206(ApiRequest request, HeaderLookup headers, long length) {
        String value = headers.get("Content-Range");
        long[] r = contentRange(value);
        if (r == null || r[0] != 0 || r[2] < 0 || r[1] != r[2] - 1 || (length >= 0 && length != r[2])) {
            throw new UnexpectedResponseException(request.describe() + ": asked for the whole recording, the server "
                    + "answered 206 with Content-Range " + (value == null ? "missing" : Validation.quote(value))
                    + (length >= 0 ? " and Content-Length " + length : ""), 206, null, null, null);
        }
    }

    /** See {@link RecordingsProtocol#rangeNotSatisfiable}. */
    static RangeNotSatisfiableException rangeNotSatisfiable(ApiRequest request, ByteRange asked, int status,
            long total) {
        return new RangeNotSatisfiableException(request.describe() + ": " + asked.headerValue()
                + " is not satisfiable: the recording has " + (total < 0 ? "fewer" : String.valueOf(total))
                + " bytes (HTTP " + status + ", the server ignored the range)", status, null, null, null, total);
    }

    /** Parses {@code bytes first-last/total} into {first, last, total (-1 for *)}; null if malformed. */
    static long[] contentRange(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes ", 0, 6)) {
            return null;
        }
        int dash = v.indexOf('-', 6);
        int slash = v.indexOf('/', 6);
        if (dash < 0 || slash < dash) {
            return null;
        }
        try {
            long first = digits(v.substring(6, dash));
            long last = digits(v.substring(dash + 1, slash));
            String t = v.substring(slash + 1).trim();
            long total = t.equals("*") ? -1 : digits(t);
            return first < 0 || last < first || (total >= 0 && last >= total) ? null : new long[] {first, last, total};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The length in a 416's {@code Content-Range: bytes *&#47;N}; -1 when absent or malformed. */
    static long contentRange416(String value) {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes */", 0, 8)) {
            return -1;
        }
        try {
            return digits(v.substring(8));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * How many bytes {@code first..last} (inclusive) hold; -1 (unknown: read to the end) when
     * that is more than a long counts, as for {@code bytes=0-9223372036854775807}.
     */
    static long span(long first, long last) {
        long n = last - first + 1;
        return n <= 0 ? -1 : n;
    }

    /** A non-negative decimal of digits only: {@link Long#parseLong} would also take a sign. */
    private static long digits(String s) {
        String d = s.trim();
        if (d.isEmpty() || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("not digits");
        }
        return Long.parseLong(d);
    }
}
