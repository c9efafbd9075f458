package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.benchmarks.Fixtures;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * One download's consumer: folds every byte it is given ({@link Fixtures#fold}) and counts them.
 * Signals of one download are serial, so plain fields suffice; the benchmark thread reads them
 * after the download completed (a happens-before edge through the completion signal).
 */
public final class Sink {
    public long acc;
    public long bytes;

    public void accept(ByteBuffer b) {
        acc ^= Fixtures.fold(b);
        bytes += b.remaining();
    }

    /** Folds a Netty buffer through NIO views of its memory: no copy. */
    public void accept(ByteBuf b) {
        if (b.nioBufferCount() == 1) {
            accept(b.nioBuffer());
        } else {
            for (ByteBuffer part : b.nioBuffers()) {
                accept(part);
            }
        }
    }

    /** Checks the byte count, returns the fold. */
    public long verify(long expected) {
        if (bytes != expected) {
            throw new IllegalStateException("download delivered " + bytes + " bytes, expected " + expected);
        }
        return acc;
    }
}
