package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.ArchiveEvent;

import java.io.PrintStream;
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
    private final Path root;
    private final AtomicLong listed = new AtomicLong();
    private final AtomicLong downloaded = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    ArchiveProgress(PrintStream err, boolean terminal, boolean verbose, Path root) {
        super(err, terminal, "recordings-archive-progress");
        this.verbose = verbose;
        this.root = root.toAbsolutePath().normalize();
    }

    /** Counts an event and, off a terminal, prints its line. */
    void on(ArchiveEvent event) {
        String line = null;
        if (event instanceof ArchiveEvent.Listed) {
            listed.incrementAndGet();
        } else if (event instanceof ArchiveEvent.Downloaded d) {
            downloaded.incrementAndGet();
            bytes.addAndGet(d.bytes());
            line = "downloaded   " + relative(d.file()) + "  (" + Units.size(d.bytes()) + ")";
        } else if (event instanceof ArchiveEvent.Skipped s) {
            skipped.incrementAndGet();
            line = verbose ? "skipped      " + relative(s.file()) + "  (already archived and verified)" : null;
        } else if (event instanceof ArchiveEvent.Deleted d) {
            deleted.incrementAndGet();
            line = "deleted      " + d.recording().sid() + "  (archived as " + relative(d.file()) + ")";
        } else if (event instanceof ArchiveEvent.WouldDownload w) {
            line = "would download  " + relative(w.file());
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

    private String relative(Path file) {
        Path p = file.toAbsolutePath().normalize();
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
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
