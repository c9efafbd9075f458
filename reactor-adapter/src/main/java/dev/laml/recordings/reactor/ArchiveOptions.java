package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;

import java.util.Objects;

/**
 * How {@link RecordingsClient#archive(String, dev.laml.recordings.RecordingQuery, java.nio.file.Path, ArchiveOptions)}
 * archives: the audio format, how many recordings are in flight at once, whether the remote copies are deleted once
 * the local ones are verified, and whether to only report what would be done. Start from {@link #defaults()} and
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

    private static final ArchiveOptions DEFAULTS = new ArchiveOptions(AudioFormat.WAV, 4, false, false);

    private final AudioFormat format;
    private final int concurrency;
    private final boolean deleteAfterVerify;
    private final boolean dryRun;

    private ArchiveOptions(AudioFormat format, int concurrency, boolean deleteAfterVerify, boolean dryRun) {
        this.format = format;
        this.concurrency = concurrency;
        this.deleteAfterVerify = deleteAfterVerify;
        this.dryRun = dryRun;
    }

    /** WAV, 4 at a time, nothing deleted, not a dry run. */
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
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun);
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
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun);
    }

    /**
     * Delete each remote recording once its local copy and sidecar are written and the file on disk was read back and
     * its SHA-256 matched; default false. A recording whose archiving failed in any way is never deleted.
     */
    public ArchiveOptions deleteAfterVerify(boolean deleteAfterVerify) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun);
    }

    /**
     * Only report what would be done; default false. A dry run lists the recordings and checks the local copies
     * (reading them, to tell verified ones from missing or damaged ones), but downloads nothing, deletes nothing and
     * writes nothing: not even a directory.
     */
    public ArchiveOptions dryRun(boolean dryRun) {
        return new ArchiveOptions(format, concurrency, deleteAfterVerify, dryRun);
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
                && a.deleteAfterVerify == deleteAfterVerify && a.dryRun == dryRun;
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, concurrency, deleteAfterVerify, dryRun);
    }

    @Override
    public String toString() {
        return "ArchiveOptions[format=" + format + ", concurrency=" + concurrency
                + (deleteAfterVerify ? ", deleteAfterVerify" : "") + (dryRun ? ", dryRun" : "") + "]";
    }
}
