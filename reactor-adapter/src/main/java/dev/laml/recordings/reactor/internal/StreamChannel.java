package dev.laml.recordings.reactor.internal;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Future;

/**
 * A character device, FIFO or socket seen through {@link FileSink}'s asynchronous channel: each write runs the
 * blocking write on {@link Schedulers#boundedElastic()} and reports to the handler, so the sink's one-buffer-at-a-time
 * loop and its release rules stay the same for a stream as for a file.
 *
 * <p>A stream has no positions: bytes go in the order written, and the position argument is ignored (the sink writes
 * strictly in order, one write at a time). A write that accepts no byte of a non-empty buffer is a short write and
 * fails. {@link #force} does nothing (a device or pipe has nothing to sync); {@link #close} ends a write blocked on a
 * slow reader, whose handler then sees the failure.
 *
 * <p>Thread-safe as far as the sink uses it: one write at a time, {@code close} from any thread.
 */
final class StreamChannel extends AsynchronousFileChannel {

    private final WritableByteChannel channel;
    private final Path path;
    private final Scheduler scheduler = Schedulers.boundedElastic();

    private StreamChannel(WritableByteChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
    }

    /**
     * Opens a device or FIFO for writing (a FIFO waits here for a reader, as with any writer), or connects to a Unix
     * domain socket. Blocking.
     */
    static StreamChannel open(TargetFile.Resolved target) throws IOException {
        WritableByteChannel channel = target.kind() == TargetFile.Kind.SOCKET
                ? SocketChannel.open(UnixDomainSocketAddress.of(target.path()))
                : FileChannel.open(target.path(), StandardOpenOption.WRITE);
        return new StreamChannel(channel, target.path());
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        // A rejected task throws here, where the sink catches it and fails, releasing its buffer.
        scheduler.schedule(() -> {
            int before = src.remaining();
            int written;
            try {
                written = channel.write(src);
            } catch (IOException | RuntimeException e) {
                handler.failed(e, attachment);
                return;
            }
            if (written <= 0 && before > 0) {
                handler.failed(new IOException(path + ": short write (accepted " + Math.max(written, 0) + " of "
                        + before + " bytes)"), attachment);
                return;
            }
            handler.completed(written, attachment);
        });
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        throw new UnsupportedOperationException("the file sink writes with a completion handler");
    }

    @Override
    public void force(boolean metaData) {
        // Nothing to sync: a device or pipe keeps no data of its own.
    }

    @Override
    public long size() throws IOException {
        throw new IOException(path + " is a stream and has no size");
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        throw new IOException(path + " is a stream and cannot be truncated");
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        handler.failed(new UnsupportedOperationException("a stream cannot be locked"), attachment);
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("a stream cannot be locked");
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException("a stream cannot be locked");
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        handler.failed(new ClosedChannelException(), attachment);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        throw new UnsupportedOperationException("the stream is open for writing only");
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
