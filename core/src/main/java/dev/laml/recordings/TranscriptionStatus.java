package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * A transcription's state as the API reports it: {@code completed} for what the REST API returns,
 * {@code completed} or {@code failed} in the transcription callback, {@code in-progress} while it is
 * being made (as Twilio, which the API mirrors, reports it).
 *
 * <p>Values the specification does not list decode to {@link #UNKNOWN} rather than failing; the
 * string that was sent stays available as {@link Transcription#rawStatus()}.
 *
 * <p>Immutable and thread-safe.
 */
public enum TranscriptionStatus {
    /** Being transcribed; no text yet. */
    IN_PROGRESS("in-progress"),
    /** Transcribed: the text is final. */
    COMPLETED("completed"),
    /** The transcription failed; there is no text. */
    FAILED("failed"),
    /** Any value outside the specification; see {@link Transcription#rawStatus()}. */
    UNKNOWN(null);

    private final @Nullable String wireValue;

    TranscriptionStatus(@Nullable String wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * The value as the API spells it.
     *
     * @return the wire value; null for {@link #UNKNOWN}
     */
    public @Nullable String wireValue() {
        return wireValue;
    }

    /**
     * Maps an API value to a constant, ignoring case and surrounding blanks.
     *
     * @param value the value as sent; may be null
     * @return the constant; {@link #UNKNOWN} for null, blank and unlisted values; never null
     */
    public static TranscriptionStatus fromWire(@Nullable String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            for (TranscriptionStatus s : values()) {
                if (v.equals(s.wireValue)) {
                    return s;
                }
            }
        }
        return UNKNOWN;
    }
}
