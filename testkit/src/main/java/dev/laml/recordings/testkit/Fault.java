package dev.laml.recordings.testkit;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A misbehaviour the server applies to a response: one vocabulary for every failure a client must survive.
 *
 * <p>Attach a fault to a recording with {@link RecordingsServer#injectFault(String, Fault)} (every request for that
 * recording, any format, until cleared) or to the next requests whatever their path with
 * {@link RecordingsServer#enqueueFault(Fault)} / {@link RecordingsServer#enqueueFaults(int, Fault)}. Faults of
 * different aspects combine with {@link #and(Fault)}, e.g.
 * {@code Fault.latency(ofMillis(200)).and(Fault.closeAfterBytes(1024))}:
 * <ul>
 *   <li>timing: {@link #latency(Duration)}, {@link #throttle(long)};</li>
 *   <li>truncation (the response still announces its full {@code Content-Length}): {@link #closeAfterBytes(long)},
 *       {@link #closeNotifyAfterBytes(long)}, {@link #resetAfterBytes(long)}, {@link #stallAfterBytes(long)};</li>
 *   <li>a different response instead of the real one: {@link #status(int)} (and {@link #rateLimited(Duration)},
 *       {@link #serverError(int)}), {@link #wrongContentType(String)}, {@link #redirect(URI)},
 *       {@link #redirectToSelf()};</li>
 *   <li>bytes that need not be valid HTTP at all instead of a response: {@link #raw(byte[], After)}, for the
 *       malformed answers of broken servers and proxies.</li>
 * </ul>
 * Timing and truncation apply to whatever body is sent, replaced or not; truncation counts body bytes after any
 * {@code Range} has been applied. A replacement stands in for the API entirely, so the request has no effect: a
 * {@code DELETE} answered by {@code status(503)} deletes nothing (one with only timing or truncation faults does).
 *
 * <p>Over {@linkplain RecordingsServer.Builder#tls() HTTPS} a truncation is also a statement about TLS: only
 * {@link #closeNotifyAfterBytes(long)} ends the TLS session properly (close_notify, then FIN);
 * {@link #closeAfterBytes(long)} and {@link #resetAfterBytes(long)} drop the TCP connection under it with no
 * close_notify, as a crashed server or a load balancer would. Either way the body is short of its {@code Content-Length}, which a client must report as a
 * broken transfer, never as a short success.
 *
 * <p>Immutable and thread-safe; a value: equal faults are interchangeable. Factories reject null arguments.
 */
public final class Fault {

    enum Cut { NONE, CLOSE, CLOSE_NOTIFY, RESET, STALL }

    enum Replacement { NONE, ERROR, CONTENT_TYPE, REDIRECT, RAW }

    /** How a {@linkplain #raw(byte[], After) raw} answer ends once its bytes are written. */
    public enum After {
        /**
         * The server closes the connection (FIN; over HTTPS after a close_notify, as a server that means to close
         * does). Use it for answers that are complete in themselves, or whose end is the close.
         */
        CLOSE,
        /**
         * The server sends nothing more and keeps the connection open until the client (or
         * {@link RecordingsServer#close()}) closes it: an answer that never completes, such as a head without its
         * blank line, for response- and idle-timeout tests.
         */
        STALL
    }

    private static final Fault NONE = new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.NONE, 0, null, null, null);

    final Duration latency;
    final long bytesPerSecond;
    final Cut cut;
    final long cutAfter;
    final Replacement replacement;
    final int status;
    final Duration retryAfter;
    final String contentType;
    /** Null for a redirect to the request's own URL. */
    final URI location;
    /** The bytes of a raw answer (never handed out, so never modified); null for the other faults. */
    final byte[] raw;
    /** How a raw answer ends; null for the other faults. */
    final After after;

    private Fault(Duration latency, long bytesPerSecond, Cut cut, long cutAfter, Replacement replacement, int status,
                  Duration retryAfter, String contentType, URI location) {
        this(latency, bytesPerSecond, cut, cutAfter, replacement, status, retryAfter, contentType, location, null,
                null);
    }

    private Fault(Duration latency, long bytesPerSecond, Cut cut, long cutAfter, Replacement replacement, int status,
                  Duration retryAfter, String contentType, URI location, byte[] raw, After after) {
        this.latency = latency;
        this.bytesPerSecond = bytesPerSecond;
        this.cut = cut;
        this.cutAfter = cutAfter;
        this.replacement = replacement;
        this.status = status;
        this.retryAfter = retryAfter;
        this.contentType = contentType;
        this.location = location;
        this.raw = raw;
        this.after = after;
    }

    /** Waits {@code delay} before sending the status line and headers (time to first byte). */
    public static Fault latency(Duration delay) {
        requireNonNegative(delay, "delay");
        return new Fault(delay, 0, Cut.NONE, 0, Replacement.NONE, 0, null, null, null);
    }

    /**
     * Sends the body at about {@code bytesPerSecond}, in small timed chunks; headers go out at once. A slow link,
     * for progress reporting and read-timeout tests.
     */
    public static Fault throttle(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        return new Fault(Duration.ZERO, bytesPerSecond, Cut.NONE, 0, Replacement.NONE, 0, null, null, null);
    }

    /**
     * Sends the headers with the full {@code Content-Length}, then at most {@code bytes} body bytes, then closes the
     * TCP connection (FIN): the client sees a premature end of stream. Over HTTPS no TLS close_notify precedes the
     * FIN, so that a TLS client sees a truncated session, as when a server crashes; see
     * {@link #closeNotifyAfterBytes(long)} for the clean TLS close.
     */
    public static Fault closeAfterBytes(long bytes) {
        return cut(Cut.CLOSE, bytes);
    }

    /**
     * Like {@link #closeAfterBytes(long)}, but over HTTPS the server first ends the TLS session properly with a
     * close_notify alert and then closes (FIN): the TLS layer reports a clean end, and only the missing body bytes
     * ({@code Content-Length}) show the response is incomplete. On plain HTTP the same as {@code closeAfterBytes}.
     */
    public static Fault closeNotifyAfterBytes(long bytes) {
        return cut(Cut.CLOSE_NOTIFY, bytes);
    }

    /**
     * Like {@link #closeAfterBytes(long)} but aborts the connection with a TCP reset (SO_LINGER 0, then close; over
     * HTTPS with no close_notify): the client sees "connection reset", and may lose bytes it had not read yet.
     */
    public static Fault resetAfterBytes(long bytes) {
        return cut(Cut.RESET, bytes);
    }

    /**
     * Sends the headers with the full {@code Content-Length}, then at most {@code bytes} body bytes, then sends
     * nothing more and keeps the connection open until the client (or {@link RecordingsServer#close()}) closes it:
     * for read/idle timeout tests.
     */
    public static Fault stallAfterBytes(long bytes) {
        return cut(Cut.STALL, bytes);
    }

    /**
     * Answers {@code status} (400 to 599) with the API's JSON error body ({@code code} 20000 + status, or the API's own
     * bodies for 401 and 404) instead of the real response. Add a {@code Retry-After} with
     * {@link #retryAfter(Duration)}.
     */
    public static Fault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be a 4xx or 5xx code: " + status);
        }
        return new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.ERROR, status, null, null, null);
    }

    /** {@code status(429).retryAfter(retryAfter)}: 429 Too Many Requests, JSON code 20429, {@code Retry-After}. */
    public static Fault rateLimited(Duration retryAfter) {
        return status(429).retryAfter(retryAfter);
    }

    /** {@link #status(int)} restricted to 5xx, e.g. {@code serverError(500)} or {@code serverError(503)}. */
    public static Fault serverError(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("status must be a 5xx code: " + status);
        }
        return status(status);
    }

    /**
     * Answers 200 with {@code Content-Type: contentType} and a small HTML page instead of the real body, as a captive
     * portal or a misconfigured proxy would.
     */
    public static Fault wrongContentType(String contentType) {
        Objects.requireNonNull(contentType, "contentType");
        return new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.CONTENT_TYPE, 200, null, contentType, null);
    }

    /** {@code redirect(302, target)}. */
    public static Fault redirect(URI target) {
        return redirect(302, target);
    }

    /**
     * Answers {@code status} (301, 302, 303, 307 or 308) with a {@code Location}. A {@code target} with no path (such
     * as another server's {@link RecordingsServer#baseUrl()}) keeps the request's path and query, so that the client
     * is sent to the same resource elsewhere; a target with a path is used as is.
     */
    public static Fault redirect(int status, URI target) {
        Objects.requireNonNull(target, "target");
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            throw new IllegalArgumentException("not a redirect status: " + status);
        }
        return new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.REDIRECT, status, null, null, target);
    }

    /**
     * Answers 302 with a {@code Location} equal to the request's own URL (on the host name the client used). Enqueued
     * once, the client's follow-up gets the real response; attached to a recording, every request redirects, i.e. a
     * redirect loop.
     */
    public static Fault redirectToSelf() {
        return new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.REDIRECT, 302, null, null, null);
    }

    /**
     * Answers with exactly {@code response}, written to the connection as given, instead of an HTTP response, and
     * then ends as {@code after} says. Nothing is added, checked or fixed: no status line, headers, length or chunk
     * framing of the server's own, so the bytes may be anything a broken server, proxy or middlebox could send,
     * valid HTTP or not. Over {@linkplain RecordingsServer.Builder#tls() HTTPS} the bytes travel inside TLS, as a
     * broken server behind a correct TLS terminator would send them.
     *
     * <pre>{@code
     * server.enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n"));          // then close
     * server.enqueueFault(Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: au", After.STALL));   // a head that never ends
     * }</pre>
     *
     * <p>Advice: write the whole answer, head and body, as your test means it, with {@code \r\n} line ends (a bare
     * {@code \n} is itself a malformation); end a head that should be read with an empty line; use
     * {@link After#CLOSE} for an answer without {@code Content-Length} whose body runs to the close, and
     * {@link After#STALL} with a response or idle timeout when the answer is meant never to complete. The request is
     * logged and counted as any other; {@link RecordingsServer#bytesWritten()} does not count raw bytes. Combines with
     * {@link #latency(Duration)} only (before the first byte); the bytes are copied, so the array may be reused.
     *
     * @throws IllegalArgumentException if {@code response} is empty
     */
    public static Fault raw(byte[] response, After after) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(after, "after");
        if (response.length == 0) {
            throw new IllegalArgumentException("response must hold at least one byte; for an answer of nothing use "
                    + "closeAfterBytes(0) or a stall");
        }
        return new Fault(Duration.ZERO, 0, Cut.NONE, 0, Replacement.RAW, 0, null, null, null, response.clone(), after);
    }

    /** {@code raw(response, After.CLOSE)}: the bytes, then the server closes the connection. */
    public static Fault raw(byte[] response) {
        return raw(response, After.CLOSE);
    }

    /** {@code raw(response, After.CLOSE)}, the bytes spelt as a string: see {@link #raw(String, After)}. */
    public static Fault raw(String response) {
        return raw(response, After.CLOSE);
    }

    /**
     * {@link #raw(byte[], After)} with {@code response} written one byte per character (ISO-8859-1), so that a test
     * can spell a head, {@code \r\n} and all, as a string.
     *
     * @throws IllegalArgumentException if a character is above U+00FF, or the string is empty
     */
    public static Fault raw(String response, After after) {
        Objects.requireNonNull(response, "response");
        for (int i = 0; i < response.length(); i++) {
            if (response.charAt(i) > 0xFF) {
                throw new IllegalArgumentException("character " + i + " is not one byte (ISO-8859-1); pass bytes "
                        + "instead");
            }
        }
        return raw(response.getBytes(StandardCharsets.ISO_8859_1), after);
    }

    /**
     * This status fault with a {@code Retry-After} header in whole seconds (rounded up).
     *
     * @throws IllegalStateException if this fault does not answer an error status
     */
    public Fault retryAfter(Duration retryAfter) {
        requireNonNegative(retryAfter, "retryAfter");
        if (replacement != Replacement.ERROR) {
            throw new IllegalStateException("retryAfter applies to status faults only: " + this);
        }
        return new Fault(latency, bytesPerSecond, cut, cutAfter, replacement, status, retryAfter, contentType,
                location);
    }

    /**
     * Both faults at once, e.g. latency and a truncation.
     *
     * @throws IllegalArgumentException if both set the same aspect (timing kind, truncation, or replacement)
     */
    public Fault and(Fault other) {
        Objects.requireNonNull(other, "other");
        if (!latency.isZero() && !other.latency.isZero()
                || bytesPerSecond != 0 && other.bytesPerSecond != 0
                || cut != Cut.NONE && other.cut != Cut.NONE
                || replacement != Replacement.NONE && other.replacement != Replacement.NONE) {
            throw new IllegalArgumentException("faults overlap: " + this + " and " + other);
        }
        // A raw answer's bytes are the test's, end included: there is no body to throttle or cut.
        if ((replacement == Replacement.RAW || other.replacement == Replacement.RAW)
                && (bytesPerSecond != 0 || other.bytesPerSecond != 0 || cut != Cut.NONE || other.cut != Cut.NONE)) {
            throw new IllegalArgumentException("a raw answer combines with latency only (its end is its After): "
                    + this + " and " + other);
        }
        Fault r = other.replacement != Replacement.NONE ? other : this;
        return new Fault(
                latency.isZero() ? other.latency : latency,
                bytesPerSecond != 0 ? bytesPerSecond : other.bytesPerSecond,
                cut != Cut.NONE ? cut : other.cut,
                cut != Cut.NONE ? cutAfter : other.cutAfter,
                r.replacement, r.status, r.retryAfter, r.contentType, r.location, r.raw, r.after);
    }

    private static Fault cut(Cut cut, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        return new Fault(Duration.ZERO, 0, cut, bytes, Replacement.NONE, 0, null, null, null);
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fault f && latency.equals(f.latency) && bytesPerSecond == f.bytesPerSecond && cut == f.cut
                && cutAfter == f.cutAfter && replacement == f.replacement && status == f.status
                && Objects.equals(retryAfter, f.retryAfter) && Objects.equals(contentType, f.contentType)
                && Objects.equals(location, f.location) && Arrays.equals(raw, f.raw) && after == f.after;
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(latency, bytesPerSecond, cut, cutAfter, replacement, status, retryAfter, contentType,
                location, after) + Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        StringJoiner parts = new StringJoiner(", ", "Fault[", "]");
        if (!latency.isZero()) {
            parts.add("latency=" + latency);
        }
        if (bytesPerSecond != 0) {
            parts.add("throttle=" + bytesPerSecond + "B/s");
        }
        switch (cut) {
            case CLOSE -> parts.add("closeAfterBytes=" + cutAfter);
            case CLOSE_NOTIFY -> parts.add("closeNotifyAfterBytes=" + cutAfter);
            case RESET -> parts.add("resetAfterBytes=" + cutAfter);
            case STALL -> parts.add("stallAfterBytes=" + cutAfter);
            default -> { }
        }
        switch (replacement) {
            case ERROR -> parts.add("status=" + status + (retryAfter == null ? "" : ", retryAfter=" + retryAfter));
            case CONTENT_TYPE -> parts.add("wrongContentType=" + contentType);
            case REDIRECT -> parts.add("redirect=" + status + " " + (location == null ? "<self>" : location));
            case RAW -> parts.add("raw=" + raw.length + " bytes " + preview(raw) + ", then " + after);
            default -> { }
        }
        return parts.toString();
    }

    /** The first bytes, quoted, with everything but printable ASCII escaped: what a failing test needs to see. */
    private static String preview(byte[] bytes) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(bytes.length, 40);
        for (int i = 0; i < n; i++) {
            int c = bytes[i] & 0xFF;
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '"', '\\' -> b.append('\\').append((char) c);
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        b.append((char) c);
                    } else {
                        b.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return b.append(bytes.length > n ? "\"…" : "\"").toString();
    }

    static Fault none() {
        return NONE;
    }
}
