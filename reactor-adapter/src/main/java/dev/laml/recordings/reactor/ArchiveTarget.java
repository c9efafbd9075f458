package dev.laml.recordings.reactor;

import dev.laml.recordings.reactor.internal.DirectoryTarget;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Where {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, ArchiveTarget, ArchiveOptions)}
 * puts recordings: a local {@link #directory(Path) directory}, or object storage ({@code S3Target} in the
 * {@code laml-recordings-s3} module).
 *
 * <p>The archive job owns the steps (list, skip what is verified, stream while hashing, record the sidecar after the
 * audio, verify before deleting) and the layout: each recording's audio under the key
 * {@code yyyy/MM/dd/{sid}.{ext}} (UTC date of creation; {@code undated/} without one) and its sidecar under
 * {@code yyyy/MM/dd/{sid}.json}. A target only stores and reads back bytes under keys, through a {@link Session}
 * opened per run; implement this interface to archive somewhere else.
 *
 * <p>Implementations must be thread-safe; the job calls a session's methods concurrently, for different recordings.
 * No method of a target or a {@link Session} returns null: a {@link Mono} with nothing to give completes empty, as
 * {@link Session#read} does for a missing key. {@link Stored} is where nulls are allowed: its
 * {@link Stored#fingerprint() fingerprint} and {@link Stored#check() check} are null when the store has none or does
 * not say, and that fingerprint (null included) is what the job hands back to {@link Session#holds}. The job passes no
 * other null argument.
 */
public interface ArchiveTarget {

    /**
     * Today's local layout under {@code dir} (created when missing): audio written through a hidden temporary file,
     * forced to disk and moved into place; the sidecar likewise, after it. The layout stays inside {@code dir}: a
     * symbolic link in it (a day directory, say) is followed only while it stays inside, and only regular files are
     * written. See {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, Path, ArchiveOptions)}.
     *
     * @throws IllegalArgumentException if {@code dir} is null
     */
    static ArchiveTarget directory(Path dir) {
        return new DirectoryTarget(dir);
    }

    /**
     * Opens the target for one run (one subscription to {@code archive}): a session keeps what the run learns about
     * the target (directories already prepared, say). May check the target (a bucket exists) and fail.
     */
    Mono<Session> open();

    /**
     * One run's access to a target. Every key is relative, {@code /}-separated, made by the archive job from a
     * recording's date and validated sid (never from free text), e.g. {@code 2026/03/01/{sid}.wav}.
     *
     * <p>Thread-safe: called concurrently for different keys, never concurrently for the same key.
     */
    interface Session {

        /** Where {@code key} is stored, for events and messages: a {@code file:} URI, an {@code s3://} URI. */
        URI location(String key);

        /** The bytes stored under {@code key} if it exists, at most {@code maxBytes} of them; empty when absent. */
        Mono<byte[]> read(String key, int maxBytes);

        /**
         * Whether {@code key} holds exactly {@code size} bytes with this SHA-256 (lowercase hex), as recorded when
         * they were {@link #write written} (with the {@link Stored#fingerprint()} the store gave then, or null).
         * Without {@code readBack} a store may answer from what it records about the object (its length and
         * checksum: one HEAD request); with it, it reads the stored bytes and hashes them. A directory always reads.
         */
        Mono<Boolean> holds(String key, long size, String sha256, @Nullable String fingerprint, boolean readBack);

        /**
         * Streams {@code audio} into {@code key}, replacing what is there only once it is complete: on error or
         * cancellation no partial object is left under {@code key}. Requests buffers as it writes them (the
         * download's backpressure reaches the store). Emits what was stored.
         *
         * @param audio         owned heap buffers, in order
         * @param contentLength the length when known, else -1
         * @param contentType   the audio's media type
         * @param metadata      small, printable key/value pairs a store may keep beside the object (sid, call-sid,
         *                      date-created, duration); a directory ignores them (the sidecar has them)
         */
        Mono<Stored> write(String key, Flux<ByteBuffer> audio, long contentLength, String contentType,
                java.util.Map<String, String> metadata);

        /** Stores a small document (a sidecar) under {@code key}, atomically replacing an older one. */
        Mono<Void> put(String key, byte[] bytes, String contentType);
    }

    /**
     * What a {@link Session#write} stored: its size in bytes, the store's own proof of the content (an S3
     * checksum, say) that {@link Session#holds} can compare later without reading the bytes (null when the store
     * has none), and which check the store performed on the bytes it received ({@code "sha256"}, {@code "md5"},
     * {@code "none"}; null when the target does not say). The archive job records them in the sidecar
     * ({@code stored_fingerprint}, {@code store_check}); after a {@code "none"}, it deletes a recording only when the
     * copy was read back ({@code ArchiveOptions.verifyRemote}). An immutable value.
     */
    record Stored(long size, @Nullable String fingerprint, @Nullable String check) {

        /** A store that does not say which check it performed. */
        public Stored(long size, @Nullable String fingerprint) {
            this(size, fingerprint, null);
        }
    }
}
