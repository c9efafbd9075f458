package dev.laml.recordings.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the inbox stores of one recording event: whose recording, and its status. Built from a verified status
 * callback by {@link RecordingEvents}, or from a listed recording by the reconcile sweep.
 *
 * <p>An immutable value; thread-safe.
 *
 * @param accountSid   the account, a UUID; never null
 * @param recordingSid the recording, a UUID; never null (for a {@linkplain #transcription transcription's} event, the
 *                     transcription's sid)
 * @param callSid      the call, a UUID, or null
 * @param status       the recording's status as sent ({@code completed}, {@code in-progress}, {@code absent}, ...),
 *                     lower case; never null
 * @param origin       {@code callback}, {@code reconcile} or {@code transcription}; never null
 */
public record InboxEvent(String accountSid, String recordingSid, String callSid, String status, String origin) {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern STATUS = Pattern.compile("[a-z][a-z-]{0,31}");

    /** @throws IllegalArgumentException if an id is not a UUID or the status is not a short lower-case word */
    public InboxEvent {
        Objects.requireNonNull(accountSid, "accountSid");
        Objects.requireNonNull(recordingSid, "recordingSid");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(origin, "origin");
        if (!UUID.matcher(accountSid).matches() || !UUID.matcher(recordingSid).matches()
                || (callSid != null && !UUID.matcher(callSid).matches())) {
            throw new IllegalArgumentException("account, recording and call ids must be UUIDs");
        }
        if (!STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("status must be a lower-case word");
        }
    }

    /** The {@link #origin()} of a transcription callback's event. */
    public static final String TRANSCRIPTION = "transcription";

    /**
     * The event of a signed transcription callback. The inbox is keyed by sid: this event's key, in
     * {@link #recordingSid()}, is the transcription's sid (sids are random UUIDs, so it never meets a recording's),
     * with {@link #origin()} {@link #TRANSCRIPTION}; the workers fetch the transcription by that sid and store the
     * transcript beside its recording.
     *
     * @param accountSid       the account, a UUID
     * @param transcriptionSid the transcription, a UUID
     * @param status           the transcription's status as sent, lower case ({@code completed}, {@code failed})
     * @return the event; never null
     * @throws IllegalArgumentException if an id is not a UUID or the status is not a short lower-case word
     */
    public static InboxEvent transcription(String accountSid, String transcriptionSid, String status) {
        return new InboxEvent(accountSid, transcriptionSid, null, status, TRANSCRIPTION);
    }

    /**
     * Whether this is a transcription callback's event (its key a transcription's sid).
     *
     * @return true for {@link #origin()} {@link #TRANSCRIPTION}
     */
    public boolean isTranscription() {
        return TRANSCRIPTION.equals(origin);
    }

    /** Whether the status is final for the recording (anything but {@code in-progress}, {@code paused}). */
    public boolean isFinalStatus() {
        return !("in-progress".equals(status) || "paused".equals(status) || "stopped".equals(status));
    }
}
