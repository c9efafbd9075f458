package dev.laml.recordings.spring.internal;

/**
 * The {@code laml.recordings.*} properties cannot make a client: one is missing, malformed or out
 * of range, or two contradict each other. Carries what {@link RecordingsFailureAnalyzer} prints:
 * the property to fix and what to do. Messages never hold the API token or a proxy password (the
 * client's own messages never do either).
 *
 * <p>Immutable and thread-safe, as exceptions go.
 */
public final class InvalidRecordingsPropertiesException extends IllegalStateException {

    private final String property;
    private final String action;

    /**
     * @param property the property to fix, e.g. {@code laml.recordings.max-connections}; not null
     * @param message  what is wrong, naming the property; not null
     * @param action   what to do about it; not null
     * @param cause    the client's own complaint, or null
     */
    public InvalidRecordingsPropertiesException(String property, String message, String action, Throwable cause) {
        super(message, cause);
        this.property = property;
        this.action = action;
    }

    /** The property to fix; never null. */
    public String property() {
        return property;
    }

    /** What to do about it; never null. */
    public String action() {
        return action;
    }
}
