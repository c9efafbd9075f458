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

    ApiRequest(String method, URI uri, Map<String, String> headers, Kind kind) {
        this.method = Objects.requireNonNull(method);
        this.uri = Objects.requireNonNull(uri);
        this.headers = Map.copyOf(headers);
        this.kind = Objects.requireNonNull(kind);
    }

    /** A copy aimed at {@code uri} with {@code headers}; the kind and method stay. */
    ApiRequest with(URI uri, Map<String, String> headers) {
        return new ApiRequest(method, uri, headers, kind);
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
