package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The API answered 404 Not Found: no such account or recording (or it was deleted).
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class NotFoundException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** See {@link ApiException#ApiException(String, int, Integer, String, String)}. */
    public NotFoundException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo) {
        super(message, httpStatus, code, serverMessage, moreInfo);
    }
}
