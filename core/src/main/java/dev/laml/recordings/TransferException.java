package dev.laml.recordings;

import java.io.IOException;
import java.time.Duration;

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

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return m + RetryPolicy.attemptsSuffix(attempts, elapsed);
    }
}
