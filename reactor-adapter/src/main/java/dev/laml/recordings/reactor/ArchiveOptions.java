package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;

import java.util.Objects;

/**
 * How {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, ArchiveTarget, ArchiveOptions)}
 * archives: the audio format, how many recordings are in flight at once, whether the remote copies are deleted once
 * the archived ones are verified, whether to only report what would be done, how stored copies are checked, and
 * which shard of the listing this worker takes. Start from {@link #defaults()} and
 * change what you need with the fluent copies:
 *
 * <pre>{@code
 * ArchiveOptions.defaults().format(AudioFormat.MP3).concurrency(8).deleteAfterVerify(true)
 * }</pre>
 *
 * <p>An immutable value; thread-safe. Setters validate at call time and return a modified copy; no method accepts or
 * returns null.
 */
public final class ArchiveOptions {

    /** The most recordings {@link #concurrency(int)} allows in flight at once. */
    public static final int MAX_CONCURRENCY = 1024;

    private static final ArchiveOptions DEFAULTS = new ArchiveOptions(AudioFormat.WAV, 4, false, false, false, 0, 1, false);

    private final AudioFormat format;
    private final int concurrency;
    private final boolean deleteAfterVerify;
    private final boolean dryRun;
    private final boolean verifyRemote;
    private final int shardIndex;
    private final int shardCount;
    private final boolean transcripts;

    private ArchiveOptions(AudioFormat format, int concurrency, boolean deleteAfterVerify, boolean dryRun,
            boolean verifyRemote, int shardIndex, int shardCount, boolean transcripts) {
        this.format = format;
        this.concurrency = concurrency;
        this.deleteAfterVerify = deleteAfterVerify;
        this.dryRun = dryRun;
        this.verifyRemote = verifyRemote;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.transcripts = transcripts;
    }

