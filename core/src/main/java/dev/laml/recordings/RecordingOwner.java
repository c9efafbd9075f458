package dev.laml.recordings;

import dev.laml.recordings.internal.Validation;

/**
 * What a live recording belongs to: a call ({@code Calls/{CallSid}/Recordings}) or a conference
 * ({@code Conferences/{ConferenceSid}/Recordings}). The API addresses a recording that is being
 * made through its owner, so pausing, resuming or stopping one names both.
 *
 * <pre>{@code
 * RecordingOwner.call(callSid)              // .../Calls/{callSid}/Recordings/{Sid}.json
 * RecordingOwner.conference(conferenceSid)  // .../Conferences/{conferenceSid}/Recordings/{Sid}.json
 * }</pre>
 *
 * <p>An immutable value (equal when kind and id are); thread-safe. No method returns null, and
 * the factories refuse a null or malformed id.
 */
public final class RecordingOwner {

    /** The two kinds of owner, each with the path segment the API uses for it. */
    public enum Kind {
        /** A call: {@code Calls/{CallSid}}. */
        CALL("Calls"),
        /** A conference: {@code Conferences/{ConferenceSid}}. */
        CONFERENCE("Conferences");

        private final String pathSegment;

        Kind(String pathSegment) {
            this.pathSegment = pathSegment;
        }

        /** The collection's name in the API's paths: {@code Calls} or {@code Conferences}. */
        public String pathSegment() {
            return pathSegment;
        }
    }

    private final Kind kind;
    private final String sid;

    private RecordingOwner(Kind kind, String sid) {
        this.kind = kind;
        this.sid = sid;
    }

    /**
     * The call {@code callSid}.
     *
     * @throws IllegalArgumentException if {@code callSid} is not a UUID
     */
    public static RecordingOwner call(String callSid) {
        return new RecordingOwner(Kind.CALL, Validation.uuid("callSid", callSid));
    }

    /**
     * The conference {@code conferenceSid}.
     *
     * @throws IllegalArgumentException if {@code conferenceSid} is not a UUID
     */
    public static RecordingOwner conference(String conferenceSid) {
        return new RecordingOwner(Kind.CONFERENCE, Validation.uuid("conferenceSid", conferenceSid));
    }

    /** A call or a conference. */
    public Kind kind() {
        return kind;
    }

    /** The call's or the conference's id, a UUID as given. */
    public String sid() {
        return sid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordingOwner other && other.kind == kind && other.sid.equalsIgnoreCase(sid);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + sid.toLowerCase(java.util.Locale.ROOT).hashCode();
    }

    /** {@code call 43bb71ee-…} or {@code conference 43bb71ee-…}. */
    @Override
    public String toString() {
        return (kind == Kind.CALL ? "call " : "conference ") + sid;
    }
}
