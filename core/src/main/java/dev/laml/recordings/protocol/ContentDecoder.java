package dev.laml.recordings.protocol;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Undoes a {@code gzip} or {@code deflate} content coding incrementally, without I/O: the adapter
 * {@linkplain #feed feeds} the encoded bytes as they arrive and {@linkplain #read reads} the
 * decoded ones in pieces of a size it chooses, as its subscriber asks for them. So a body is
 * decoded as it streams, never held whole, and a small encoded chunk that inflates a
 * thousandfold is handed on piece by piece rather than at once.
 *
 * <p>Strict, because the decoded bytes are the audio: a gzip stream must have a valid header,
 * deflate data and a trailer whose CRC-32 and length match what was decoded (several members in
 * a row are one stream, as RFC 1952 allows); {@code deflate} is the zlib format of RFC 1950 with
 * its Adler-32 checked, or, as some servers send it, raw RFC 1951 data (told apart by the zlib
 * header, as browsers do). Bytes after the end of the stream, a preset dictionary, or a stream
 * that ends early ({@link #finish()}) are errors. Errors are {@link ZipException}s; the adapter
 * turns them into {@link dev.laml.recordings.UnexpectedResponseException}s
 * ({@link RecordingsProtocol#undecodableBody}).
 *
 * <p>Not thread-safe: one decoder per body, used by one thread at a time (the signals of one
 * stream are serial). Holds native zlib memory until {@link #close()}, which is idempotent.
 * Arguments are never null; {@link #read(int)} returns null when it has nothing to give.
 */
public final class ContentDecoder implements AutoCloseable {

    private static final byte[] NO_INPUT = new byte[0];
    private static final int RESERVED_FLAGS = 0xE0;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;

    private enum State {
        /** gzip: the fixed ten bytes of a member header (the first member, or one after a trailer). */
        GZIP_HEADER, GZIP_EXTRA_LENGTH, GZIP_EXTRA, GZIP_NAME, GZIP_COMMENT, GZIP_HEADER_CRC,
        /** deflate: the first two bytes decide zlib or raw. */
        DEFLATE_START,
        DATA, GZIP_TRAILER, DONE, FAILED
    }

    private final RecordingsProtocol.ContentCoding coding;
    private final CRC32 crc = new CRC32();
    /** The CRC-32 of the gzip header so far, for FHCRC. */
    private final CRC32 headerCrc = new CRC32();
    private final byte[] field = new byte[10];
    private Inflater inflater;
    private State state;
    private byte[] in = NO_INPUT;
    private int pos;
    private int end;
    private int fieldLength;
    private int flags;
    private int extraRemaining;
    /** Decoded bytes of the current gzip member, modulo 2^32 as its trailer has them. */
    private long memberSize;
    /** Whether the stream could end here: after a whole gzip member, or a finished deflate stream. */
    private boolean complete;
    /** Whole gzip members decoded so far. */
    private int members;

    /**
     * A decoder for {@code coding}.
     *
     * @throws IllegalArgumentException for {@link RecordingsProtocol.ContentCoding#IDENTITY}, which has nothing to
     *                                  undo
     */
    public ContentDecoder(RecordingsProtocol.ContentCoding coding) {
        this.coding = Objects.requireNonNull(coding, "coding");
        this.state = switch (coding) {
            case GZIP -> State.GZIP_HEADER;
            case DEFLATE -> State.DEFLATE_START;
            case IDENTITY -> throw new IllegalArgumentException("identity needs no decoder");
        };
    }

    /** The coding this decoder undoes. */
    public RecordingsProtocol.ContentCoding coding() {
        return coding;
    }

    /**
     * Whether the decoder has used up its input, so that {@link #feed} may be called; true before
     * the first feed.
     */
    public boolean needsInput() {
        if (state == State.DATA) {
            return inflater.needsInput();
        }
        return pos >= end;
    }

    /**
     * Hands over the next encoded bytes. The array is kept, not copied, until it is used up: the
     * caller must not change it meanwhile.
     *
     * @throws IllegalStateException if the previous input is not used up ({@link #needsInput()})
     */
    public void feed(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (!needsInput()) {
            throw new IllegalStateException("the previous input is not used up yet");
        }
        in = encoded;
        pos = 0;
        end = encoded.length;
        if (state == State.DATA && end > 0) {
            inflater.setInput(in, 0, end);
            pos = end;
        }
    }

    /**
     * The next decoded bytes, at most {@code max} of them and at least one; null when the input
     * fed so far is used up (feed more, or {@link #finish()} at the end of the body).
     *
     * @throws ZipException if the encoded bytes are not a valid stream of this coding
     */
    public byte @Nullable [] read(int max) throws ZipException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        try {
            for (;;) {
                switch (state) {
                    case DATA -> {
                        byte[] out = inflate(max);
                        if (out != null) {
                            return out;
                        }
                        if (state == State.DATA) {
                            return null; // needs input
                        }
                    }
                    case FAILED -> throw new ZipException("the " + name() + " stream was already found broken");
                    default -> {
                        if (pos >= end) {
                            return null;
                        }
                        step();
                    }
                }
            }
        } catch (ZipException e) {
            state = State.FAILED;
            throw e;
        }
    }

    /**
     * Checks that the stream ended where the body did.
     *
     * @throws ZipException if it stopped short (a truncated stream) or bytes remain unread
     */
    public void finish() throws ZipException {
        if (state == State.FAILED) {
            throw new ZipException("the " + name() + " stream was already found broken");
        }
        if (!complete || !needsInput() || state == State.DATA) {
            state = State.FAILED;
            throw new ZipException("the " + name() + " stream ends before its end (the body holds only part of it)");
        }
    }

    /** Frees the native zlib memory; the decoder cannot be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    private String name() {
        return coding == RecordingsProtocol.ContentCoding.GZIP ? "gzip" : "deflate";
    }

    // ------------------------------------------------------------------ the stream's parts

    /** Consumes one byte of a header or trailer, or the deflate start; pos < end. */
    private void step() throws ZipException {
        switch (state) {
            case GZIP_HEADER -> {
                complete = false; // a member has begun: the stream can no longer end here
                int b = take(true);
                if ((fieldLength == 1 && b != 0x1f) || (fieldLength == 2 && b != 0x8b)) {
                    throw new ZipException(members > 0 ? "bytes after the end of the gzip stream"
                            : "not a gzip stream (no 1f 8b magic)");
                }
                if (fieldLength == 3 && b != 8) {
                    throw new ZipException("gzip compression method " + b + " is not deflate");
                }
                if (fieldLength == 10) {
                    flags = field[3] & 0xFF;
                    if ((flags & RESERVED_FLAGS) != 0) {
                        throw new ZipException("gzip header sets reserved flags");
                    }
                    fieldLength = 0;
                    nextHeaderPart(State.GZIP_EXTRA_LENGTH);
                }
            }
            case GZIP_EXTRA_LENGTH -> {
                take(true);
                if (fieldLength == 2) {
                    extraRemaining = (field[0] & 0xFF) | (field[1] & 0xFF) << 8;
                    fieldLength = 0;
                    if (extraRemaining == 0) {
                        nextHeaderPart(State.GZIP_NAME);
                    } else {
                        state = State.GZIP_EXTRA;
                    }
                }
            }
            case GZIP_EXTRA -> {
                int n = Math.min(extraRemaining, end - pos);
                headerCrc.update(in, pos, n);
                pos += n;
                extraRemaining -= n;
                if (extraRemaining == 0) {
                    nextHeaderPart(State.GZIP_NAME);
                }
            }
            case GZIP_NAME, GZIP_COMMENT -> {
                int b = in[pos++] & 0xFF;
                headerCrc.update(b);
                if (b == 0) {
                    nextHeaderPart(state == State.GZIP_NAME ? State.GZIP_COMMENT : State.GZIP_HEADER_CRC);
                }
            }
            case GZIP_HEADER_CRC -> {
                take(false);
                if (fieldLength == 2) {
                    int expected = (field[0] & 0xFF) | (field[1] & 0xFF) << 8;
                    if (expected != (int) (headerCrc.getValue() & 0xFFFF)) {
                        throw new ZipException("gzip header CRC does not match");
                    }
                    fieldLength = 0;
                    startData(true);
                }
            }
            case DEFLATE_START -> {
                take(false);
                if (fieldLength == 2) {
                    int cmf = field[0] & 0xFF;
                    int flg = field[1] & 0xFF;
                    // RFC 1950: method 8, a window of at most 32 KiB, and the two bytes a multiple of 31.
                    boolean zlib = (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
                    fieldLength = 0;
                    // The two bytes belong to the stream (raw deflate has no header): give them back,
                    // joined to the rest of this input, which they may not have come from.
                    byte[] joined = new byte[2 + end - pos];
                    joined[0] = (byte) cmf;
                    joined[1] = (byte) flg;
                    System.arraycopy(in, pos, joined, 2, end - pos);
                    in = joined;
                    pos = 0;
                    end = joined.length;
                    startData(!zlib);
                }
            }
            case GZIP_TRAILER -> {
                take(false);
                if (fieldLength == 8) {
                    long storedCrc = le32(0);
                    long storedSize = le32(4);
                    if (storedCrc != crc.getValue()) {
                        throw new ZipException("gzip CRC-32 does not match the decoded bytes");
                    }
                    if (storedSize != (memberSize & 0xFFFFFFFFL)) {
                        throw new ZipException("gzip length does not match the decoded bytes");
                    }
                    fieldLength = 0;
                    complete = true;
                    members++;
                    state = State.GZIP_HEADER; // another member may follow
                    headerCrc.reset();
                }
            }
            case DONE -> throw new ZipException("bytes after the end of the " + name() + " stream");
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** Appends the next input byte to the field being read; with {@code crc}, to the header CRC too. */
    private int take(boolean crcIt) {
        int b = in[pos++] & 0xFF;
        field[fieldLength++] = (byte) b;
        if (crcIt) {
            headerCrc.update(b);
        }
        return b;
    }

    /** Moves past the optional gzip header parts whose flag is not set. */
    private void nextHeaderPart(State next) {
        State s = next;
        if (s == State.GZIP_EXTRA_LENGTH && (flags & FEXTRA) == 0) {
            s = State.GZIP_NAME;
        }
        if (s == State.GZIP_NAME && (flags & FNAME) == 0) {
            s = State.GZIP_COMMENT;
        }
        if (s == State.GZIP_COMMENT && (flags & FCOMMENT) == 0) {
            s = State.GZIP_HEADER_CRC;
        }
        if (s == State.GZIP_HEADER_CRC && (flags & FHCRC) == 0) {
            startData(true);
            return;
        }
        state = s;
    }

    private void startData(boolean raw) {
        if (inflater == null) {
            inflater = new Inflater(raw);
        } else {
            inflater.reset();
        }
        crc.reset();
        memberSize = 0;
        state = State.DATA;
        if (pos < end) {
            inflater.setInput(in, pos, end - pos);
            pos = end;
        }
    }

    private byte[] inflate(int max) throws ZipException {
        byte[] out = new byte[max];
        int n;
        try {
            n = inflater.inflate(out, 0, max);
        } catch (DataFormatException e) {
            throw new ZipException("broken " + name() + " data: " + e.getMessage());
        }
        if (n > 0) {
            crc.update(out, 0, n);
            memberSize += n;
            return n == max ? out : Arrays.copyOf(out, n);
        }
        if (inflater.finished()) {
            // What the inflater was given beyond its stream: the gzip trailer, or bytes too many.
            int remaining = inflater.getRemaining();
            pos = end - remaining;
            if (coding == RecordingsProtocol.ContentCoding.GZIP) {
                state = State.GZIP_TRAILER;
            } else {
                state = State.DONE;
                complete = true;
                if (remaining > 0) {
                    throw new ZipException("bytes after the end of the deflate stream");
                }
            }
            return null;
        }
        if (inflater.needsDictionary()) {
            throw new ZipException("the deflate stream needs a preset dictionary, which HTTP never supplies");
        }
        return null;
    }

    private long le32(int at) {
        return (field[at] & 0xFFL) | (field[at + 1] & 0xFFL) << 8 | (field[at + 2] & 0xFFL) << 16
                | (field[at + 3] & 0xFFL) << 24;
    }

    @Override
    public String toString() {
        return "ContentDecoder[" + name() + ", " + state + "]";
    }

}
