package dev.laml.recordings;

import java.io.IOException;

/**
 * A transfer broke: the connection was refused, reset or closed early, or a timeout fired.
 * It arrives as the error signal of a {@code Mono} or {@code Flux}, never thrown at call time.
 *
 * <p>An {@link IOException} because it is one: the request itself was fine and may succeed if
 * repeated. The message names the request's method and path and never contains credentials.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class TransferException extends IOException {

    private static final long serialVersionUID = 1L;

    public TransferException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransferException(String message) {
        super(message);
    }
}
