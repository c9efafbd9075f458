package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.testkit.Fault;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One generated answer: the bytes a server sends (a head of raw lines, a body, maybe bytes after it), how the
 * server ends ({@link Fault.After}), and what a client that succeeds must have got. Mutable while it is built and
 * mutated, then only read. Lines are strings of one char per byte (ISO-8859-1), each with its own line end, so that
 * a mutation can give one line a bare LF, fold it, or put UTF-8 bytes in it.
 */
final class Answer {

    /** The client's operations that a try runs. */
    enum Op { DOWNLOAD, OPEN, FETCH, LIST_PAGE, DELETE }

    final Op op;
    /** The status line and every header line, each ending in its own line end. */
    final List<String> lines = new ArrayList<>();
    /** The line that ends the head ("\r\n"); a mutation may drop it or change it. */
    String headEnd = "\r\n";
    /** Everything after the head as the framing says (CL body, chunks, or bytes up to the close). */
    byte[] body = new byte[0];
    /** Bytes after the body that are not part of this answer (excess, a second answer). */
    byte[] after = new byte[0];
    Fault.After end = Fault.After.CLOSE;

    /** The client must end in success with {@link #expected}. */
    boolean mustSucceed = true;
    /** The client must end in a typed error: the body cannot be complete (cut, no end), or the status is an error. */
    boolean framingFails;
    boolean statusFails;
    /**
     * What a success must have delivered: the audio bytes ({@code byte[]}), the decoded {@code Recording} or
     * {@code RecordingPage}, or {@code Boolean.TRUE} for a delete; null when the answer is too broken to say (any
     * success is then accepted, as long as the error contract holds otherwise).
     */
    Object expected;
    /** What was done to the answer, for the failure report. */
    final List<String> notes = new ArrayList<>();

    /** Whether the body is in chunked framing, and the content coding it is really in (whatever the head says). */
    boolean chunked;
    String coding = "identity";

    /** The audio before framing and coding, and its validator: for resume answers. */
    byte[] payload;
    String etag;
    /** Audio bytes the client has received when the answer breaks (-1: it does not break in the data). */
    long deliveredAtBreak = -1;

    Answer(Op op) {
        this.op = op;
    }

    // ------------------------------------------------------------------ building

    Answer status(String statusLine) {
        if (lines.isEmpty()) {
            lines.add(statusLine + "\r\n");
        } else {
            lines.set(0, statusLine + "\r\n");
        }
        return this;
    }

    Answer header(String name, String value) {
        lines.add(name + ": " + value + "\r\n");
        return this;
    }

    /**
     * Index of the first header line with this name (case-insensitive), or -1. White space before the colon is
     * allowed, as lenient parsers (Netty's) read {@code Content-Length : 0} as the length.
     */
    int find(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).toLowerCase(Locale.ROOT);
            int colon = line.indexOf(':');
            if (colon >= 0 && line.substring(0, colon).strip().equals(lower) && line.startsWith(lower)) {
                return i;
            }
        }
        return -1;
    }

    boolean has(String name) {
        return find(name) >= 0;
    }

    /** The value of the first header line with this name, trimmed, or null. */
    String value(String name) {
        int i = find(name);
        if (i < 0) {
            return null;
        }
        String line = lines.get(i);
        return line.substring(line.indexOf(':') + 1).trim();
    }

    void remove(String name) {
        int i;
        while ((i = find(name)) >= 0) {
            lines.remove(i);
        }
    }

    void replace(String name, String value) {
        int i = find(name);
        if (i < 0) {
            header(name, value);
        } else {
            lines.set(i, name + ": " + value + "\r\n");
        }
    }

    /** The status code as sent, if the status line has the usual shape. */
    String statusCode() {
        String[] parts = lines.get(0).trim().split(" ", 3);
        return parts.length > 1 ? parts[1] : "";
    }

    // ------------------------------------------------------------------ verdicts

    /** The answer may now fail, but a success must still be exactly {@link #expected}. */
    void mayFail(String note) {
        mustSucceed = false;
        notes.add(note);
    }

    /** Nothing can be said about a success any more (only that errors are typed). */
    void undetermined(String note) {
        mustSucceed = false;
        expected = null;
        notes.add(note);
    }

    boolean mustFail() {
        return framingFails || statusFails;
    }

    /** The answer can no longer succeed: its body cannot be read whole. */
    void fails(String note) {
        mustSucceed = false;
        framingFails = true;
        notes.add(note);
    }

    /** The answer can no longer succeed: its (final) status says so. */
    void statusFails(String note) {
        mustSucceed = false;
        statusFails = true;
        notes.add(note);
    }

    /** The final status line's code, if it has the usual shape; "" otherwise. */
    String finalCode() {
        String first = lines.isEmpty() ? "" : lines.get(0);
        int at = first.lastIndexOf("HTTP/");
        // Split on any run of white space, as a lenient parser reads "HTTP/1.1  204" or "HTTP/1.1\t204".
        String[] parts = (at < 0 ? first : first.substring(at)).trim().split("\\s+", 3);
        return parts.length > 1 ? parts[1] : "";
    }

    /** A final status that never has a body (RFC 9112 6.3): 204, 304 (and 1xx). */
    boolean bodiless() {
        String code = finalCode();
        return code.equals("204") || code.equals("304") || code.length() == 3 && code.startsWith("1");
    }

    /** A new expectation for a success, unless nothing can be said any more. */
    void expect(Object value, String note) {
        if (expected != null) {
            expected = value;
        }
        notes.add(note);
    }

    void note(String note) {
        notes.add(note);
    }

    // ------------------------------------------------------------------ output

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(headEnd.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        out.writeBytes(after);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        byte[] all = bytes();
        return op + " " + (mustSucceed ? "must succeed" : mustFail() ? "must fail" : expected != null
                ? "success must be exact" : "any typed end") + ", then " + end + ", " + all.length + " bytes "
                + notes + ": " + escape(all, 600);
    }

    /** The bytes as a Java string literal (ISO-8859-1 escapes), at most {@code max} of them. */
    static String escape(byte[] bytes, int max) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(bytes.length, max);
        for (int i = 0; i < n; i++) {
            int c = bytes[i] & 0xFF;
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '"', '\\' -> b.append('\\').append((char) c);
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        b.append((char) c);
                    } else {
                        b.append(String.format("\\u%04x", c));
                    }
                }
            }
        }
        return b.append(bytes.length > n ? "\"… (" + (bytes.length - n) + " more)" : "\"").toString();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A string of one char per UTF-8 byte of {@code unicode}, as it goes on the wire. */
    static String utf8(String unicode) {
        return new String(unicode.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static boolean sameBytes(Object expected, byte[] actual) {
        return expected instanceof byte[] e && Arrays.equals(e, actual);
    }
}
