package dev.laml.recordings.testkit;

import org.jspecify.annotations.Nullable;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request as the server received it, for assertions on what a client sent: method, target, headers and, for a
 * request that carries one ({@code POST}, ...), its body and the form fields in it.
 *
 * <p>Immutable and thread-safe. Only {@link #header(String)} and {@link #formField(String)} return null (for an
 * absent header or field).
 */
public final class RecordedRequest {

    private final long sequenceNumber;
    private final String method;
    private final String target;
    private final String path;
    private final Map<String, List<String>> headers;
    private final String body;
    private final Map<String, List<String>> formFields;

    RecordedRequest(long sequenceNumber, String method, String target, String path,
                    Iterable<Map.Entry<String, String>> rawHeaders, String body) {
        this.sequenceNumber = sequenceNumber;
        this.body = body;
        this.method = method;
        this.target = target;
        this.path = path;
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : rawHeaders) {
            map.computeIfAbsent(h.getKey(), k -> new ArrayList<>(1)).add(h.getValue());
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        this.headers = Collections.unmodifiableMap(map);
        String contentType = header("Content-Type");
        // Only a declared form is decoded: a JSON or text body is not a form, whatever its characters.
        boolean form = contentType != null && contentType.toLowerCase(Locale.ROOT).trim()
                .startsWith("application/x-www-form-urlencoded");
        this.formFields = form ? decodeForm(body) : Map.of();
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

    /**
     * The request body as UTF-8 text (malformed bytes replaced), exactly as received; empty for a request without one
     * (the server reads the body of every method but {@code GET}, {@code HEAD} and {@code DELETE}).
     */
    public String body() {
        return body;
    }

    /**
     * The body's form fields when the request declared {@code Content-Type: application/x-www-form-urlencoded}
     * (decoded: {@code +} and percent escapes, UTF-8), names in the order first sent, each name's values in order;
     * empty for any other request. Unmodifiable. E.g. {@code formFields().get("RecordingChannels")}.
     */
    public Map<String, List<String>> formFields() {
        return formFields;
    }

    /** The first value of form field {@code name} (case-sensitive, as the API reads them), or null when absent. */
    public String formField(String name) {
        List<String> values = formFields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** True if the request carried an {@code Authorization} header (valid or not). */
    public boolean hasAuthorization() {
        return headers.containsKey("Authorization");
    }

    /** Decodes an {@code application/x-www-form-urlencoded} body; a malformed escape keeps the pair's raw text. */
    static Map<String, List<String>> decodeForm(String body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            fields.computeIfAbsent(decode(name), k -> new ArrayList<>(1)).add(decode(value));
        }
        fields.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(fields);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }

    /** Sequence number, method and target; never headers or the body, which may carry credentials. */
    @Override
    public String toString() {
        return "RecordedRequest[#" + sequenceNumber + " " + method + " " + target + "]";
    }
}
