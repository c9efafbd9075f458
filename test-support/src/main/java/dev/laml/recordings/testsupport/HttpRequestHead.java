package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The request line and header fields of one HTTP/1.x request, read from a socket without
 * consuming a byte past the blank line that ends them (whatever was read beyond it is kept in
 * {@link #leftover()} so that a tunnel can relay it).
 *
 * <p>Immutable once read; thread-safe. Header names keep their received case; lookups ignore it.
 */
final class HttpRequestHead {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final String method;
    private final String target;
    private final String version;
    private final List<String[]> fields;
    private final byte[] leftover;

    private HttpRequestHead(String method, String target, String version, List<String[]> fields, byte[] leftover) {
        this.method = method;
        this.target = target;
        this.version = version;
        this.fields = fields;
        this.leftover = leftover;
    }

    /**
     * Reads one request head.
     *
     * @return null if the stream ended before the first byte (a client that connected and left)
     * @throws ProtocolException the head is malformed, longer than 64 KiB, or cut short
     */
    static HttpRequestHead read(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        int length = 0;
        int scanFrom = 0;
        while (true) {
            int end = findEndOfHead(buffer, scanFrom, length);
            if (end >= 0) {
                return parse(new String(buffer, 0, end, StandardCharsets.ISO_8859_1),
                        Arrays.copyOfRange(buffer, end, length));
            }
            // The terminator may straddle two reads: rescan the last three bytes next time.
            scanFrom = Math.max(0, length - 3);
            if (length == buffer.length) {
                if (buffer.length >= MAX_HEAD_BYTES) {
                    throw new ProtocolException("request head longer than " + MAX_HEAD_BYTES + " bytes");
                }
                buffer = Arrays.copyOf(buffer, Math.min(MAX_HEAD_BYTES, buffer.length * 2));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                if (length == 0) {
                    return null;
                }
                throw new ProtocolException("stream ended inside the request head");
            }
            length += n;
        }
    }

    /** Index just past the CRLF CRLF (or bare LF LF) that ends the head, or -1. */
    private static int findEndOfHead(byte[] b, int from, int length) {
        for (int i = from; i < length; i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (i + 1 < length && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    private static HttpRequestHead parse(String head, byte[] leftover) throws ProtocolException {
        String[] lines = head.split("\r?\n");
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty()
                || !requestLine[2].startsWith("HTTP/1.")) {
            throw new ProtocolException("malformed request line: " + lines[0]);
        }
        List<String[]> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed header field: " + line);
            }
            fields.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
        return new HttpRequestHead(requestLine[0], requestLine[1], requestLine[2], List.copyOf(fields), leftover);
    }

    String method() {
        return method;
    }

    /** The request target as sent: authority form for CONNECT, usually absolute form otherwise. */
    String target() {
        return target;
    }

    String version() {
        return version;
    }

    /** Every field as {@code {name, value}}, in received order. */
    List<String[]> fields() {
        return fields;
    }

    /** Values of every field named {@code name} (case-insensitive), in received order. */
    List<String> values(String name) {
        List<String> values = new ArrayList<>(1);
        for (String[] field : fields) {
            if (field[0].equalsIgnoreCase(name)) {
                values.add(field[1]);
            }
        }
        return values;
    }

    /** Bytes the client sent after the head, already read off the socket. */
    byte[] leftover() {
        return leftover.clone();
    }
}
