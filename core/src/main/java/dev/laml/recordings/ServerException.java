package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The API answered a 5xx status: the server failed; the same request may succeed later.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class ServerException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** See {@link ApiException#ApiException(String, int, Integer, String, String)}. */
    public ServerException(String message, int httpStatus, @Nullable Integer code, @Nullable String serverMessage,
            @Nullable String moreInfo) {
        super(message, httpStatus, code, serverMessage, moreInfo);
    }
}
