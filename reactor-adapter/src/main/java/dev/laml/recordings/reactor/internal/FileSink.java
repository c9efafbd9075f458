package dev.laml.recordings.reactor.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a stream of buffers to a file without blocking the thread that delivers them, and
 * publishes the file only when every byte is written.
 *
 * <p>What the target path is decides how it is written ({@link TargetFile}, as curl's {@code -o}): a
 * symlink is followed; a new or regular file is written through a temporary file beside it (same
 * directory, so the final rename is atomic on the same file system), owner-only while written and
 * given its final mode (the replaced file's, or the umask's for a new one) just before the rename; a
 * character device, FIFO or socket is written straight into, with no temporary file and no rename; a
 * directory, a block device or a read-only file is refused before anything is requested. The next buffer is requested only after the previous write
 * finished, so memory stays at one buffer however slow the disk is, and the network is
 * throttled by the disk through backpressure. On success the temp file is (when durable) forced
 * to disk and moved over the target atomically; on error or cancellation it is deleted and the
 * target is untouched (a stream keeps what was already written into it, as a pipe must). File
 * creation, {@code force} and the rename are blocking system calls and run on
 * {@link Schedulers#boundedElastic()}; the writes are {@link AsynchronousFileChannel}'s, which run
 * them on its own thread pool (a stream's, on {@code boundedElastic}: see {@link StreamChannel}).
 *
 * <p>Two kinds of source: {@link ByteBuffer}s ({@link #write(Publisher, Path)}, always durable:
 * the archiver deletes the remote recording once its file is verified, so the file must survive
 * a power loss), and retained Netty {@link ByteBuf}s ({@link #writeRetained}, from
 * {@code Calls.download} with {@code Bodies.RETAIN}), written through their own NIO view: for
 * the transport's direct buffers the JDK writes straight from that memory, where a heap buffer
 * would be copied again into a temporary direct one. Every {@code ByteBuf} received is released
 * exactly once: after its write (whether it succeeded or not), or at once if it arrives after
 * the sink finished or was cancelled.
 *
 * <p>Thread-safe (stateless); every returned {@code Mono} is cold, and each subscription writes
 * its own temp file.
 */
public final class FileSink {

    private FileSink() {
    }

    /** Writes {@code source} to {@code target}, forced to disk before the move; emits the number of bytes written. */
    public static Mono<Long> write(Publisher<ByteBuffer> source, Path target) {
        return write(source, target, true, NIO, Opener.FILE, null);
    }

    /**
     * As {@link #write(Publisher, Path)}, refusing any target that is not a regular (or new) file below
     * {@code confinedTo}, a real directory: an archive's layout, which a symlink must not lead elsewhere.
     */
    public static Mono<Long> write(Publisher<ByteBuffer> source, Path target, Path confinedTo) {
        return write(source, target, true, NIO, Opener.FILE, confinedTo);
    }

    /**
     * Writes retained buffers to {@code target} and releases each; emits the number of bytes
     * written.
     *
     * @param durable force the file to disk before the move; false leaves that to the OS (see
     *                {@code RecordingsClient.Builder#durableFiles})
     */
    public static Mono<Long> writeRetained(Publisher<ByteBuf> source, Path target, boolean durable) {
        return write(source, target, durable, NETTY, Opener.FILE, null);
    }

    /** As the writer below, for any target (tests' entry point). */
    static <T> Mono<Long> write(Publisher<T> source, Path target, boolean durable, Access<T> access, Opener opener) {
        return write(source, target, durable, access, opener, null);
    }

    /** The one writer behind every entry point; {@code opener} is a seam for tests (a slow or failing disk). */
    static <T> Mono<Long> write(Publisher<T> source, Path target, boolean durable, Access<T> access, Opener opener,
            Path confinedTo) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> Output.open(TargetFile.resolve(target, confinedTo), opener))
                        .subscribeOn(Schedulers.boundedElastic()),
                output -> Mono.<Long>create(sink -> {
                            FileWriter<T> writer = new FileWriter<>(sink, output.channel, access);
                            sink.onCancel(writer::cancel);
                            source.subscribe(writer);
                        })
                        .flatMap(written -> Mono.fromCallable(() -> output.commit(written, durable))
                                .subscribeOn(Schedulers.boundedElastic())),
                output -> Mono.empty(),
                (output, error) -> Mono.fromRunnable(output::discard).subscribeOn(Schedulers.boundedElastic()),
                output -> Mono.fromRunnable(output::discard).subscribeOn(Schedulers.boundedElastic()));
    }

    /**
     * How the writer sees an element's bytes and gives it back. The writer holds one element at
     * a time, so single views go into its reusable one-slot array: no allocation per element
     * beyond what the element's own NIO view costs.
     */
    interface Access<T> {
        /** The element's readable bytes as NIO buffers, in order; may fill and return {@code slot}. */
        ByteBuffer[] views(T element, ByteBuffer[] slot);

        /** Called exactly once per element received, when the writer is done with it. */
        void release(T element);
    }

    static final Access<ByteBuffer> NIO = new Access<>() {
        @Override
        public ByteBuffer[] views(ByteBuffer element, ByteBuffer[] slot) {
            slot[0] = element;
            return slot;
        }

        @Override
        public void release(ByteBuffer element) {
            // Heap buffers belong to the garbage collector.
        }
    };

    static final Access<ByteBuf> NETTY = new Access<>() {
        @Override
        public ByteBuffer[] views(ByteBuf element, ByteBuffer[] slot) {
            int count = element.nioBufferCount();
            if (count == 1) {
                // A view sharing the buffer's memory (for a slice: the parent's), its own position/limit.
                slot[0] = element.nioBuffer();
                return slot;
            }
            if (count > 1) {
                return element.nioBuffers(); // a composite: its components in order
            }
            // No NIO view (a custom ByteBuf): a copy is the only way, and a rare one.
            slot[0] = ByteBuffer.wrap(ByteBufUtil.getBytes(element));
            return slot;
        }

        @Override
        public void release(ByteBuf element) {
            ReferenceCountUtil.safeRelease(element);
        }
    };

    /** Opens the channel the temp file is written through. */
    @FunctionalInterface
    interface Opener {
        Opener FILE = path -> AsynchronousFileChannel.open(path, StandardOpenOption.WRITE);

        AsynchronousFileChannel open(Path path) throws IOException;
    }

    /**
     * Where the writer's channel leads: a temporary file renamed over the target when complete, or (for a device, FIFO
     * or socket) the target itself, written in place. {@link #discard} is safe to call in any state.
     */
    private static final class Output {
        final TargetFile.Resolved target;
        /** Null when streaming into the target itself. */
        final TargetFile.Temp temp;
        final AsynchronousFileChannel channel;
        private volatile boolean committed;

        private Output(TargetFile.Resolved target, TargetFile.Temp temp, AsynchronousFileChannel channel) {
            this.target = target;
            this.temp = temp;
            this.channel = channel;
        }

        static Output open(TargetFile.Resolved target, Opener opener) throws IOException {
            if (target.streamed()) {
                return new Output(target, null, StreamChannel.open(target));
            }
            // Hidden, unique, owner-only until committed (TargetFile says which mode it gets then).
            TargetFile.Temp temp = TargetFile.createTemp(target);
            try {
                return new Output(target, temp, opener.open(temp.path()));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp.path());
                throw e;
            }
        }

        long commit(long written, boolean durable) throws IOException {
            if (temp == null) {
                channel.close();
                committed = true;
                return written;
            }
            temp.applyFinalMode();
            if (durable) {
                // Data and metadata (the mode too) on disk before the name points at them: after a
                // power loss the target is either the old file or the whole new one.
                channel.force(true);
            }
            channel.close();
            temp.moveTo(target);
            committed = true;
            return written;
        }

        void discard() {
            try {
                // Waits for a write in progress (the JDK's close does; a stream's close ends a blocked one), so
                // none lands after the delete.
                channel.close();
            } catch (IOException ignored) {
                // Closing is best effort; the delete below is what matters.
            }
            if (!committed && temp != null) {
                try {
                    Files.deleteIfExists(temp.path());
                } catch (IOException ignored) {
                    // Nothing more can be done; the file is hidden and named *.part.
                }
            }
        }
    }

    /**
     * Requests one element, writes all of its views (a write may be partial), releases it, then
     * requests the next. Upstream may signal completion or an error while a write is in flight
     * (neither needs demand), so terminal signals wait for that write; the monitor serialises
     * the delivering thread (an event loop) and the channel's completion threads.
     *
     * <p>An element is released by whoever ends its write: the completion handler, once every
     * view is written, on a write failure, or as soon as it sees the sink finished (cancelled)
     * between two partial writes. Never while a write from its memory may still be running: the
     * memory is pooled and could be reused. An element that arrives when the sink has already
     * finished is released at once.
     */
    private static final class FileWriter<T> implements CoreSubscriber<T>, CompletionHandler<Integer, ByteBuffer> {
        private final MonoSink<Long> sink;
        private final AsynchronousFileChannel channel;
        private final Access<T> access;
        private final ByteBuffer[] slot = new ByteBuffer[1];
        private Subscription upstream;
        private long position;
        private boolean writing;
        private boolean upstreamDone;
        private Throwable upstreamError;
        private boolean finished;
        /** The element being written and its views; only touched by the thread driving its write. */
        private T element;
        private ByteBuffer[] views;
        private int view;

        FileWriter(MonoSink<Long> sink, AsynchronousFileChannel channel, Access<T> access) {
            this.sink = sink;
            this.channel = channel;
            this.access = access;
        }

        @Override
        public void onSubscribe(Subscription s) {
            boolean cancelled;
            synchronized (this) {
                upstream = s;
                cancelled = finished;
            }
            if (cancelled) {
                // Cancelled before the source was even subscribed: start nothing.
                s.cancel();
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(T next) {
            Subscription overflowed = null;
            synchronized (this) {
                if (!finished && !writing) {
                    writing = true;
                    element = next;
                    next = null;
                } else if (!finished && !upstreamDone) {
                    // More than was requested: writing it now would race the write in flight.
                    // Fail once that write is done (as for any upstream error) and stop the source.
                    upstreamDone = true;
                    upstreamError = Exceptions.failWithOverflow("FileSink requested one buffer at a time");
                    overflowed = upstream;
                }
            }
            if (next != null) {
                // Not ours to write (the sink finished, was cancelled, or the source overflowed),
                // but ours to release.
                access.release(next);
                if (overflowed != null) {
                    overflowed.cancel();
                }
                return;
            }
            try {
                views = access.views(element, slot);
                view = 0;
            } catch (RuntimeException e) {
                failed(e, null);
                return;
            }
            writeView();
        }

        private void writeView() {
            ByteBuffer buffer = views[view];
            try {
                channel.write(buffer, position, buffer, this);
            } catch (RuntimeException e) {
                failed(e, buffer);
            }
        }

        @Override
        public void completed(Integer written, ByteBuffer buffer) {
            boolean cancelled;
            synchronized (this) {
                position += written;
                cancelled = finished;
            }
            if (!cancelled) {
                if (buffer.hasRemaining()) {
                    writeView();
                    return;
                }
                if (++view < views.length) {
                    writeView();
                    return;
                }
            }
            releaseElement();
            Subscription s;
            synchronized (this) {
                writing = false;
                if (finished) {
                    return;
                }
                if (upstreamDone) {
                    finishLocked();
                    return;
                }
                s = upstream;
            }
            s.request(1);
        }

        @Override
        public void failed(Throwable error, ByteBuffer buffer) {
            releaseElement();
            Subscription s;
            synchronized (this) {
                writing = false;
                if (finished) {
                    return;
                }
                finished = true;
                s = upstream;
            }
            s.cancel();
            sink.error(error);
        }

        private void releaseElement() {
            T done = element;
            element = null;
            views = null;
            slot[0] = null;
            access.release(done);
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (finished || upstreamDone) {
                    return;
                }
                upstreamDone = true;
                upstreamError = t;
                if (!writing) {
                    finishLocked();
                }
            }
        }

        @Override
        public void onComplete() {
            synchronized (this) {
                if (finished || upstreamDone) {
                    return;
                }
                upstreamDone = true;
                if (!writing) {
                    finishLocked();
                }
            }
        }

        private void finishLocked() {
            finished = true;
            if (upstreamError != null) {
                sink.error(upstreamError);
            } else {
                sink.success(position);
            }
        }

        void cancel() {
            Subscription s;
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                s = upstream;
            }
            if (s != null) {
                s.cancel();
            }
        }
    }
}
