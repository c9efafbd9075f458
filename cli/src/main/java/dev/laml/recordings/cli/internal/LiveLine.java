package dev.laml.recordings.cli.internal;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A status line on stderr, redrawn in place ten times a second when stderr is a terminal; off a
 * terminal (logs, CI, pipes cannot take carriage returns) subclasses print plain lines instead.
 * Holds what the demo's and the archive's progress share: the ticker, the padding over a longer
 * previous line, and an idempotent close that draws the final state.
 *
 * <p>Thread-safe: counts arrive from the client's threads, the ticker redraws from its own;
 * drawing and printing are serialised on this object's monitor. Nothing is null.
 */
abstract class LiveLine implements AutoCloseable {

    protected final PrintStream err;
    protected final boolean terminal;
    protected final long startNanos = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private int lastWidth;
    private boolean closed;

    LiveLine(PrintStream err, boolean terminal, String threadName) {
        this.err = err;
        this.terminal = terminal;
        if (terminal) {
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true); // never keeps the JVM alive
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 0, 100, TimeUnit.MILLISECONDS);
        } else {
            this.ticker = null;
        }
    }

    /** The line as it should read now; called under this object's monitor. */
    protected abstract String statusLine();

    /**
     * Prints a whole line: above the status line on a terminal (the next redraw puts the status
     * back), as is otherwise. Nothing once closed.
     */
    protected final synchronized void printLine(String text) {
        if (closed) {
            return;
        }
        if (terminal) {
            err.print("\r" + text + " ".repeat(Math.max(0, lastWidth - text.length())) + System.lineSeparator());
            lastWidth = 0;
        } else {
            err.println(text);
        }
        err.flush();
    }

    private synchronized void redraw() {
        if (closed) {
            return;
        }
        String line = statusLine();
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
