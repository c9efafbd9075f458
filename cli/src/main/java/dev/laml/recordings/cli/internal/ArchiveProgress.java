package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.ArchiveEvent;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The archive's progress on stderr. On a terminal: one status line redrawn in place ten times a second (recordings
 * listed, downloaded, skipped, failed and deleted, bytes, rate, time). The listing is read lazily, so the total is not
 * known in advance and the line counts up instead of filling a percentage. Otherwise (a log, CI, a pipe): one plain
 * line per file downloaded, recording deleted or failure, and for a dry run per recording it would download or
 * delete; skipped recordings only with {@code --verbose}.
 *
 * <p>Thread-safe: events arrive from the client's threads (one at a time), the ticker redraws from its own; drawing is
 * serialized on this object's monitor. Nothing is null.
 */
final class ArchiveProgress extends LiveLine {

    private final boolean verbose;
    /** The target's root as its locations start: a directory's absolute path, or s3://bucket/prefix. */
    private final String root;
    private final AtomicLong listed = new AtomicLong();
    private final AtomicLong downloaded = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    ArchiveProgress(PrintStream err, boolean terminal, boolean verbose, String root) {
        super(err, terminal, "recordings-archive-progress");
        this.verbose = verbose;
        this.root = root;
    }

    /** Counts an event and, off a terminal, prints its line. */
    void on(ArchiveEvent event) {
        String line = null;
        if (event instanceof ArchiveEvent.Listed) {
            listed.incrementAndGet();
        } else if (event instanceof ArchiveEvent.Downloaded d) {
            downloaded.incrementAndGet();
            bytes.addAndGet(d.bytes());
            line = "downloaded   " + relative(d.location()) + "  (" + Units.size(d.bytes()) + ")";
        } else if (event instanceof ArchiveEvent.Skipped s) {
            skipped.incrementAndGet();
            line = verbose ? "skipped      " + relative(s.location()) + "  (already archived and verified)" : null;
        } else if (event instanceof ArchiveEvent.Deleted d) {
            deleted.incrementAndGet();
            line = "deleted      " + d.recording().sid() + "  (archived as " + relative(d.location()) + ")";
        } else if (event instanceof ArchiveEvent.WouldDownload w) {
            line = "would download  " + relative(w.location());
        } else if (event instanceof ArchiveEvent.WouldDelete w) {
            line = "would delete    " + w.recording().sid();
        } else if (event instanceof ArchiveEvent.Failed f) {
            failed.incrementAndGet();
            line = "FAILED       " + (f.sid() == null ? "(listing)" : f.sid()) + "  " + f.reason();
        }
        // On a terminal only failures scroll up above the status line; elsewhere every line prints.
        if (line != null && (!terminal || event instanceof ArchiveEvent.Failed)) {
            printLine("  " + line);
        }
    }

    /** A copy's location below the target's root: {@code 2026/03/01/SID.wav}, as in the layout. */
    private String relative(URI location) {
        if ("file".equalsIgnoreCase(location.getScheme())) {
            Path base = Path.of(root).toAbsolutePath().normalize();
            Path p = Path.of(location);
            return p.startsWith(base) ? base.relativize(p).toString() : p.toString();
        }
        String s = location.toString();
        return s.startsWith(root + "/") ? s.substring(root.length() + 1) : s;
    }

    @Override
    protected String statusLine() {
        long b = bytes.get();
        long nanos = System.nanoTime() - startNanos;
        return String.format(Locale.ROOT, "  archive: %s listed, %s downloaded, %s skipped, %s failed%s  %s  %s MB/s  %s",
                Units.count(listed.get()), Units.count(downloaded.get()), Units.count(skipped.get()),
                Units.count(failed.get()), deleted.get() == 0 ? "" : ", " + Units.count(deleted.get()) + " deleted",
                Units.size(b), Units.mbPerSecond(b, nanos), Units.elapsed(nanos));
    }
}
