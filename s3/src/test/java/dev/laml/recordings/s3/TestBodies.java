package dev.laml.recordings.s3;

import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Bodies of any length, generated chunk by chunk as they are requested (never whole in memory),
 * and their SHA-256 computed the same way. Each chunk is a fresh heap buffer, the subscriber's to
 * keep. The content is a random 1 MiB block seen through a window that moves with every chunk,
 * with the chunk's index written over its first bytes, so that a lost, repeated or reordered
 * chunk changes the hash.
 */
public final class TestBodies {

    public static final int CHUNK = 64 * 1024;
    private static final byte[] BLOCK = new byte[1024 * 1024];

    static {
        new SplittableRandom(20260101).nextBytes(BLOCK);
    }

    private TestBodies() {
    }

    /** {@code length} bytes in chunks of {@link #CHUNK} (the last one shorter). */
    public static Flux<ByteBuffer> body(long length) {
        return body(0, length);
    }

    /** The bytes {@code [from, to)} of the same content as {@link #body(long)}; {@code from} a multiple of CHUNK. */
    public static Flux<ByteBuffer> body(long from, long to) {
        if (from % CHUNK != 0) {
            throw new IllegalArgumentException("from must be a multiple of " + CHUNK);
        }
        long chunks = (to - from + CHUNK - 1) / CHUNK;
        return Flux.range(0, (int) chunks)
                .map(i -> {
                    long index = from / CHUNK + i;
                    int size = (int) Math.min(CHUNK, to - index * CHUNK);
                    return ByteBuffer.wrap(chunk(index, size));
                });
    }

    public static byte[] bytes(int length) {
        byte[] all = new byte[length];
        for (long index = 0; index * CHUNK < length; index++) {
            byte[] chunk = chunk(index, (int) Math.min(CHUNK, length - index * CHUNK));
            System.arraycopy(chunk, 0, all, (int) (index * CHUNK), chunk.length);
        }
        return all;
    }

    public static String sha256(long length) {
        MessageDigest digest = newSha256();
        for (long index = 0; index * CHUNK < length; index++) {
            digest.update(chunk(index, (int) Math.min(CHUNK, length - index * CHUNK)));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static byte[] chunk(long index, int size) {
        byte[] chunk = new byte[size];
        int offset = (int) ((index * 7919) % (BLOCK.length - CHUNK));
        System.arraycopy(BLOCK, offset, chunk, 0, size);
        for (int b = 0; b < Math.min(8, size); b++) {
            chunk[b] = (byte) (index >>> (8 * b));
        }
        return chunk;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
