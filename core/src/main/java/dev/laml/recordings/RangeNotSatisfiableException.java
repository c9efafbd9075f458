package dev.laml.recordings;

/**
 * The asked {@link ByteRange} lies wholly beyond the end of the recording: the server answered
 * 416 Range Not Satisfiable, or ignored the range and sent a body shorter than its start. Never
 * retried (the same range asks the same question).
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class RangeNotSatisfiableException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final long totalLength;

    /**
     * @param totalLength the recording's length as the server gave it ({@code Content-Range: bytes *&#47;N}),
     *                    or -1 when it did not
     * @see ApiException#ApiException(String, int, Integer, String, String)
     */
    public RangeNotSatisfiableException(String message, int httpStatus, Integer code, String serverMessage,
            String moreInfo, long totalLength) {
        super(message, httpStatus, code, serverMessage, moreInfo);
        this.totalLength = totalLength < 0 ? -1 : totalLength;
    }

    /** The recording's length in bytes, or -1 when the server did not say. */
    public long totalLength() {
        return totalLength;
    }
}
