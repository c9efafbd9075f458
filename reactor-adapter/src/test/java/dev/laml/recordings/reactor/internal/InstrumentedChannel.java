package dev.laml.recordings.reactor.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link AsynchronousFileChannel} seen through a disk that can be slow (each write starts
 * after a delay, or its completion is reported after one), write little at a time (at most {@code maxChunk} bytes per call, so the writer
 * must handle partial writes) or fail the n-th write; it counts writes in flight and forces.
 * Thread-safe.
 */
final class InstrumentedChannel extends AsynchronousFileChannel {

    private static final ScheduledExecutorService DISK = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "slow-disk");
        t.setDaemon(true);
        return t;
    });

    /**
     * Holds the disk's delayed steps until the test opens it: for assertions about what happens
     * while a write is still running, without betting on how long a delay lasts on a loaded machine.
     */
    static final class Gate {
        private final List<Runnable> held = new ArrayList<>();
        private boolean open;

        synchronized void hold(Runnable step) {
            if (open) {
                DISK.execute(step);
            } else {
                held.add(step);
            }
        }

        /** Steps waiting for {@link #open()}. */
        synchronized int holding() {
            return held.size();
        }

        synchronized void open() {
            open = true;
            held.forEach(DISK::execute);
            held.clear();
        }
    }

    private final AsynchronousFileChannel delegate;
    private final Gate gate;
    private final long delayMillis;
    private final boolean delayCompletion;
    private final int maxChunk;
    private final int failWrite;
    private final Path target;
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger completedWrites = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger forces = new AtomicInteger();
    /** Whether the target existed when {@link #force} was called (it must not: force comes before the move). */
    volatile boolean targetExistedAtForce;

    private InstrumentedChannel(AsynchronousFileChannel delegate, Gate gate, long delayMillis, boolean delayCompletion,
            int maxChunk, int failWrite, Path target) {
        this.delegate = delegate;
        this.gate = gate;
        this.delayMillis = delayMillis;
        this.delayCompletion = delayCompletion;
        this.maxChunk = maxChunk;
        this.failWrite = failWrite;
        this.target = target;
    }

    /** Records what it opens, so a test can look at the channel afterwards. */
    static final class Opener implements FileSink.Opener {
        private final long delayMillis;
        private final int maxChunk;
        private boolean delayCompletion;
        private final int failWrite;
        private final Path target;
        private Gate gate;
        volatile InstrumentedChannel opened;

        /**
         * @param failWrite the 1-based write that fails with an IOException; 0: none
         */
        Opener(long delayMillis, int maxChunk, int failWrite, Path target) {
            this.delayMillis = delayMillis;
            this.maxChunk = maxChunk;
            this.failWrite = failWrite;
            this.target = target;
        }

        /** The delay comes after each write instead of before: the bytes are written, the news is late. */
        Opener delayingCompletion() {
            delayCompletion = true;
            return this;
        }

        /** The delayed steps wait for {@code gate} to open instead of for the delay. */
        Opener heldBy(Gate gate) {
            this.gate = gate;
            return this;
        }

        @Override
        public AsynchronousFileChannel open(Path path) throws IOException {
            InstrumentedChannel c = new InstrumentedChannel(AsynchronousFileChannel.open(path, StandardOpenOption.WRITE),
                    gate, delayMillis, delayCompletion, maxChunk, failWrite, target);
            opened = c;
            return c;
        }
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        int n = writes.incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        Runnable start = () -> {
            if (n == failWrite) {
                inFlight.decrementAndGet();
                handler.failed(new IOException("disk full (simulated)"), attachment);
                return;
            }
            // At most maxChunk bytes, through a view; the caller's buffer advances by what was written.
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + Math.min(maxChunk, part.remaining()));
            delegate.write(part, position, attachment, new CompletionHandler<Integer, A>() {
                @Override
                public void completed(Integer written, A a) {
                    Runnable report = () -> {
                        src.position(src.position() + written);
                        inFlight.decrementAndGet();
                        completedWrites.incrementAndGet();
                        handler.completed(written, a);
                    };
                    if (delayCompletion) {
                        later(report);
                    } else {
                        report.run();
                    }
                }

                @Override
                public void failed(Throwable exc, A a) {
                    inFlight.decrementAndGet();
                    handler.failed(exc, a);
                }
            });
        };
        if (delayMillis > 0 && !delayCompletion) {
            later(start);
        } else {
            start.run();
        }
    }

    private void later(Runnable step) {
        if (gate != null) {
            gate.hold(step);
        } else {
            DISK.schedule(step, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        forces.incrementAndGet();
        targetExistedAtForce = Files.exists(target);
        delegate.force(metaData);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException("FileSink uses the completion-handler form");
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment, CompletionHandler<FileLock, ? super A> handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
