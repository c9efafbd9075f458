package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The server answered with something this client cannot use: a success status whose body is
 * not audio (an HTML login page, a JSON error) where audio was asked for, metadata that is not
 * valid JSON, a body larger than the configured cap, or a status this client does not follow
 * (such as an unfollowed redirect).
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class UnexpectedResponseException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** See {@link ApiException#ApiException(String, int, Integer, String, String)}. */
    public UnexpectedResponseException(String message, int httpStatus, @Nullable Integer code,
            @Nullable String serverMessage, @Nullable String moreInfo) {
        super(message, httpStatus, code, serverMessage, moreInfo);
    }
}
