package dev.laml.recordings.reactor;

import dev.laml.recordings.Recording;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What an archive run did, one event at a time, as emitted by
 * {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, ArchiveTarget, ArchiveOptions)}.
 * Locations are URIs: {@code file:} for a {@link ArchiveTarget#directory directory} target (also as a {@link Path}
 * through {@code file()}), {@code s3://bucket/key} for S3, and so on.
 *
 * <p>For each listed recording the run emits {@link Listed} first, then exactly one outcome: {@link Skipped} (the
 * archived copy was already verified), {@link Downloaded}, {@link WouldDownload} (dry run) or {@link Failed}; then, with
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

    /** {@code location} as a local path when it is a {@code file:} URI, else null. */
    private static @Nullable Path fileOf(@Nullable URI location) {
        return location != null && "file".equalsIgnoreCase(location.getScheme()) ? Path.of(location) : null;
    }

    /** The event types, one per record. */
    enum Kind {
        /** {@link Listed}: a recording came from the listing. */
        LISTED,
        /** {@link Skipped}: already archived, and the archived copy matched its sidecar's size and SHA-256. */
        SKIPPED,
        /** {@link Downloaded}: downloaded, moved into place, sidecar written. */
        DOWNLOADED,
        /** {@link WouldDownload}: a dry run would have downloaded it. */
        WOULD_DOWNLOAD,
        /** {@link Deleted}: deleted from the server after its archived copy was verified. */
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
     * @param location      where its audio is archived; null when the listing gave an id that is not a UUID (it then
     *                  fails)
     */
    record Listed(Recording recording, @Nullable URI location) implements ArchiveEvent {
        public Listed {
            Objects.requireNonNull(recording, "recording");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
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
     * @param location      the archived audio file
     * @param bytes     the file's size
     * @param sha256    the file's SHA-256, lower-case hex
     */
    record Skipped(Recording recording, URI location, long bytes, String sha256) implements ArchiveEvent {
        public Skipped {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(sha256, "sha256");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
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
     * @param location      the audio file
     * @param bytes     its size, as received (the client checks it against {@code Content-Length})
     * @param sha256    the SHA-256 of the bytes received, lower-case hex
     * @param elapsed   from the request to the sidecar being written
     */
    record Downloaded(Recording recording, URI location, long bytes, String sha256, Duration elapsed)
            implements ArchiveEvent {
        public Downloaded {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
        }

        @Override
        public Kind kind() {
            return Kind.DOWNLOADED;
        }
    }

    /**
     * Dry run: the recording has no verified archived copy (none, or one that is short, damaged or without a sidecar),
     * so a real run would download it.
     *
     * @param recording its metadata as listed
     * @param location      where it would be written
     */
    record WouldDownload(Recording recording, URI location) implements ArchiveEvent {
        public WouldDownload {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(location, "location");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
        }

        @Override
        public Kind kind() {
            return Kind.WOULD_DOWNLOAD;
        }
    }

    /**
     * The recording was deleted from the server, after its copy and sidecar were stored and the copy was
     * verified (read back and hashed, or for object storage its size and checksum checked).
     *
     * @param recording its metadata as listed
     * @param location      the verified archived copy
     */
    record Deleted(Recording recording, URI location) implements ArchiveEvent {
        public Deleted {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(location, "location");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
        }

        @Override
        public Kind kind() {
            return Kind.DELETED;
        }
    }

    /**
     * Dry run with delete-after-verify: a real run would delete the recording once its archived copy is verified.
     *
     * @param recording its metadata as listed
     * @param location      where its archived copy is or would be
     */
    record WouldDelete(Recording recording, URI location) implements ArchiveEvent {
        public WouldDelete {
            Objects.requireNonNull(recording, "recording");
            Objects.requireNonNull(location, "location");
        }

        /** The archived file, for a {@link ArchiveTarget#directory directory} target; null for another store. */
        public @Nullable Path file() {
            return ArchiveEvent.fileOf(location);
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
    record Failed(@Nullable Recording recording, String reason, Throwable error) implements ArchiveEvent {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(error, "error");
        }

        /** The recording's sid, or null when the listing failed. */
        public @Nullable String sid() {
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
