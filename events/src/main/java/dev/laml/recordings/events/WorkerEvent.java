package dev.laml.recordings.events;

import org.jspecify.annotations.Nullable;

/**
 * What {@link RecordingWorkers} did with one inbox entry, or one reconcile sweep: one event each, for a log line or a
 * metric. An immutable value; thread-safe.
 *
 * @param kind         what happened; never null
 * @param recordingSid the recording; null for a {@link Kind#RECONCILED} sweep
 * @param detail       where the recording is stored ({@link Kind#ARCHIVED}), the reason ({@link Kind#RETRY},
 *                     {@link Kind#FAILED}), or the sweep's counts; may be null
 * @param attempts     the entry's attempts so far (0 for a sweep)
 */
public record WorkerEvent(Kind kind, @Nullable String recordingSid, @Nullable String detail, int attempts) {

    /** The outcomes. */
    public enum Kind {
        /** Stored in the target and verified (downloaded now, or found stored and verified). */
        ARCHIVED,
        /** The recording is absent: recorded as such, nothing fetched. */
        ABSENT,
        /** This attempt failed; the entry is back in the inbox for a later attempt. */
        RETRY,
        /** Given up: attempts exhausted, or the recording failed on SignalWire. */
        FAILED,
        /** A reconcile sweep listed the account and put what it found into the inbox. */
        RECONCILED
    }
}
