package dev.laml.recordings;

import dev.laml.recordings.internal.Validation;
import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * What to send to pause, resume or stop a live recording:
 * {@code POST …/Calls/{CallSid}/Recordings/{Sid}.json} or
 * {@code POST …/Conferences/{ConferenceSid}/Recordings/{Sid}.json} with the form fields
 * {@code Status} ({@code paused}, {@code in-progress} or {@code stopped}) and, for a pause,
 * {@code PauseBehavior} ({@code skip} or {@code silence}).
 *
 * <pre>{@code
 * UpdateRecording.pause(accountSid, RecordingOwner.call(callSid), recordingSid)
 *         .pauseBehavior(UpdateRecording.PauseBehavior.SKIP)   // leave the paused time out
 * UpdateRecording.resume(accountSid, RecordingOwner.call(callSid), recordingSid)
 * UpdateRecording.stop(accountSid, RecordingOwner.conference(conferenceSid), recordingSid)
 * }</pre>
 *
 * <p>An immutable value: {@link #pauseBehavior(PauseBehavior)} returns a modified copy.
 * Thread-safe. Ids are checked to be UUIDs when the value is made; getters return null only
 * where they say so.
 */
public final class UpdateRecording {

    /** The change asked for, each with the {@code Status} it sends. */
    public enum Action {
        /** {@code Status=paused}: stop recording for now; see {@link PauseBehavior}. */
        PAUSE("paused"),
        /** {@code Status=in-progress}: record again after a pause. */
        RESUME("in-progress"),
        /** {@code Status=stopped}: end the recording; it then completes and becomes available. */
        STOP("stopped");

        private final String status;

        Action(String status) {
            this.status = status;
        }

        /** The {@code Status} form value: {@code paused}, {@code in-progress} or {@code stopped}. */
        public String wireValue() {
            return status;
        }
    }

    /** {@code PauseBehavior}: what the recording holds for the time it was paused. */
    public enum PauseBehavior {
        /** {@code skip}: nothing; the paused time is left out of the recording. */
        SKIP("skip"),
        /** {@code silence}: silence as long as the pause (the API's default). */
        SILENCE("silence");

        private final String wireValue;

        PauseBehavior(String wireValue) {
            this.wireValue = wireValue;
        }

        /** The form value: {@code skip} or {@code silence}. */
        public String wireValue() {
            return wireValue;
        }
    }

    private final String accountSid;
    private final RecordingOwner owner;
    private final String recordingSid;
    private final Action action;
    private final @Nullable PauseBehavior pauseBehavior;

    private UpdateRecording(String accountSid, RecordingOwner owner, String recordingSid, Action action,
            @Nullable PauseBehavior pauseBehavior) {
        this.accountSid = accountSid;
        this.owner = owner;
        this.recordingSid = recordingSid;
        this.action = action;
        this.pauseBehavior = pauseBehavior;
    }

    /**
     * {@code action} applied to the recording {@code recordingSid} of {@code owner}.
     *
     * @throws IllegalArgumentException if an id is not a UUID, or the owner or action is null
     */
    public static UpdateRecording of(String accountSid, RecordingOwner owner, String recordingSid, Action action) {
        Validation.uuid("accountSid", accountSid);
        if (owner == null) {
            throw new IllegalArgumentException("owner must not be null (RecordingOwner.call or RecordingOwner.conference)");
        }
        Validation.uuid("recordingSid", recordingSid);
        if (action == null) {
            throw new IllegalArgumentException("action must not be null (PAUSE, RESUME or STOP)");
        }
        return new UpdateRecording(accountSid, owner, recordingSid, action, null);
    }

    /** {@link Action#PAUSE}, with the API's default behaviour ({@code silence}) unless {@link #pauseBehavior} says otherwise. */
    public static UpdateRecording pause(String accountSid, RecordingOwner owner, String recordingSid) {
        return of(accountSid, owner, recordingSid, Action.PAUSE);
    }

    /** {@link Action#RESUME}. */
    public static UpdateRecording resume(String accountSid, RecordingOwner owner, String recordingSid) {
        return of(accountSid, owner, recordingSid, Action.RESUME);
    }

    /** {@link Action#STOP}. */
    public static UpdateRecording stop(String accountSid, RecordingOwner owner, String recordingSid) {
        return of(accountSid, owner, recordingSid, Action.STOP);
    }

    /**
     * {@code PauseBehavior}, for a pause only.
     *
     * @throws IllegalArgumentException if {@code behavior} is null or the action is not {@link Action#PAUSE}
     */
    public UpdateRecording pauseBehavior(PauseBehavior behavior) {
        if (behavior == null) {
            throw new IllegalArgumentException("pauseBehavior must not be null (SKIP or SILENCE)");
        }
        if (action != Action.PAUSE) {
            throw new IllegalArgumentException("pauseBehavior applies to a pause only, not to "
                    + action.name().toLowerCase(java.util.Locale.ROOT));
        }
        return new UpdateRecording(accountSid, owner, recordingSid, action, behavior);
    }

    /** The account's id. */
    public String accountSid() {
        return accountSid;
    }

    /** The call or conference the recording belongs to. */
    public RecordingOwner owner() {
        return owner;
    }

    /** The recording's id. */
    public String recordingSid() {
        return recordingSid;
    }

    /** Pause, resume or stop. */
    public Action action() {
        return action;
    }

    /** The pause behaviour asked for, or null to leave it to the API (always null unless pausing). */
    public @Nullable PauseBehavior pauseBehavior() {
        return pauseBehavior;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpdateRecording u && u.accountSid.equals(accountSid) && u.owner.equals(owner)
                && u.recordingSid.equals(recordingSid) && u.action == action && u.pauseBehavior == pauseBehavior;
    }

    @Override
    public int hashCode() {
        return Objects.hash(accountSid, owner, recordingSid, action, pauseBehavior);
    }

    @Override
    public String toString() {
        return "UpdateRecording[" + action.name().toLowerCase(java.util.Locale.ROOT)
                + (pauseBehavior == null ? "" : " (" + pauseBehavior.wireValue() + ")")
                + ", account=" + accountSid + ", " + owner + ", recording=" + recordingSid + "]";
    }
}
