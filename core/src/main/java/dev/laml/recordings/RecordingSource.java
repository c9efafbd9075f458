package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * What started a recording, as the API reports it.
 *
 * <p>Servers send values the specification does not list (for example {@code OutboundAPI} or
 * {@code StartConferenceRecordingAPI}); those decode to {@link #UNKNOWN} rather than failing,
 * and the string that was sent stays available as {@link Recording#rawSource()}.
 *
 * <p>Immutable and thread-safe.
 */
public enum RecordingSource {
    DIAL_VERB("DialVerb"),
    CONFERENCE("Conference"),
    RECORD_VERB("RecordVerb"),
    TRUNKING("Trunking"),
    START_CALL_RECORDING_API("StartCallRecordingAPI"),
    /** Any value outside the specification; see {@link Recording#rawSource()}. */
    UNKNOWN(null);

    private final String wireValue;

    RecordingSource(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The value as the API spells it; null for {@link #UNKNOWN}. */
    public @Nullable String wireValue() {
        return wireValue;
    }

    /**
     * Maps an API value to a constant, ignoring case; null, blank and unlisted values give
     * {@link #UNKNOWN}. Never returns null.
     */
    public static RecordingSource fromWire(@Nullable String value) {
        if (value != null) {
            String v = value.trim();
            for (RecordingSource s : values()) {
                if (s.wireValue != null && s.wireValue.equalsIgnoreCase(v)) {
                    return s;
                }
            }
        }
        return UNKNOWN;
    }
}
