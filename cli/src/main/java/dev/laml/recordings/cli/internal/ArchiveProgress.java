package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.ArchiveEvent;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
final class ArchiveProgress implements AutoCloseable {

    private final PrintStream err;
    private final boolean terminal;
    private final boolean verbose;
    private final Path root;
    private final long startNanos = System.nanoTime();
    private final AtomicLong listed = new AtomicLong();
    private final AtomicLong downloaded = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private int lastWidth;
    private boolean closed;

    ArchiveProgress(PrintStream err, boolean terminal, boolean verbose, Path root) {
        this.err = err;
        this.terminal = terminal;
        this.verbose = verbose;
        this.root = root.toAbsolutePath().normalize();
        if (terminal) {
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "recordings-archive-progress");
                t.setDaemon(true); // never keeps the JVM alive
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 0, 100, TimeUnit.MILLISECONDS);
        } else {
            this.ticker = null;
        }
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
        if (line == null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!terminal) {
                err.println("  " + line);
            } else if (event instanceof ArchiveEvent.Failed) {
                // Failures scroll up above the status line as they happen; the next redraw puts it back.
                String text = "  " + line;
                err.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())) + System.lineSeparator());
                lastWidth = 0;
                err.flush();
            }
        }
    }

    private String relative(Path file) {
        Path p = file.toAbsolutePath().normalize();
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    private synchronized void redraw() {
        if (closed) {
            return;
        }
        long b = bytes.get();
        long nanos = System.nanoTime() - startNanos;
        String line = String.format(Locale.ROOT, "  archive: %s listed, %s downloaded, %s skipped, %s failed%s  %s  "
                        + "%s MB/s  %s",
                Units.count(listed.get()), Units.count(downloaded.get()), Units.count(skipped.get()),
                Units.count(failed.get()), deleted.get() == 0 ? "" : ", " + Units.count(deleted.get()) + " deleted",
                Units.size(b), Units.mbPerSecond(b, nanos), Units.elapsed(nanos));
        // Pad over the previous, possibly longer, line instead of relying on terminal escape codes.
        int pad = Math.max(0, lastWidth - line.length());
        lastWidth = line.length();
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
    }

    /** Draws the final state and stops; idempotent. */
    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            redraw();
        }
        synchronized (this) {
            if (!closed && terminal) {
                err.println();
            }
            closed = true;
        }
        err.flush();
    }
}
