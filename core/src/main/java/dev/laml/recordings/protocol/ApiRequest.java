package dev.laml.recordings.protocol;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * What to send: method, absolute URI and headers. Built by {@link RecordingsProtocol} after
 * every argument was validated; an adapter only puts it on the wire.
 *
 * <p>Immutable and thread-safe; no component is null. {@link #toString()} and
 * {@link #describe()} show the method and path only: headers (which may hold credentials) and
 * the host stay out of messages and logs.
 */
public final class ApiRequest {

    /** What the response should hold; it decides how the response is interpreted. */
    public enum Kind {
        /** A JSON document, read whole into memory up to a cap. */
        METADATA,
        /** Audio, streamed. */
        MEDIA
    }

    private final String method;
    private final URI uri;
    private final Map<String, String> headers;
    private final Kind kind;
    /** The encoded body of a write (a form); empty for every other request. Never handed out, only copies. */
    private final byte[] body;

    ApiRequest(String method, URI uri, Map<String, String> headers, Kind kind) {
        this(method, uri, headers, kind, NO_BODY);
    }

    ApiRequest(String method, URI uri, Map<String, String> headers, Kind kind, byte[] body) {
        this.method = Objects.requireNonNull(method);
        this.uri = Objects.requireNonNull(uri);
        this.headers = Map.copyOf(headers);
        this.kind = Objects.requireNonNull(kind);
        this.body = body.length == 0 ? NO_BODY : body.clone();
    }

    private static final byte[] NO_BODY = new byte[0];

    /** A copy aimed at {@code uri} with {@code headers}; the kind, method and body stay. */
    ApiRequest with(URI uri, Map<String, String> headers) {
        return new ApiRequest(method, uri, headers, kind, body);
    }

    /** The HTTP method, e.g. {@code GET}. */
    public String method() {
        return method;
    }

    /** The absolute request URI. */
    public URI uri() {
        return uri;
    }

    /** Headers to send, names as written here; may include {@code Authorization}. Unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Whether the response is metadata or media. */
    public Kind kind() {
        return kind;
    }

    /**
     * The bytes to send after the headers, already encoded (a form for a write, whose
     * {@code Content-Type} and {@code Content-Length} are among {@link #headers()}): a fresh copy,
     * empty when the request has no body (every {@code GET} and {@code DELETE}).
     */
    public byte[] body() {
        return body.length == 0 ? NO_BODY : body.clone();
    }

    /** True when {@link #body()} is not empty. */
    public boolean hasBody() {
        return body.length > 0;
    }

    /**
     * True for a request that changes something on the server and must not be repeated unless it
     * certainly did not arrive ({@code POST}): see {@link dev.laml.recordings.RetryPolicy#isRetryableWrite(Throwable)}.
     */
    public boolean isWrite() {
        return "POST".equals(method);
    }

    /** True when this request carries credentials. */
    public boolean isAuthenticated() {
        return headers.containsKey(RecordingsProtocol.AUTHORIZATION);
    }

    /** {@code "GET /api/laml/…/Recordings/{Sid}.json"}: safe for messages and logs. */
    public String describe() {
        return method + ' ' + uri.getRawPath();
    }

    @Override
    public String toString() {
        return "ApiRequest[" + describe() + (isAuthenticated() ? ", authenticated" : "") + "]";
    }
}
