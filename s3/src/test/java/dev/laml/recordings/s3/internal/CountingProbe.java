package dev.laml.recordings.s3.internal;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the part-buffer bytes an upload holds, and the most it ever held at once. Thread-safe. */
final class CountingProbe implements S3Upload.MemoryProbe {

    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong freed = new AtomicLong();

    @Override
    public void allocated(long bytes) {
        long now = live.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    @Override
    public void freed(long bytes) {
        live.addAndGet(-bytes);
        freed.addAndGet(bytes);
    }

    long live() {
        return live.get();
    }

    long peak() {
        return peak.get();
    }

    long freed() {
        return freed.get();
    }
}
