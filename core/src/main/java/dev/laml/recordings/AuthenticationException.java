package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The API answered 401 Unauthorized: the project id or API token is wrong, or lacks the Voice scope.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class AuthenticationException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** See {@link ApiException#ApiException(String, int, Integer, String, String)}. */
    public AuthenticationException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo) {
        super(message, httpStatus, code, serverMessage, moreInfo);
    }
}
