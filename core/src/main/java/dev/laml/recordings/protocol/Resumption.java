package dev.laml.recordings.protocol;

import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.internal.Validation;
import dev.laml.recordings.protocol.RecordingsProtocol.ContentCoding;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resuming a broken body for {@link RecordingsProtocol}: the validator that identifies what was being downloaded,
 * the request for the rest of it ({@code Range} from the first missing byte, {@code If-Range} with the validator),
 * and whether the answer continues the same bytes ({@link Continuation}) or the recording changed in between
 * ({@link ContentChangedException}).
 *
 * <p>Its own file because it is the one rule whose mistake is silent: splicing the tail of one version of a
 * recording onto the head of another gives a corrupt file that downloaded "successfully". Every way a server may
 * answer (a 206 elsewhere, a 200 with the whole body, a coded body) is therefore decided here, in one place.
 * Stateless, so static and thread-safe.
 */
final class Resumption {

    private Resumption() {
    }

    /** See {@link RecordingsProtocol#resumeValidator}: a strong ETag, else Last-Modified, else null. */
    static String resumeValidator(HeaderLookup headers) {
        String etag = sendable(headers.get("ETag"));
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return sendable(headers.get("Last-Modified"));
    }

    /**
     * {@code value} trimmed, if it can go back out in a header ({@code If-Range}): not empty and
     * free of control characters; else null, as if the server had not sent it.
     */
    private static String sendable(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return null;
            }
        }
        return v.isEmpty() ? null : v;
    }

    /** See {@link RecordingsProtocol#resumeFrom(ApiRequest, long, long, String)}. */
    static ApiRequest resumeFrom(ApiRequest request, long offset, long last, String validator) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.put("Range", "bytes=" + offset + "-" + (last < 0 ? "" : String.valueOf(last)));
        if (validator != null) {
            headers.put("If-Range", validator);
        } else {
            headers.remove("If-Range");
        }
        return request.with(request.uri(), headers);
    }

    /** See {@link RecordingsProtocol#continuation(ApiRequest, int, HeaderLookup, long, long, long, String)}. */
    static Continuation continuation(ApiRequest request, int status, HeaderLookup headers, long offset,
            long last, long totalLength, String validator) throws ContentChangedException {
        ContentCoding coding = ResponseHead.contentCoding(headers);
        if (coding == null) {
            throw ResponseHead.unsupportedCoding(request, status, headers);
        }
        if (coding != ContentCoding.IDENTITY && status == 206) {
            // Its Content-Range counts coded bytes, which cannot be decoded, nor spliced to decoded ones.
            throw ResponseHead.partOfACodedBody(request, status, headers);
        }
        if (status == 206) {
            long[] range = ByteRanges.contentRange(headers.get("Content-Range"));
            long end = last >= 0 ? last : totalLength - 1;
            if (range == null || range[0] != offset || (totalLength >= 0 && range[2] >= 0 && range[2] != totalLength)
                    || (end >= 0 && range[1] != end)) {
                throw new ContentChangedException(request.describe() + ": the server resumed with "
                        + Validation.quote(String.valueOf(headers.get("Content-Range"))) + " instead of bytes " + offset
                        + "-" + (end >= 0 ? String.valueOf(end) : "") + (totalLength >= 0 ? "/" + totalLength : ""));
            }
            String partValidator = resumeValidator(headers);
            if (validator != null && partValidator != null && !validator.equals(partValidator)) {
                // A server that ignores If-Range but labels its parts tells us they differ.
                throw new ContentChangedException(request.describe() + ": the server resumed with a different "
                        + "version of the recording after " + offset + " bytes had been delivered");
            }
            return new Continuation(0, ByteRanges.span(range[0], range[1]));
        }
        String now = resumeValidator(headers);
        long length = coding == ContentCoding.IDENTITY ? ResponseHead.contentLength(headers) : -1;
        if (validator == null || !validator.equals(now) || (totalLength >= 0 && length >= 0 && length != totalLength)) {
            throw new ContentChangedException(request.describe() + ": the recording changed after " + offset
                    + " bytes had been delivered (the server sent it whole again"
                    + (validator == null ? " and gave no validator to compare)" : " with a different validator)"));
        }
        return new Continuation(offset, length, last < 0 ? -1 : ByteRanges.span(offset, last));
    }
}
