package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.ConnectFailedException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.PoolExhaustedException;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.ResponseTimeoutException;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.channel.ChannelException;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;

/**
 * Classifies what the transport throws, so that callers see only the library's own types: an
 * {@link ApiException} when the server answered, a {@link TransferException} (an
 * {@link IOException}) when bytes stopped moving, and among those a {@link TlsException} for a
 * failed handshake, a {@link ProxyException} for a proxy that did not open the tunnel and a
 * {@link dev.laml.recordings.MalformedResponseException} for a response that is not valid HTTP
 * (all three never retried).
 *
 * <p>Only a failed <em>handshake</em> is a {@code TlsException}: a TLS connection that breaks
 * after it (a record cut short, a close without {@code close_notify}) is an ordinary broken
 * transfer, resumed like a TCP reset.
 *
 * <p>Every message says in words what happened and with which {@code host:port} ("connection refused by
 * 127.0.0.1:18444", "127.0.0.1:8080 closed the connection before responding"), never a Java class name, which
 * means nothing to the person reading it; the transport's exception stays reachable as the cause. A server that
 * speaks the other scheme is said to: {@code NotSslRecordException} (plain bytes to a TLS client) is a
 * {@link TlsException}, TLS bytes to a plain client (see {@link SchemeMismatch}) a
 * {@link dev.laml.recordings.MalformedResponseException}; neither is retried.
 *
 * <p>Immutable and thread-safe.
 */
public final class Transport {

    private final RecordingsProtocol protocol;
    private final Duration responseTimeout;
    /** Null when no proxy is configured. */
    private final ProxySettings proxy;

    public Transport(RecordingsProtocol protocol, Duration responseTimeout, ProxySettings proxy) {
        this.protocol = protocol;
        this.responseTimeout = responseTimeout;
        this.proxy = proxy;
    }

    /** True for failures of the connection itself, which the caller should see as a {@link TransferException}. */
    public static boolean isTransportFailure(Throwable t) {
        return !(t instanceof TransferException)
                && (t instanceof IOException || t instanceof ChannelException
                || t instanceof io.netty.handler.timeout.TimeoutException
                || t instanceof java.util.concurrent.TimeoutException);
    }

    /** Reactor Netty's pool signals (shaded, internal types, so matched by name). */
    static boolean isPoolExhaustion(Throwable t) {
        String name = t.getClass().getSimpleName();
        return name.equals("PoolAcquirePendingLimitException") || name.equals("PoolAcquireTimeoutException");
    }

    /** Maps a transport failure of {@code request} to the library's type; anything else passes unchanged. */
    public Throwable translate(ApiRequest request, Throwable t) {
        if (t instanceof TransferException || t instanceof ApiException) {
            return t;
        }
        URI uri = request.uri();
        if (find(t, SchemeMismatch.SpeaksTls.class) != null) {
            return speaksTls(request, t);
        }
        MalformedResponses.Malformed malformed = find(t, MalformedResponses.Malformed.class);
        if (malformed != null) {
            Throwable parser = malformed.getCause();
            return protocol.malformedResponse(request, malformed.part() + ": " + describe(parser), parser);
        }
        if (isPoolExhaustion(t)) {
            return new PoolExhaustedException(request.describe() + ": no connection available ("
                    + (t.getClass().getSimpleName().contains("Timeout")
                    ? "waited longer than the pending-acquire timeout"
                    : "all connections busy and the pending-acquire queue is full")
                    + "); raise maxConnections or pendingAcquireMaxCount, or lower the concurrency", t);
        }
        if (t instanceof ReadTimeoutException) {
            return new ResponseTimeoutException(request.describe() + ": no response headers within " + responseTimeout, t);
        }
        if (proxy != null && proxy.appliesTo(uri.getHost())) {
            // Netty may report a refused tunnel inside an SSLException (the TLS handler sees the
            // channel close first), so the proxy's failure is looked for before the handshake's.
            ProxyConnectException refused = find(t, ProxyConnectException.class);
            if (refused != null) {
                return new ProxyException(request.describe() + ": proxy " + proxy.hostPort() + " " + proxyReason(refused)
                        + " (target " + hostPort(uri) + ")", t);
            }
            ConnectException unreachable = find(t, ConnectException.class);
            if (unreachable != null) {
                return new ProxyException(request.describe() + ": cannot connect to proxy " + proxy.hostPort()
                        + " (" + withoutSyscall(String.valueOf(unreachable.getMessage())) + ")", t);
            }
        }
        // Netty's TLS handler met bytes that are not a TLS record before the handshake: the server answered the
        // ClientHello in plain text, as a plain-HTTP server does (its 400 to a request it cannot parse).
        if (find(t, NotSslRecordException.class) != null) {
            return new TlsException(request.describe() + ": the server at " + hostPort(uri)
                    + " does not speak TLS (it answered in plain text, as a plain-HTTP server does): use http://", t);
        }
        SSLHandshakeException handshake = find(t, SSLHandshakeException.class);
        if (handshake != null) {
            return new TlsException(request.describe() + ": TLS handshake with " + hostPort(uri) + " failed: "
                    + tlsReason(handshake), t);
        }
        // After the handshake a TLS error (a bad record, a decryption failure) is the connection
        // breaking: retryable, and resumed for a body. Netty hands it over inside a DecoderException,
        // which is no IOException, so it is looked for in the chain.
        if (isTransportFailure(t) && neverConnected(t)) {
            // Typed apart because nothing was sent: the one transfer failure a write may repeat.
            return new ConnectFailedException(request.describe() + ": " + reason(uri, t), t);
        }
        if (isTransportFailure(t) || find(t, SSLException.class) != null) {
            return new TransferException(request.describe() + ": " + reason(uri, t), t);
        }
        return t;
    }

