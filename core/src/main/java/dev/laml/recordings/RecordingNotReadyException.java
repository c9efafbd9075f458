package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * A recording did not become available in the time a caller was willing to wait: it is still
 * being recorded or processed, was {@code absent} (the call produced no audio), or failed. The
 * status seen last is in {@link #lastStatus()}; for an absent or failed recording
 * {@link #code()} is the recording's {@code error_code} when the API gave one.
 *
 * <p>Immutable once thrown; safe to share between threads.
 */
public class RecordingNotReadyException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final RecordingStatus lastStatus;

    /**
     * @param lastStatus the status seen last; null when the recording was never found
     * @param errorCode  the recording's error code, or null
     */
    public RecordingNotReadyException(String message, @Nullable RecordingStatus lastStatus, @Nullable Integer errorCode) {
        super(message, 200, errorCode, null, null);
        this.lastStatus = lastStatus;
    }

    /** The status seen last; null when the recording was never found while waiting. */
    public @Nullable RecordingStatus lastStatus() {
        return lastStatus;
    }

    /** True when the recording will never complete ({@code absent} or {@code failed}). */
    public boolean isFinal() {
        return lastStatus == RecordingStatus.ABSENT || lastStatus == RecordingStatus.FAILED;
    }
}
