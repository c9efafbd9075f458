package dev.laml.recordings.benchmarks.prototype;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a stream of buffers to a file without blocking the thread that delivers them, and
 * publishes the file only when every byte is on disk.
 *
 * <p>The bytes go to a temporary file beside the target (same directory, so the final rename is
 * atomic on the same file system). The next buffer is requested only after the previous write
 * finished, so memory stays at one buffer however slow the disk is, and the network is
 * throttled by the disk through backpressure. On success the temp file is forced to disk and
 * moved over the target atomically; on error or cancellation it is deleted and the target is
 * untouched. File creation, {@code force} and the rename are blocking system calls and run on
 * {@link Schedulers#boundedElastic()}.
 */
public final class FileSink {

    private FileSink() {
    }

    /** Writes {@code source} to {@code target}; emits the number of bytes written. */
    public static Mono<Long> write(Publisher<ByteBuffer> source, Path target, boolean force) {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        return Mono.usingWhen(
                Mono.fromCallable(() -> TempFile.create(dir, name)).subscribeOn(Schedulers.boundedElastic()),
                temp -> Mono.<Long>create(sink -> {
                            FileWriter writer = new FileWriter(sink, temp.channel);
                            sink.onCancel(writer::cancel);
                            source.subscribe(writer);
                        })
                        .flatMap(written -> Mono.fromCallable(() -> temp.commit(target, written, force))
                                .subscribeOn(Schedulers.boundedElastic())),
                temp -> Mono.empty(),
                (temp, error) -> Mono.fromRunnable(temp::discard).subscribeOn(Schedulers.boundedElastic()),
                temp -> Mono.fromRunnable(temp::discard).subscribeOn(Schedulers.boundedElastic()));
    }

    /** The temporary file and its channel; {@link #discard} is safe to call in any state. */
    private static final class TempFile {
        final Path path;
        final AsynchronousFileChannel channel;
        private volatile boolean committed;

        private TempFile(Path path, AsynchronousFileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        static TempFile create(Path dir, String name) throws IOException {
            // Hidden, unique, owner-only (createTempFile uses 0600 on POSIX) until committed.
            Path path = Files.createTempFile(dir, "." + name + ".", ".part");
            try {
                return new TempFile(path, AsynchronousFileChannel.open(path, StandardOpenOption.WRITE));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
        }

        long commit(Path target, long written, boolean force) throws IOException {
            if (force) {
                channel.force(true);
            }
            channel.close();
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
            return written;
        }

        void discard() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing is best effort; the delete below is what matters.
            }
            if (!committed) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Nothing more can be done; the file is hidden and named *.part.
                }
            }
        }
    }

    /**
     * Requests one buffer, writes it fully (a write may be partial), then requests the next.
     * Upstream may signal completion or an error while a write is in flight (neither needs
     * demand), so terminal signals wait for that write; the monitor serialises the event-loop
     * and file-completion threads.
     */
    private static final class FileWriter implements CoreSubscriber<ByteBuffer>, CompletionHandler<Integer, ByteBuffer> {
        private final MonoSink<Long> sink;
        private final AsynchronousFileChannel channel;
        private Subscription upstream;
        private long position;
        private boolean writing;
        private boolean upstreamDone;
        private Throwable upstreamError;
        private boolean finished;

        FileWriter(MonoSink<Long> sink, AsynchronousFileChannel channel) {
            this.sink = sink;
            this.channel = channel;
        }

        @Override
        public void onSubscribe(Subscription s) {
            synchronized (this) {
                upstream = s;
            }
            s.request(1);
        }

        @Override
        public void onNext(ByteBuffer buffer) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                writing = true;
            }
            writeRemaining(buffer);
        }

        private void writeRemaining(ByteBuffer buffer) {
            try {
                channel.write(buffer, position, buffer, this);
            } catch (RuntimeException e) {
                failed(e, buffer);
            }
        }

        @Override
        public void completed(Integer written, ByteBuffer buffer) {
            synchronized (this) {
                position += written;
            }
            if (buffer.hasRemaining()) {
                writeRemaining(buffer);
                return;
            }
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

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (finished) {
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
                if (finished) {
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
