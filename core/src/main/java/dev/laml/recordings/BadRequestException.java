package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The API answered 400 Bad Request: the request was malformed or a parameter was invalid.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class BadRequestException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** See {@link ApiException#ApiException(String, int, Integer, String, String)}. */
    public BadRequestException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo) {
        super(message, httpStatus, code, serverMessage, moreInfo);
    }
}
