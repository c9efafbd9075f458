package dev.laml.recordings.protocol;

import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.HttpDates;
import dev.laml.recordings.internal.Validation;
import dev.laml.recordings.protocol.RecordingsProtocol.ContentCoding;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * What a response's status and headers say about its body, before any of it is read, for
 * {@link RecordingsProtocol}: whether it may be streamed as audio, which content coding it carries (and the errors
 * for codings that cannot be undone), how long it says it is, and when it was last modified. Header values come
 * from any server or proxy, so every reader here answers "absent" for a value it cannot read, never throws.
 *
 * <p>Apart from the response side's interpretation of whole bodies because the resume and byte-range rules need
 * these readers too, and they need no configuration: stateless, so static and thread-safe.
 */
final class ResponseHead {

    private ResponseHead() {
    }

    /** See {@link RecordingsProtocol#isAudio}. */
    static boolean isAudio(int status, HeaderLookup headers) {
        if (status < 200 || status > 299 || status == 204) {
            return false;
        }
        return isAudioType(headers.get("Content-Type"));
    }

    private static boolean isAudioType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            // Nothing claims otherwise; the status already said success.
            return true;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.startsWith("audio/") || type.equals("application/octet-stream")
                || type.equals("binary/octet-stream");
    }

    /** See {@link RecordingsProtocol#contentCoding}; null for a coding this client cannot undo. */
    static ContentCoding contentCoding(HeaderLookup headers) {
        String transfer = headers.get("Transfer-Encoding");
        if (transfer != null) {
            for (String t : transfer.split(",")) {
                String v = t.trim();
                if (!v.isEmpty() && !v.equalsIgnoreCase("chunked") && !v.equalsIgnoreCase("identity")) {
                    return null;
                }
            }
        }
        String encoding = headers.get("Content-Encoding");
        if (encoding == null) {
            return ContentCoding.IDENTITY;
        }
        ContentCoding found = ContentCoding.IDENTITY;
        for (String c : encoding.split(",")) {
            String v = c.trim().toLowerCase(Locale.ROOT);
            ContentCoding coding = switch (v) {
                case "", "identity" -> ContentCoding.IDENTITY;
                case "gzip", "x-gzip" -> ContentCoding.GZIP;
                case "deflate" -> ContentCoding.DEFLATE;
                default -> null;
            };
            if (coding == null || (coding != ContentCoding.IDENTITY && found != ContentCoding.IDENTITY)) {
                return null;
            }
            if (coding != ContentCoding.IDENTITY) {
                found = coding;
            }
        }
        return found;
    }

    /** See {@link RecordingsProtocol#unsupportedCoding}. */
    static UnexpectedResponseException unsupportedCoding(ApiRequest request, int status, HeaderLookup headers) {
        String encoding = headers.get("Content-Encoding");
        String transfer = headers.get("Transfer-Encoding");
        return new UnexpectedResponseException(request.describe() + " returned HTTP " + status + " with a body in "
                + (encoding != null ? "Content-Encoding " + Validation.quote(encoding) : "")
                + (encoding != null && transfer != null ? " and " : "")
                + (transfer != null ? "Transfer-Encoding " + Validation.quote(transfer) : "")
                + ", which this client does not decode (it asked for identity; gzip and deflate are decoded)",
                status, null, null, null);
    }

    /** See {@link RecordingsProtocol#undecodableBody}. */
    static UnexpectedResponseException undecodableBody(ApiRequest request, int status, ContentCoding coding,
            Throwable cause) {
        UnexpectedResponseException e = new UnexpectedResponseException(request.describe() + " returned HTTP "
                + status + " with a " + coding.name().toLowerCase(Locale.ROOT) + " body that does not decode"
                + (cause == null || cause.getMessage() == null ? "" : ": " + Responses.safe(cause.getMessage())),
                status, null, null, null);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * The error for a 206 in a content coding: its {@code Content-Range} counts coded bytes, and a part of a coded
     * body can neither be decoded alone nor spliced to decoded bytes. Both a first answer and a resumed one refuse it.
     */
    static UnexpectedResponseException partOfACodedBody(ApiRequest request, int status, HeaderLookup headers) {
        return new UnexpectedResponseException(request.describe() + ": the server answered 206 with Content-Encoding "
                + Validation.quote(headers.get("Content-Encoding")) + ": a part of a coded body cannot be decoded on "
                + "its own", status, null, null, null);
    }

    /** See {@link RecordingsProtocol#contentLength}: -1 when absent or malformed. */
    static long contentLength(HeaderLookup headers) {
        String v = headers.get("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** See {@link RecordingsProtocol#lastModified}: null when absent or not an HTTP date. */
    static Instant lastModified(HeaderLookup headers) {
        String v = headers.get("Last-Modified");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            // Null for what trims to nothing (say a lone control character) though it is not blank.
            OffsetDateTime at = HttpDates.parse(v.trim());
            return at == null ? null : at.toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