    /**
     * Whether {@code t} says the connection never opened, so no byte of the request left: refused, no route,
     * timed out connecting (Netty's {@link ConnectTimeoutException} is a {@link ConnectException}), or no
     * address for the host. A failure on an open connection (reset, closed, a timeout waiting for the answer)
     * is never one of these.
     */
    static boolean neverConnected(Throwable t) {
        return find(t, ConnectException.class) != null || find(t, UnknownHostException.class) != null;
    }

    /** True when requests to {@code uri} go through the configured proxy. */
    boolean proxied(URI uri) {
        return proxy != null && proxy.appliesTo(uri.getHost());
    }

    /**
     * The failure of a plain-http request to a server that speaks TLS (see {@link SchemeMismatch}): not a response
     * this client can read, so a {@link dev.laml.recordings.MalformedResponseException}, never retried.
     *
     * @param cause what the transport reported (the TLS bytes seen, or the close the probe explained)
     */
    public Throwable speaksTls(ApiRequest request, Throwable cause) {
        return new MalformedResponseException(request.describe() + ": the server at " + hostPort(request.uri())
                + " speaks TLS, not plain HTTP: use https://", cause);
    }

    /**
     * What broke, in words, for a connection to {@code uri}: the host:port and the reason, never a class name.
     * Package-private for the body's failures ({@link Bodies}) and tests.
     */
    static String reason(URI uri, Throwable t) {
        String where = hostPort(uri);
        if (find(t, UnknownHostException.class) != null) {
            return "unknown host " + uri.getHost() + " (no address found for " + where + ")";
        }
        ConnectTimeoutException connectTimeout = find(t, ConnectTimeoutException.class);
        if (connectTimeout != null) {
            String timeout = after(connectTimeout.getMessage());
            return "timed out connecting to " + where + (timeout.isEmpty() ? "" : " (" + timeout + ")");
        }
        ConnectException connect = find(t, ConnectException.class);
        String lower = messages(t).toLowerCase(Locale.ROOT);
        if (connect != null) {
            if (lower.contains("refused")) {
                return "connection refused by " + where;
            }
            if (lower.contains("timed out")) {
                return "timed out connecting to " + where;
            }
            if (lower.contains("no route")) {
                return "no route to " + where;
            }
            if (lower.contains("unreachable")) {
                return "network unreachable for " + where;
            }
            return "cannot connect to " + where + words(connect);
        }
        PrematureCloseException early = find(t, PrematureCloseException.class);
        if (early != null) {
            String m = String.valueOf(early.getMessage());
            return where + (m.contains("while sending") ? " closed the connection while the request was sent"
                    : m.contains("BEFORE response") ? " closed the connection before responding"
                    : m.contains("DURING response") ? " closed the connection during the response"
                    : " closed the connection");
        }
        if (lower.contains("connection reset")) {
            return "connection reset by " + where;
        }
        if (lower.contains("broken pipe")) {
            return "connection closed by " + where + " while the request was sent (broken pipe)";
        }
        if (find(t, ClosedChannelException.class) != null) {
            return "the connection to " + where + " was closed";
        }
        if (find(t, SSLException.class) != null) {
            return "the TLS connection to " + where + " broke" + words(find(t, SSLException.class));
        }
        if (t instanceof java.util.concurrent.TimeoutException && t.getMessage() != null
                && t.getMessage().startsWith("no data")) {
            return where + " sent " + clean(t.getMessage()); // IdleTimeout's words
        }
        if (t instanceof io.netty.handler.timeout.TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
            return "timed out talking to " + where;
        }
        return "the connection to " + where + " failed" + words(t);
    }

