package dev.laml.recordings;

/**
 * The server accepted the request but sent no response headers within the configured response
 * timeout.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class ResponseTimeoutException extends TransferException {

    private static final long serialVersionUID = 1L;

    public ResponseTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
