package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * The API answered, and the answer was an error (or not what the request can use).
 *
 * <p>Carries the HTTP status and, when the body said so, the API's error code and documentation
 * link. The message names the status, the code, the server's message and the request's method
 * and path; it never contains credentials, query strings or response bodies beyond the
 * server's short message.
 *
 * <p>Subtypes narrow the common cases: {@link BadRequestException} (400),
 * {@link AuthenticationException} (401), {@link NotFoundException} (404),
 * {@link RateLimitedException} (429), {@link ServerException} (5xx) and
 * {@link UnexpectedResponseException} (a response this client cannot interpret, such as a 200
 * whose body is an HTML page).
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final Integer code;
    private final String moreInfo;
    private final String serverMessage;
    private volatile int attempts = 1;
    private volatile Duration elapsed;

    /**
     * @param message       the full, already redacted message
     * @param httpStatus    the HTTP status code
     * @param code          the API's error code, or null when the body carried none
     * @param serverMessage the server's own message, or null
     * @param moreInfo      the documentation link the body named, or null
     */
    public ApiException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
        this.serverMessage = serverMessage;
        this.moreInfo = moreInfo;
    }

    /** The HTTP status code of the response. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The API's error code (for example 20404), or null when the body carried none. */
    public @Nullable Integer code() {
        return code;
    }

    /** The server's own message, or null when the body carried none. */
    public @Nullable String serverMessage() {
        return serverMessage;
    }

    /** The documentation link the error body named, or null. */
    public @Nullable String moreInfo() {
        return moreInfo;
    }

    /**
     * How many requests were made before giving up: 1 unless the client retried (this is then
     * the last attempt's error).
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Records how many attempts ended in this error; called once by the client when its retries
     * are exhausted. Like {@link Throwable#addSuppressed}, a mutator on an otherwise settled
     * exception, so that the error keeps its type rather than being wrapped.
     */
    public void recordAttempts(int attempts) {
        recordAttempts(attempts, null);
    }

    /**
     * Records how many attempts ended in this error and the time from the first attempt's start
     * to this failure; the message then ends "(after 9 attempts over 31.2 s)".
     *
     * @param elapsed null when not measured
     */
    public void recordAttempts(int attempts, @Nullable Duration elapsed) {
        this.elapsed = elapsed;
        this.attempts = Math.max(1, attempts);
    }

    /** The time from the first attempt's start to this failure, or null when unknown or there was one attempt. */
    public @Nullable Duration elapsed() {
        return attempts > 1 ? elapsed : null;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return m + RetryPolicy.attemptsSuffix(attempts, elapsed);
    }
}
