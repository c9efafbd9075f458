package dev.laml.recordings.testkit.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Generates deterministic, structurally valid audio files in direct memory.
 *
 * <p>WAV: RIFF/WAVE with a 16-byte PCM {@code fmt } chunk (16-bit, 8 kHz, as telephony recordings are) and one
 * {@code data} chunk holding a tone plus quiet seeded noise, so that two recordings with different seeds never share
 * bytes (and so never share an ETag). MP3: MPEG-1 Layer III, 128 kbps, 44.1 kHz frames whose side information and
 * main data are all zero, which decoders play as silence; frame sizes alternate between 417 and 418 bytes exactly as
 * an encoder's padding would, so that a client or a test that walks the frame chain sees the real arithmetic.
 *
 * <p>Direct buffers, because the server hands slices of them to the socket: Netty would otherwise copy every heap
 * chunk into a direct buffer on each write. The buffers are never written after they are returned.
 *
 * <p>Stateless and thread-safe.
 */
public final class SyntheticAudio {

    /** WAV sample rate, in Hz. */
    public static final int WAV_SAMPLE_RATE = 8000;
    /** Size of the canonical WAV header (RIFF + fmt + data chunk headers). */
    public static final int WAV_HEADER_BYTES = 44;
    /** MP3 sample rate, in Hz. */
    public static final int MP3_SAMPLE_RATE = 44_100;
    /** MP3 bitrate, in bits per second. */
    public static final int MP3_BITRATE = 128_000;
    /** PCM samples per MPEG-1 Layer III frame. */
    public static final int MP3_SAMPLES_PER_FRAME = 1152;
    /** Size of an ID3v2 tag header. */
    public static final int ID3_HEADER_BYTES = 10;

    /** Frame size numerator: a Layer III frame is 144 * bitrate / sampleRate bytes, plus a padding byte. */
    private static final long MP3_FRAME_BYTES_NUM = 144L * MP3_BITRATE;

    private static final int STAGING = 64 * 1024;

    private SyntheticAudio() {
    }

    /** Bytes of PCM data for a recording of this many seconds. */
    public static long wavDataBytes(long durationSeconds, int channels) {
        return durationSeconds * WAV_SAMPLE_RATE * channels * 2L;
    }

