package dev.laml.recordings.cli.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's progress on stderr: a bar redrawn in place ten times a second when stderr is a terminal, otherwise a
 * plain line each time another quarter of the recordings is done (logs and CI output cannot take carriage returns).
 *
 * <p>Thread-safe: bytes and completions are reported from the client's event-loop threads; drawing is serialized on
 * this object's monitor. Nothing is null.
 */
final class Progress extends LiveLine {

    private static final int BAR_WIDTH = 20;

    private final int recordings;
    private final long totalBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private int quartersShown;

    Progress(PrintStream err, boolean terminal, int recordings, long totalBytes) {
        super(err, terminal, "recordings-progress");
        this.recordings = recordings;
        this.totalBytes = totalBytes;
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
                if (quarters > quartersShown) {
                    quartersShown = quarters;
                    printLine(String.format(Locale.ROOT, "  %3d%%  %" + digits(recordings) + "d/%d recordings  %10s  %8s",
                            n * 100 / recordings, n, recordings, Units.size(bytes.get()),
                            Units.elapsed(System.nanoTime() - startNanos)));
                }
            }
        }
    }

    @Override
    protected String statusLine() {
        long b = bytes.get();
        int n = done.get();
        double fraction = totalBytes == 0 ? (double) n / recordings : Math.min(1.0, (double) b / totalBytes);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        return String.format(Locale.ROOT, "  [%s%s] %3d%%  %d/%d recordings  %s / %s  %s MB/s",
                "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), (int) (fraction * 100), n, recordings,
                Units.size(b), Units.size(totalBytes), Units.mbPerSecond(b, System.nanoTime() - startNanos));
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
