package dev.laml.recordings;

/**
 * The TLS handshake with the server failed: its certificate is not trusted, names another host,
 * has expired or is not yet valid, the two sides share no protocol version or cipher suite, or
 * the handshake did not complete within the client's handshake timeout; or the server does not speak TLS at
 * all: it answered the handshake in plain text, as a plain-HTTP server does when asked with {@code https://}
 * ({@code "the server at 127.0.0.1:8080 does not speak TLS (…): use http://"}).
 *
 * <p>The message says in plain words what failed and for which {@code host:port}, for example
 * {@code "certificate for other.example does not match 127.0.0.1"} or
 * {@code "issuer CN=Corp Root CA is not trusted"}; the TLS engine's own exception is the cause.
 *
 * <p>Never retried: the same server presents the same certificate to the next attempt too, and
 * repeating a rejected handshake only delays the answer. A failure after the handshake (a
 * connection cut mid-body, with or without TLS's {@code close_notify}) is not a
 * {@code TlsException} but an ordinary {@link TransferException}, resumed like a TCP reset.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class TlsException extends TransferException {

    private static final long serialVersionUID = 1L;

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
