package dev.laml.recordings.reactor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic payloads and checksums shared by the adapter's tests. */
final class TestData {

    static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";
    /** A second, distinct recording sid. */
    static final String OTHER_RECORDING = "0b8a2f1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b";
    static final String PROJECT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    static final String TOKEN = "PTsecret-token-0123456789abcdef";

    private TestData() {
    }

    static byte[] bytes(int size, long seed) {
        byte[] out = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }

    static String sha256(byte[] bytes) {
        MessageDigest md = digest();
        md.update(bytes);
        return HexFormat.of().formatHex(md.digest());
    }

    /** Hashes buffers without consuming them (reads through duplicates). */
    static String sha256(List<ByteBuffer> buffers) {
        MessageDigest md = digest();
        for (ByteBuffer b : buffers) {
            md.update(b.duplicate());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static long size(List<ByteBuffer> buffers) {
        return buffers.stream().mapToLong(ByteBuffer::remaining).sum();
    }

    static byte[] fixture(String name) {
        try (InputStream in = TestData.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
