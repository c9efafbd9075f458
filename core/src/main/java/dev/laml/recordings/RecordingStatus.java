package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.util.Locale;

/**
 * A recording's lifecycle state as the API reports it.
 *
 * <p>Servers send values the specification does not list (for example {@code processing} or
 * {@code deleted}); those decode to {@link #UNKNOWN} rather than failing, and the string that
 * was sent stays available as {@link Recording#rawStatus()}.
 *
 * <p>Immutable and thread-safe.
 */
public enum RecordingStatus {
    IN_PROGRESS("in-progress"),
    PAUSED("paused"),
    STOPPED("stopped"),
    COMPLETED("completed"),
    ABSENT("absent"),
    FAILED("failed"),
    /** Any value outside the specification; see {@link Recording#rawStatus()}. */
    UNKNOWN(null);

    private final String wireValue;

    RecordingStatus(String wireValue) {
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
    public static RecordingStatus fromWire(@Nullable String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            for (RecordingStatus s : values()) {
                if (v.equals(s.wireValue)) {
                    return s;
                }
            }
        }
        return UNKNOWN;
    }
}
