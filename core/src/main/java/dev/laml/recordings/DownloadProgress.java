package dev.laml.recordings;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Watches one download's progress: bytes delivered so far, the total when the server announced
 * it, and the average rate. Pass a fresh instance to a download, read it from any thread.
 *
 * <pre>{@code
 * DownloadProgress progress = new DownloadProgress();
 * client.downloadTo(MediaRequest.of(account, sid, AudioFormat.WAV).progress(progress), path).subscribe();
 * ... progress.snapshot().fraction() ...
 * }</pre>
 *
 * <p>Costs the download one counter update per buffer and nothing else: snapshots are computed
 * when asked for. Thread-safe; one instance per download (a second download reusing it resets
 * it). Never null-returning.
 */
public final class DownloadProgress {

    /**
     * A moment of a download.
     *
     * @param bytesDone    bytes delivered to the subscriber so far
     * @param totalBytes   the body's length, or -1 while unknown
     * @param elapsed      time since the download started
     * @param bytesPerSecond average rate since the start; 0 before any byte
     */
    public record Snapshot(long bytesDone, long totalBytes, Duration elapsed, double bytesPerSecond) {

        /** Done / total in {@code [0, 1]}, or -1 while the total is unknown. */
        public double fraction() {
            return totalBytes <= 0 ? (totalBytes == 0 ? 1.0 : -1.0) : Math.min(1.0, (double) bytesDone / totalBytes);
        }
    }

    private final LongSupplier nanoClock;
    private final AtomicLong done = new AtomicLong();
    private volatile long total = -1;
    private volatile long startedNanos;

    public DownloadProgress() {
        this(System::nanoTime);
    }

    /** With a clock in nanoseconds; for tests. */
    public DownloadProgress(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.startedNanos = nanoClock.getAsLong();
    }

    /** Called by the client when the download starts; resets the figures. */
    public void started() {
        done.set(0);
        total = -1;
        startedNanos = nanoClock.getAsLong();
    }

    /** Called by the client once the total is known. */
    public void total(long bytes) {
        total = bytes;
    }

    /** Called by the client for each buffer delivered. */
    public void delivered(long bytes) {
        done.addAndGet(bytes);
    }

    /** The figures now. */
    public Snapshot snapshot() {
        long d = done.get();
        long nanos = Math.max(0, nanoClock.getAsLong() - startedNanos);
        double rate = nanos == 0 ? 0 : d * 1e9 / nanos;
        return new Snapshot(d, total, Duration.ofNanos(nanos), rate);
    }

    @Override
    public String toString() {
        Snapshot s = snapshot();
        return "DownloadProgress[" + s.bytesDone() + "/" + (s.totalBytes() < 0 ? "?" : s.totalBytes()) + " bytes]";
    }
}
