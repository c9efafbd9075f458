package dev.laml.recordings;

import java.io.IOException;
import java.time.Duration;

/**
 * A transfer broke: the connection was refused, reset or closed early, or a timeout fired.
 * It arrives as the error signal of a {@code Mono} or {@code Flux}, never thrown at call time.
 *
 * <p>An {@link IOException} because it is one: the request itself was fine and may succeed if
 * repeated. The message names the request's method and path, then the server's {@code host:port}
 * and what went wrong in plain words, never a Java class name, for example
 * {@code "GET /api/laml/…/Recordings/….mp3: connection refused by 127.0.0.1:18444"}, {@code "…: unknown
 * host example.invalid (no address found for example.invalid:443)"}, {@code "…: timed out connecting to
 * 10.0.0.7:443 (after 10000 ms)"}, {@code "…: connection reset by 127.0.0.1:8080"},
 * {@code "…: 127.0.0.1:8080 closed the connection before responding"}; it never contains credentials. The
 * transport's own exception is the {@linkplain #getCause() cause}.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class TransferException extends IOException {

    private static final long serialVersionUID = 1L;

    private volatile int attempts = 1;
    private volatile Duration elapsed;

    public TransferException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransferException(String message) {
        super(message);
    }

    /** How many requests were made before giving up: 1 unless the client retried or resumed. */
    public int attempts() {
        return attempts;
    }

    /** Records how many attempts ended in this error; see {@link ApiException#recordAttempts(int)}. */
    public void recordAttempts(int attempts) {
        recordAttempts(attempts, null);
    }

    /**
     * Records how many attempts ended in this error and the time from the first attempt's start
     * to this failure; the message then ends "(after 9 attempts over 31.2 s)".
     *
     * @param elapsed null when not measured
     */
    public void recordAttempts(int attempts, Duration elapsed) {
        this.elapsed = elapsed;
        this.attempts = Math.max(1, attempts);
    }

    /** The time from the first attempt's start to this failure, or null when unknown or there was one attempt. */
    public Duration elapsed() {
        return attempts > 1 ? elapsed : null;
    }

    /**
     * Whether the request may have reached the server before the transfer broke: true unless the
     * failure proves that nothing was sent ({@link ConnectFailedException}). For a read this only
     * informs; for a write (a {@code POST} that starts or changes a recording) it decides: a write
     * that may have arrived is never repeated, since the server may have acted on it, so the
     * recording's state is unknown until read again. Conservative: true whenever in doubt.
     */
    public boolean requestMayHaveReachedServer() {
        return true;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return m + RetryPolicy.attemptsSuffix(attempts, elapsed);
    }
}