    /** WAV, 4 at a time, nothing deleted, not a dry run, no read-back of remote copies, one shard (all). */
    public static ArchiveOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The format to archive in; default {@link AudioFormat#WAV}. An archive directory is meant to hold one format:
     * the sidecar {@code {sid}.json} describes the file of the format archived last.
     *
     * @throws IllegalArgumentException if null
     */
    public ArchiveOptions format(AudioFormat format) {
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    /**
     * Recordings processed at once (checked, downloaded, deleted); default 4. Each one in flight holds at most one
     * connection and one buffer, so memory does not grow with this; the client's connection pool
     * ({@link RecordingsClient.Builder#maxConnections(int)}, 128 by default) is the practical ceiling.
     *
     * @throws IllegalArgumentException unless 1 to {@value #MAX_CONCURRENCY}
     */
    public ArchiveOptions concurrency(int concurrency) {
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1 to " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    /**
     * Delete each remote recording once its local copy and sidecar are written and the file on disk was read back and
     * its SHA-256 matched; default false. A recording whose archiving failed in any way is never deleted.
     */
    public ArchiveOptions deleteAfterVerify(boolean deleteAfterVerify) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    /**
     * Only report what would be done; default false. A dry run lists the recordings and checks the local copies
     * (reading them, to tell verified ones from missing or damaged ones), but downloads nothing, deletes nothing and
     * writes nothing: not even a directory.
     */
    public ArchiveOptions dryRun(boolean dryRun) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    /**
     * Check a stored copy by reading it back and hashing it, rather than by what the store records about it; default
     * false. It matters for object storage, where a copy is otherwise checked with one HEAD request (its size and
     * checksum against the sidecar's), both to skip what is already archived and before a delete. A directory is
     * always read back.
     */
    public ArchiveOptions verifyRemote(boolean verifyRemote) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    /**
     * Also store each recording's transcripts beside its audio, as {@code yyyy/MM/dd/{sid}.transcript.json} (the
     * recording's sid): a JSON object with {@code recording_sid} and a {@code transcriptions} array (each
     * transcription's {@code sid}, {@code status}, {@code transcription_text}, {@code duration}, {@code date_created},
     * {@code date_updated}, {@code price}, {@code price_unit}, {@code type}), as listed by
     * {@code RecordingsClient.recordingTranscriptions}; default false. Written after the audio is stored or found
     * verified, and rewritten only when it changed. A recording without a transcription gets no file and is not a
     * failure; a transcript that cannot be listed or stored makes the recording {@link ArchiveEvent.Failed} (reason
     * {@code "transcript: …"}, the audio stays stored, nothing is deleted) so that the next run tries again. A dry
     * run writes none.
     *
     * @param transcripts whether to archive transcripts
     * @return a copy with this setting; never null
     */
    public ArchiveOptions transcripts(boolean transcripts) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount,
                transcripts);
    }

    /**
     * Whether transcripts are archived too; see {@link #transcripts(boolean)}.
     *
     * @return the setting
     */
    public boolean transcripts() {
        return transcripts;
    }

    /**
     * Archive only shard {@code index} of {@code count}: the listed recordings whose sid hashes to {@code index}, so
     * that {@code count} workers given the same query and target archive disjoint sets that together cover the
     * listing; each stays resumable on its own. Default {@code shard(0, 1)}: everything.
     *
     * <p>The hash is stable and easy to reproduce elsewhere: the first 8 bytes of the SHA-256 of the sid's
     * lowercase UTF-8 bytes, read as an unsigned big-endian number, modulo {@code count}
     * ({@link #shardOf(String, int)}).
     *
     * @throws IllegalArgumentException unless {@code 1 <= count <= 65536} and {@code 0 <= index < count}
     */
    public ArchiveOptions shard(int index, int count) {
        if (count < 1 || count > 65_536) {
            throw new IllegalArgumentException("shard count must be 1 to 65536, got " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index must be 0 to " + (count - 1) + ", got " + index);
        }
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, index, count, transcripts);
    }

    /**
     * The shard of {@code count} that {@code sid} belongs to; see {@link #shard(int, int)}.
     *
     * @throws IllegalArgumentException if sid is null or count is not positive
     */
    public static int shardOf(String sid, int count) {
        if (sid == null || count < 1) {
            throw new IllegalArgumentException("sid must not be null and count must be positive");
        }
        byte[] digest = dev.laml.recordings.reactor.internal.Sha256.create()
                .digest(sid.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long first8 = java.nio.ByteBuffer.wrap(digest, 0, 8).getLong();
        return (int) Long.remainderUnsigned(first8, count);
    }

    /** Whether {@code sid} belongs to this options' shard. */
    public boolean inShard(String sid) {
        return shardCount == 1 || shardOf(sid, shardCount) == shardIndex;
    }

    /** Whether stored copies are read back to be checked. */
    public boolean verifyRemote() {
        return verifyRemote;
    }

    /** This worker's shard index, 0 to {@link #shardCount()} - 1. */
    public int shardIndex() {
        return shardIndex;
    }

    /** How many shards the listing is split into; 1: no sharding. */
    public int shardCount() {
        return shardCount;
    }

    /** The audio format; never null. */
    public AudioFormat format() {
        return format;
    }

    /** Recordings in flight at once, 1 to {@value #MAX_CONCURRENCY}. */
    public int concurrency() {
        return concurrency;
    }

    /** Whether verified recordings are deleted from the server. */
    public boolean deleteAfterVerify() {
        return deleteAfterVerify;
    }

    /** Whether this is a dry run. */
    public boolean dryRun() {
        return dryRun;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchiveOptions a && a.format == format && a.concurrency == concurrency
                && a.deleteAfterVerify == deleteAfterVerify && a.dryRun == dryRun && a.verifyRemote == verifyRemote
                && a.shardIndex == shardIndex && a.shardCount == shardCount && a.transcripts == transcripts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, concurrency, deleteAfterVerify, dryRun, verifyRemote, shardIndex, shardCount, transcripts);
    }

    @Override
    public String toString() {
        return "ArchiveOptions[format=" + format + ", concurrency=" + concurrency
                + (deleteAfterVerify ? ", deleteAfterVerify" : "") + (dryRun ? ", dryRun" : "")
                + (verifyRemote ? ", verifyRemote" : "") + (transcripts ? ", transcripts" : "") + (shardCount > 1 ? ", shard " + shardIndex + "/" + shardCount : "")
                + "]";
    }
}
