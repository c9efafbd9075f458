package dev.laml.recordings.cli.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's progress on stderr: a bar redrawn in place ten times a second when stderr is a terminal, otherwise a
 * plain line each time another quarter of the recordings is done (logs and CI output cannot take carriage returns).
 *
 * <p>Thread-safe: bytes and completions are reported from the client's event-loop threads; drawing is serialized on
 * this object's monitor. Nothing is null.
 */
final class Progress implements AutoCloseable {

    private static final int BAR_WIDTH = 20;

    private final PrintStream err;
    private final boolean terminal;
    private final int recordings;
    private final long totalBytes;
    private final long startNanos = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final ScheduledExecutorService ticker;
    private int quartersShown;
    private int lastWidth;
    private boolean closed;

    Progress(PrintStream err, boolean terminal, int recordings, long totalBytes) {
        this.err = err;
        this.terminal = terminal;
        this.recordings = recordings;
        this.totalBytes = totalBytes;
        if (terminal) {
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "recordings-progress");
                t.setDaemon(true); // never keeps the JVM alive
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 0, 100, TimeUnit.MILLISECONDS);
        } else {
            this.ticker = null;
        }
    }

    /** Body bytes received (called per buffer, so it only counts). */
    void addBytes(long n) {
        bytes.addAndGet(n);
    }

    /** One recording finished, verified or not. */
    void recordingDone() {
        int n = done.incrementAndGet();
        if (!terminal) {
            synchronized (this) {
                int quarters = n * 4 / recordings;
                if (quarters > quartersShown && !closed) {
                    quartersShown = quarters;
                    err.printf(Locale.ROOT, "  %3d%%  %" + digits(recordings) + "d/%d recordings  %10s  %8s%n",
                            n * 100 / recordings, n, recordings, Units.size(bytes.get()),
                            Units.elapsed(System.nanoTime() - startNanos));
                }
            }
        }
    }

    private synchronized void redraw() {
        if (closed) {
            return;
        }
        long b = bytes.get();
        int n = done.get();
        double fraction = totalBytes == 0 ? (double) n / recordings : Math.min(1.0, (double) b / totalBytes);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        String line = String.format(Locale.ROOT, "  [%s%s] %3d%%  %d/%d recordings  %s / %s  %s MB/s",
                "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), (int) (fraction * 100), n, recordings,
                Units.size(b), Units.size(totalBytes), Units.mbPerSecond(b, System.nanoTime() - startNanos));
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
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
