package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The response is not valid HTTP: a status line that is not one ({@code HTTP/1.1 2OO OK}, or
 * bytes that are not HTTP at all), a {@code Content-Length} that is negative, not a number, too
 * large or given twice with different values, a header line longer than the client accepts or
 * holding control characters, a chunk size that is not hexadecimal; or a server that speaks TLS, asked with
 * {@code http://} ({@code "the server at 127.0.0.1:8443 speaks TLS, not plain HTTP: use https://"}), whether it
 * answered with TLS bytes or closed the connection without a word and then answered a TLS handshake. The transport's own
 * exception (Netty's, or the JDK's parsing exception inside it) is the cause; the message names
 * the request and what was wrong, never a credential.
 *
 * <p>A {@link TransferException} because no answer could be read: the request may have been
 * fine, but nothing the server said can be interpreted, not even its status. It is nevertheless
 * <em>never retried</em> (see {@link RetryPolicy#isRetryable(Throwable)}): the bytes a client
 * decodes are the bytes the server sent (TCP checksums, and over HTTPS TLS's integrity, rule out
 * corruption on the way), so a server that sent them once sends them again, and retrying would
 * only multiply the load on a broken server and delay the answer. The connection that carried
 * the response is closed, never reused, so that no later request can read what is left of it.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class MalformedResponseException extends TransferException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the full, already redacted message
     * @param cause   what the transport reported; may be null
     */
    public MalformedResponseException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
