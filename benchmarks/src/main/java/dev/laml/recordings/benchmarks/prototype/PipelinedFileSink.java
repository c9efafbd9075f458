package dev.laml.recordings.benchmarks.prototype;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * PROTOTYPE of the proposed {@code downloadTo} sink: same contract as the adapter's FileSink
 * (hidden temp file beside the target, optional {@code force(true)}, atomic move, temp deleted on
 * error or cancel), but the writes are plain blocking {@link FileChannel} writes on a
 * {@code boundedElastic} worker with {@value #IN_FLIGHT} buffers requested ahead, so the socket
 * keeps reading while the disk writes, and no buffer is copied into a temporary direct buffer.
 * Accepts heap {@link ByteBuffer}s or retained {@link ByteBuf}s (written from their own memory,
 * then released; released too if discarded on cancel).
 */
public final class PipelinedFileSink {

    static final int IN_FLIGHT = 8;

    private PipelinedFileSink() {
    }

    public static Mono<Long> write(Publisher<?> source, Path target, boolean force) {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        return Mono.usingWhen(
                Mono.fromCallable(() -> Temp.create(dir, name)).subscribeOn(Schedulers.boundedElastic()),
                temp -> Flux.from(source)
                        .publishOn(Schedulers.boundedElastic(), IN_FLIGHT)
                        .reduce(0L, (written, item) -> written + temp.write(item))
                        .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)
                        .flatMap(written -> Mono.fromCallable(() -> temp.commit(target, written, force))
                                .subscribeOn(Schedulers.boundedElastic())),
                temp -> Mono.empty(),
                (temp, error) -> Mono.fromRunnable(temp::discard).subscribeOn(Schedulers.boundedElastic()),
                temp -> Mono.fromRunnable(temp::discard).subscribeOn(Schedulers.boundedElastic()));
    }

    private static final class Temp {
        final Path path;
        final FileChannel channel;
        private volatile boolean committed;

        private Temp(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        static Temp create(Path dir, String name) throws IOException {
            Path path = Files.createTempFile(dir, "." + name + ".", ".part");
            try {
                return new Temp(path, FileChannel.open(path, StandardOpenOption.WRITE));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
        }

        long write(Object item) {
            try {
                if (item instanceof ByteBuf buf) {
                    try {
                        long n = 0;
                        for (ByteBuffer b : buf.nioBuffers()) {
                            n += writeFully(b);
                        }
                        return n;
                    } finally {
                        buf.release();
                    }
                }
                return writeFully((ByteBuffer) item);
            } catch (IOException e) {
                throw reactor.core.Exceptions.propagate(e);
            }
        }

        private long writeFully(ByteBuffer b) throws IOException {
            long n = b.remaining();
            while (b.hasRemaining()) {
                channel.write(b);
            }
            return n;
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
                // best effort
            }
            if (!committed) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
