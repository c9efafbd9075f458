package dev.laml.recordings.reactor;

import dev.laml.recordings.Recording;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What an archive run did, one event at a time, as emitted by
 * {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, Path, ArchiveOptions)}.
 *
 * <p>For each listed recording the run emits {@link Listed} first, then exactly one outcome: {@link Skipped} (the
 * local copy was already verified), {@link Downloaded}, {@link WouldDownload} (dry run) or {@link Failed}; then, with
 * {@link ArchiveOptions#deleteAfterVerify(boolean)} and only after {@code Skipped} or {@code Downloaded},
 * {@link Deleted} or a {@code Failed} for the delete (or {@link WouldDelete} in a dry run, after {@code Skipped} or
 * {@code WouldDownload}). Events of different recordings interleave. A listing that breaks off adds one {@code Failed}
 * without a recording. The last event is always one {@link Summary}, after which the flux completes.
 *
 * <p>Switch on {@link #kind()} or match on the record types. Every event is an immutable record and safe to share
 * between threads (a {@link Failed}'s exception is as immutable as the library's exceptions are). Components are
 * never null unless their documentation says so.
 */
public sealed interface ArchiveEvent permits ArchiveEvent.Listed, ArchiveEvent.Skipped, ArchiveEvent.Downloaded,
        ArchiveEvent.WouldDownload, ArchiveEvent.Deleted, ArchiveEvent.WouldDelete, ArchiveEvent.Failed,
        ArchiveEvent.Summary {

    /** The event types, one per record. */
    enum Kind {
        /** {@link Listed}: a recording came from the listing. */
        LISTED,
        /** {@link Skipped}: already archived, and the local copy matched its sidecar's size and SHA-256. */
        SKIPPED,
        /** {@link Downloaded}: downloaded, moved into place, sidecar written. */
        DOWNLOADED,
        /** {@link WouldDownload}: a dry run would have downloaded it. */
        WOULD_DOWNLOAD,
        /** {@link Deleted}: deleted from the server after its local copy was verified. */
        DELETED,
        /** {@link WouldDelete}: a dry run with delete-after-verify would have deleted it (once archived). */
        WOULD_DELETE,
        /** {@link Failed}: this recording (or the listing) failed; the others carry on. */
        FAILED,
        /** {@link Summary}: the counts; always the last event. */
        SUMMARY
    }

    /** Which event this is; never null. */
    Kind kind();

    /**
     * A recording came from the listing.
     *
     * @param recording its metadata as listed
     * @param file      where its audio is archived; null when the listing gave an id that is not a UUID (it then
     *                  fails)
     */
    record Listed(Recording recording, Path file) implements ArchiveEvent {
        public Listed {
            Objects.requireNonNull(recording, "recording");
        }

        @Override
        public Kind kind() {
            return Kind.LISTED;
        }
    }

    /**
     * The recording was archived by an earlier run: its sidecar exists and the file has the size and SHA-256 the
     * sidecar records (the file was read to check). Nothing was downloaded.
     *
     * @param recording its metadata as listed
     * @param file      the archived audio file
     * @param bytes     the file's size
     * @param sha256    the file's SHA-256, lower-case hex
     */
    record Skipped(Recording recording, Path file, long bytes, String sha256) implements ArchiveEvent {
        public Skipped {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(sha256, "sha256");
        }

        @Override
        public Kind kind() {
            return Kind.SKIPPED;
        }
    }

    /**
     * The recording was downloaded: the file is in place and complete, and its sidecar written after it.
     *
     * @param recording its metadata as listed
     * @param file      the audio file
     * @param bytes     its size, as received (the client checks it against {@code Content-Length})
     * @param sha256    the SHA-256 of the bytes received, lower-case hex
     * @param elapsed   from the request to the sidecar being written
     */
    record Downloaded(Recording recording, Path file, long bytes, String sha256, Duration elapsed)
            implements ArchiveEvent {
        public Downloaded {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        @Override
        public Kind kind() {
            return Kind.DOWNLOADED;
        }
    }

    /**
     * Dry run: the recording has no verified local copy (none, or one that is short, damaged or without a sidecar),
     * so a real run would download it.
     *
     * @param recording its metadata as listed
     * @param file      where it would be written
     */
    record WouldDownload(Recording recording, Path file) implements ArchiveEvent {
        public WouldDownload {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Kind kind() {
            return Kind.WOULD_DOWNLOAD;
        }
    }

    /**
     * The recording was deleted from the server, after its local copy and sidecar were written and the file's
     * SHA-256 verified on disk.
     *
     * @param recording its metadata as listed
     * @param file      the verified local copy
     */
    record Deleted(Recording recording, Path file) implements ArchiveEvent {
        public Deleted {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Kind kind() {
            return Kind.DELETED;
        }
    }

    /**
     * Dry run with delete-after-verify: a real run would delete the recording once its local copy is verified.
     *
     * @param recording its metadata as listed
     * @param file      where its local copy is or would be
     */
    record WouldDelete(Recording recording, Path file) implements ArchiveEvent {
        public WouldDelete {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public Kind kind() {
            return Kind.WOULD_DELETE;
        }
    }

    /**
     * Archiving one recording failed (or, without a recording, the listing broke off); the run carries on with the
     * others, and the recording is not deleted. Reasons start with what failed: {@code "not completed (status
     * in-progress)"}, {@code "invalid sid: ..."}, {@code "download: ..."}, {@code "write: ..."},
     * {@code "verify: ..."}, {@code "delete: ..."} or {@code "list: ..."}. A recording that was archived but whose
     * delete failed has both a {@link Downloaded} (or {@link Skipped}) and a {@code Failed}.
     *
     * @param recording the recording, or null when the listing itself failed
     * @param reason    one line for people; never contains credentials
     * @param error     the cause: an {@link dev.laml.recordings.ApiException} (for a recording that is not
     *                  completed, a {@link dev.laml.recordings.RecordingNotReadyException}), a
     *                  {@link java.io.IOException} or another exception
     */
    record Failed(Recording recording, String reason, Throwable error) implements ArchiveEvent {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(error, "error");
        }

        /** The recording's sid, or null when the listing failed. */
        public String sid() {
            return recording == null ? null : recording.sid();
        }

        @Override
        public Kind kind() {
            return Kind.FAILED;
        }
    }

    /**
     * The run's counts; always the last event. A recording whose delete failed counts as downloaded (or skipped) and
     * as failed.
     *
     * @param listed        recordings listed
     * @param downloaded    recordings downloaded
     * @param skipped       recordings already archived and verified
     * @param failed        {@link Failed} events (a listing failure included)
     * @param deleted       recordings deleted from the server
     * @param wouldDownload dry run: recordings a real run would download
     * @param wouldDelete   dry run: recordings a real run would delete
     * @param bytes         audio bytes downloaded (skipped files not included)
     * @param elapsed       from subscription to this event
     */
    record Summary(long listed, long downloaded, long skipped, long failed, long deleted, long wouldDownload,
                   long wouldDelete, long bytes, Duration elapsed) implements ArchiveEvent {
        public Summary {
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /** Downloaded bytes per second over the whole run; 0 when no time passed. */
        public double bytesPerSecond() {
            long nanos = elapsed.toNanos();
            return nanos <= 0 ? 0 : bytes * 1e9 / nanos;
        }

        @Override
        public Kind kind() {
            return Kind.SUMMARY;
        }
    }
}