    /** A message's own words in parentheses, or nothing: never the class's name. */
    private static String words(Throwable t) {
        String m = t == null ? null : t.getMessage();
        return m == null || m.isBlank() ? "" : " (" + withoutSyscall(m) + ")";
    }

    /**
     * {@code "Connection refused: /10.0.0.1:3128"} from Netty's native {@code "finishConnect(..) failed with
     * error(-111): Connection refused: /10.0.0.1:3128"}: the system call's name means nothing to a reader.
     */
    static String withoutSyscall(String message) {
        return clean(message.replaceFirst("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ", ""));
    }

    /** {@code "after 10000 ms"} from Netty's {@code "connection timed out after 10000 ms: /10.0.0.1:443"}. */
    private static String after(String message) {
        if (message == null) {
            return "";
        }
        int at = message.indexOf("after ");
        if (at < 0) {
            return "";
        }
        int end = message.indexOf(':', at);
        return clean(message.substring(at, end < 0 ? message.length() : end)).trim();
    }

    /**
     * The parser's complaint in its own words, with Netty's wrapper and the class names left out:
     * {@code For input string: "2OO"}; "unreadable" when it said nothing.
     */
    private static String describe(Throwable parser) {
        Throwable shown = parser instanceof io.netty.handler.codec.DecoderException && parser.getCause() != null
                ? parser.getCause() : parser;
        return shown == null || shown.getMessage() == null || shown.getMessage().isBlank() ? "unreadable"
                : clean(shown.getMessage());
    }

    private String proxyReason(ProxyConnectException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof HttpProxyHandler.HttpProxyConnectException) {
            int at = message.indexOf("status: ");
            String status = at < 0 ? clean(message) : clean(message.substring(at + "status: ".length()));
            if (status.startsWith("407")) {
                return proxy.hasCredentials()
                        ? "rejected the proxy credentials (" + status + ")"
                        : "requires credentials (" + status + "); give them as http://user:password@host:port";
            }
            return "refused the tunnel (" + status + ")";
        }
        if (message.toLowerCase(Locale.ROOT).contains("timeout")) {
            return "did not open the tunnel in time (" + clean(message) + ")";
        }
        return "refused the tunnel (" + clean(message) + ")";
    }

    /**
     * The handshake's failure in plain words: the certificate's, as {@link DiagnosingTrustManager}
     * worded it, or the alert's or timeout's.
     */
    private static String tlsReason(SSLHandshakeException e) {
        DiagnosingTrustManager.Rejected rejected = find(e, DiagnosingTrustManager.Rejected.class);
        if (rejected != null) {
            return rejected.getMessage();
        }
        if (e instanceof SslHandshakeTimeoutException) {
            return "the handshake did not complete in time (" + clean(e.getMessage()) + ")";
        }
        String all = messages(e);
        if (all.isEmpty()) {
            return "the handshake failed without a reason given";
        }
        String lower = all.toLowerCase(Locale.ROOT);
        if (lower.contains("protocol_version") || lower.contains("unsupported_protocol")
                || lower.contains("no appropriate protocol") || lower.contains("wrong_version_number")) {
            return "the server and this client have no TLS protocol version in common (" + clean(all) + ")";
        }
        if (lower.contains("handshake_failure") || lower.contains("no_shared_cipher")
                || lower.contains("no cipher suites in common") || lower.contains("insufficient_security")) {
            return "the server and this client have no cipher suite in common (" + clean(all) + ")";
        }
        return clean(all);
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && b.indexOf(c.getMessage()) < 0) {
                b.append(b.length() == 0 ? "" : ": ").append(c.getMessage());
            }
        }
        return b.toString();
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        int depth = 0;
        for (Throwable c = t; c != null && depth++ < 32; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    static String hostPort(URI uri) {
        return uri.getHost() + ":" + port(uri);
    }

    private static String clean(String s) {
        return DiagnosingTrustManager.clean(s);
    }
}