    /**
     * Builds a WAV file with {@code dataBytes} bytes of PCM.
     *
     * @param dataBytes a multiple of {@code 2 * channels}, such that the file fits in an int
     */
    public static ByteBuffer wav(long seed, int channels, long dataBytes) {
        int blockAlign = 2 * channels;
        if (dataBytes < 0 || dataBytes % blockAlign != 0 || dataBytes > Integer.MAX_VALUE - WAV_HEADER_BYTES) {
            throw new IllegalArgumentException("WAV data size " + dataBytes + " is not a multiple of " + blockAlign
                    + " bytes below 2 GiB");
        }
        ByteBuffer out = ByteBuffer.allocateDirect(WAV_HEADER_BYTES + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(ascii("RIFF")).putInt((int) (36 + dataBytes)).put(ascii("WAVE"));
        out.put(ascii("fmt ")).putInt(16)
                .putShort((short) 1) // PCM
                .putShort((short) channels)
                .putInt(WAV_SAMPLE_RATE)
                .putInt(WAV_SAMPLE_RATE * blockAlign) // byte rate
                .putShort((short) blockAlign)
                .putShort((short) 16); // bits per sample
        out.put(ascii("data")).putInt((int) dataBytes);
        writeSamples(out, seed, channels, dataBytes);
        return out.clear();
    }

    /**
     * A tone whose period (10 to 25 samples, 320 Hz to 800 Hz) comes from the seed, under xorshift noise, so the data
     * never repeats: a client that splices a resumed download at the wrong offset gets a different hash.
     *
     * <p>Written for speed (a 256 MiB file in a few hundred milliseconds): the tone is tabulated per interleaved sample
     * over eight periods, so a group of eight samples never wraps; one xorshift step gives the noise of eight samples;
     * and samples are staged in a {@code short[]} and bulk-copied into a little-endian view of the direct buffer.
     */
    private static void writeSamples(ByteBuffer out, long seed, int channels, long dataBytes) {
        long state = mix(seed);
        int period = 10 + (int) Long.remainderUnsigned(state, 16);
        short[] tone = new short[8 * period * channels];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (short) Math.round(6000 * Math.sin(2 * Math.PI * (i / channels) / period));
        }
        ShortBuffer pcm = out.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        short[] staging = new short[STAGING / 2]; // a multiple of 8: whole groups
        long samples = dataBytes / 2;
        int phase = 0;
        for (long written = 0; written < samples; ) {
            for (int i = 0; i < staging.length; i += 8) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                for (int k = 0; k < 8; k++) {
                    staging[i + k] = (short) (tone[phase + k] + (byte) (state >>> (k << 3))); // noise in [-128, 127]
                }
                phase += 8;
                if (phase == tone.length) {
                    phase = 0;
                }
            }
            int batch = (int) Math.min(staging.length, samples - written);
            pcm.put(staging, 0, batch);
            written += batch;
        }
        out.position(out.position() + (int) dataBytes);
    }

    /** Bytes of PCM data for {@code millis} milliseconds of audio (8 samples a millisecond). */
    public static long wavDataBytesForMillis(long millis, int channels) {
        return millis * (WAV_SAMPLE_RATE / 1000) * channels * 2L;
    }

    /**
     * Silences part of a WAV made by {@link #wav}: zeroes the PCM from millisecond {@code fromMillis} (inclusive) to
     * {@code toMillis} (exclusive) of its data, as a recording paused with silence holds. Writes in place, through
     * absolute puts, so only before the buffer is shared.
     */
    public static void silence(ByteBuffer wav, int channels, long fromMillis, long toMillis) {
        long from = WAV_HEADER_BYTES + wavDataBytesForMillis(fromMillis, channels);
        long to = WAV_HEADER_BYTES + wavDataBytesForMillis(toMillis, channels);
        if (fromMillis < 0 || from > to || to > wav.capacity()) {
            throw new IllegalArgumentException("silence " + fromMillis + "-" + toMillis + " ms is outside the WAV");
        }
        for (int i = (int) from; i < to; i++) {
            wav.put(i, (byte) 0);
        }
    }

    /** Number of MP3 frames that best covers {@code millis} milliseconds; at least one. */
    public static long mp3FramesForMillis(long millis) {
        return Math.max(1, Math.round(millis * (double) MP3_SAMPLE_RATE / MP3_SAMPLES_PER_FRAME / 1000));
    }

    /** Number of MP3 frames that best covers {@code durationSeconds}; at least one, so that the file is never empty. */
    public static long mp3FramesFor(long durationSeconds) {
        return Math.max(1, Math.round(durationSeconds * (double) MP3_SAMPLE_RATE / MP3_SAMPLES_PER_FRAME));
    }

    /** Total size of the first {@code frames} frames: frame i ends at floor((i + 1) * 144 * bitrate / sampleRate). */
    public static long mp3FramesBytes(long frames) {
        return frames * MP3_FRAME_BYTES_NUM / MP3_SAMPLE_RATE;
    }

    /** An MP3 of {@code frames} silent frames and nothing else. */
    public static ByteBuffer mp3(int channels, long frames) {
        return mp3(channels, frames, 0);
    }

    /**
     * An MP3 of exactly {@code totalBytes}: as many silent frames as fit, preceded by an ID3v2 tag whose padding takes
     * up the remainder (players skip the tag; that is how real files carry arbitrary metadata before the first frame).
     *
     * @param totalBytes at least {@value #ID3_HEADER_BYTES}, or an exact frame-chain size
     */
    public static ByteBuffer mp3OfSize(int channels, long totalBytes) {
        if (totalBytes < 0 || totalBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("MP3 size " + totalBytes + " is not between 0 and 2 GiB");
        }
        long frames = totalBytes * MP3_SAMPLE_RATE / MP3_FRAME_BYTES_NUM;
        while (mp3FramesBytes(frames) > totalBytes) {
            frames--;
        }
        long tag = totalBytes - mp3FramesBytes(frames);
        if (tag != 0 && tag < ID3_HEADER_BYTES) {
            if (frames == 0) {
                throw new IllegalArgumentException("MP3 size " + totalBytes + " is neither 0 nor at least "
                        + ID3_HEADER_BYTES + " bytes");
            }
            frames--;
            tag = totalBytes - mp3FramesBytes(frames);
        }
        return mp3(channels, frames, (int) tag);
    }

    private static ByteBuffer mp3(int channels, long frames, int tagBytes) {
        long total = tagBytes + mp3FramesBytes(frames);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("MP3 of " + frames + " frames exceeds 2 GiB");
        }
        // allocateDirect zero-fills, which is exactly the silent side information and main data we want.
        ByteBuffer out = ByteBuffer.allocateDirect((int) total);
        if (tagBytes > 0) {
            int size = tagBytes - ID3_HEADER_BYTES;
            out.put(ascii("ID3")).put((byte) 4).put((byte) 0).put((byte) 0) // v2.4.0, no flags
                    .put((byte) ((size >>> 21) & 0x7F)).put((byte) ((size >>> 14) & 0x7F))
                    .put((byte) ((size >>> 7) & 0x7F)).put((byte) (size & 0x7F)); // syncsafe size, then zero padding
        }
        // Byte 1: sync tail 111, MPEG-1 (11), Layer III (01), no CRC (1). Byte 2: bitrate index 9 (128 kbps),
        // sample-rate index 0 (44.1 kHz), padding bit, private bit 0. Byte 3: channel mode (11 mono, 00 stereo).
        byte mode = (byte) (channels == 1 ? 0xC0 : 0x00);
        long start = tagBytes;
        for (long i = 0; i < frames; i++) {
            long end = tagBytes + mp3FramesBytes(i + 1);
            boolean padded = end - start > MP3_FRAME_BYTES_NUM / MP3_SAMPLE_RATE;
            int at = (int) start;
            out.put(at, (byte) 0xFF).put(at + 1, (byte) 0xFB)
                    .put(at + 2, (byte) (padded ? 0x92 : 0x90)).put(at + 3, mode);
            start = end;
        }
        return out.clear();
    }

    /** SplitMix64 finaliser, so that neighbouring seeds give unrelated tones and noise (and xorshift never sees 0). */
    private static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return z == 0 ? 0x9E3779B97F4A7C15L : z;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
