package dev.laml.recordings;

/**
 * The connection could not be opened: refused, no address for the host, no route, or the
 * connect timed out. No byte of the request left this machine, so even a write (starting or
 * changing a recording) is safely retried: see {@link RetryPolicy#isRetryableWrite(Throwable)}.
 *
 * <p>The message names the request, the server's {@code host:port} and the reason in words
 * ({@code "POST /api/laml/…/Recordings.json: connection refused by 127.0.0.1:18444"}); the
 * transport's exception is the {@linkplain #getCause() cause}.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class ConnectFailedException extends TransferException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the full message, without credentials
     * @param cause   the transport's exception; may be null
     */
    public ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Always false: the connection never opened, so nothing was sent. */
    @Override
    public boolean requestMayHaveReachedServer() {
        return false;
    }
}
