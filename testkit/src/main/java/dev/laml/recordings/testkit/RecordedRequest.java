package dev.laml.recordings.testkit;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request as the server received it, for assertions on what a client sent.
 *
 * <p>Immutable and thread-safe. Only {@link #header(String)} returns null (for an absent header).
 */
public final class RecordedRequest {

    private final long sequenceNumber;
    private final String method;
    private final String target;
    private final String path;
    private final Map<String, List<String>> headers;

    RecordedRequest(long sequenceNumber, String method, String target, String path,
                    Iterable<Map.Entry<String, String>> rawHeaders) {
        this.sequenceNumber = sequenceNumber;
        this.method = method;
        this.target = target;
        this.path = path;
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : rawHeaders) {
            map.computeIfAbsent(h.getKey(), k -> new ArrayList<>(1)).add(h.getValue());
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        this.headers = Collections.unmodifiableMap(map);
    }

    /** 0 for the first request the server received, counting every request since it started (resets included). */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** {@code GET}, {@code HEAD}, ... */
    public String method() {
        return method;
    }

    /** The request target as sent, query included, e.g. {@code /api/laml/.../Recordings/x.json?a=b}. */
    public String target() {
        return target;
    }

    /** The target's path, without the query. */
    public String path() {
        return path;
    }

    /** All headers; names are case-insensitive keys, values in the order received. Unmodifiable. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of header {@code name} (case-insensitive), or null when absent. */
    public @Nullable String header(String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    /** True if the request carried an {@code Authorization} header (valid or not). */
    public boolean hasAuthorization() {
        return headers.containsKey("Authorization");
    }

    @Override
    public String toString() {
        return "RecordedRequest[#" + sequenceNumber + " " + method + " " + target + "]";
    }
}
