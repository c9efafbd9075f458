package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * The API answered 429 Too Many Requests (code 20429): slow down.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class RateLimitedException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    /**
     * @param retryAfter how long the server asked to wait, or null when it did not say
     * @see ApiException#ApiException(String, int, Integer, String, String)
     */
    public RateLimitedException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo, @Nullable Duration retryAfter) {
        super(message, httpStatus, code, serverMessage, moreInfo);
        this.retryAfter = retryAfter;
    }

    /**
     * How long the server asked to wait before the next request, from its {@code Retry-After}
     * header (seconds or an HTTP date); null when the header was absent or unreadable. Never
     * negative.
     */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
