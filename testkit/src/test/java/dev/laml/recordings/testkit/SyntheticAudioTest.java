package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.SyntheticAudio;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated files are structurally valid, sized as specified, and deterministic. */
class SyntheticAudioTest {

    private static RecordingsServer server;

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void wavHasRiffHeaderAndPcmOfTheDuration(int channels) {
        TestRecording recording = server.addRecording(RecordingSpec.create().durationSeconds(7).channels(channels));
        ByteBuffer wav = ByteBuffer.wrap(recording.bytes(Format.WAV)).order(ByteOrder.LITTLE_ENDIAN);

        long dataBytes = 7L * 8000 * channels * 2;
        assertThat(wav.capacity()).isEqualTo(44 + dataBytes).isEqualTo(recording.size(Format.WAV));
        assertThat(ascii(wav, 0)).isEqualTo("RIFF");
        assertThat(wav.getInt(4)).isEqualTo(wav.capacity() - 8);
        assertThat(ascii(wav, 8)).isEqualTo("WAVE");
        assertThat(ascii(wav, 12)).isEqualTo("fmt ");
        assertThat(wav.getInt(16)).isEqualTo(16);
        assertThat(wav.getShort(20)).as("PCM").isEqualTo((short) 1);
        assertThat(wav.getShort(22)).isEqualTo((short) channels);
        assertThat(wav.getInt(24)).as("sample rate").isEqualTo(8000);
        assertThat(wav.getInt(28)).as("byte rate").isEqualTo(8000 * channels * 2);
        assertThat(wav.getShort(32)).as("block align").isEqualTo((short) (channels * 2));
        assertThat(wav.getShort(34)).as("bits per sample").isEqualTo((short) 16);
        assertThat(ascii(wav, 36)).isEqualTo("data");
        assertThat(wav.getInt(40)).isEqualTo(dataBytes);
        assertThat(wav.getInt(40) / (8000 * channels * 2)).isEqualTo(recording.durationSeconds());
        // Not silence: a tone is audible, so a player (or a human) can tell the file is real.
        int peak = 0;
        for (int i = 44; i < 44 + 2000; i += 2) {
            peak = Math.max(peak, Math.abs(wav.getShort(i)));
        }
        assertThat(peak).isGreaterThan(1000);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void mp3IsAChainOfValidMpeg1Layer3FramesCoveringTheDuration(int channels) {
        TestRecording recording = server.addRecording(RecordingSpec.create().durationSeconds(13).channels(channels));
        byte[] mp3 = recording.bytes(Format.MP3);

        int frames = walkFrames(mp3, 0, channels);

        assertThat(frames * 1152.0 / 44_100).isCloseTo(13.0, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void framesArePaddedLikeAnEncoderWouldAt44100Hz() {
        byte[] mp3 = server.addRecording(RecordingSpec.create().durationSeconds(2)).bytes(Format.MP3);
        int padded = 0;
        int offset = 0;
        while (offset < mp3.length) {
            boolean pad = (mp3[offset + 2] & 0x02) != 0;
            padded += pad ? 1 : 0;
            offset += 417 + (pad ? 1 : 0);
        }
        assertThat(padded).as("128 kbps at 44.1 kHz averages 417.96 bytes a frame").isGreaterThan(0);
        assertThat(offset).isEqualTo(mp3.length);
    }

    @ParameterizedTest
    @ValueSource(longs = {10, 417, 418, 500, 835, 4096, 1_000_003})
    void mp3OfAnExactSizeUsesAnId3TagForTheRemainder(long size) {
        ByteBuffer buffer = SyntheticAudio.mp3OfSize(1, size);
        byte[] mp3 = new byte[buffer.remaining()];
        buffer.get(mp3);

        assertThat(mp3).hasSize((int) size);
        int start = 0;
        if (mp3[0] == 'I' && mp3[1] == 'D' && mp3[2] == '3') {
            int tagSize = (mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9];
            start = 10 + tagSize;
        }
        walkFrames(mp3, start, 1);
    }

    @Test
    void explicitSizesAreHonouredAndDurationFollowsTheWav() {
        TestRecording recording = server.addRecording(RecordingSpec.create()
                .size(Format.WAV, 44 + 16_000 * 3 + 2)
                .size(Format.MP3, 12_345));
        assertThat(recording.size(Format.WAV)).isEqualTo(44 + 48_002);
        assertThat(recording.size(Format.MP3)).isEqualTo(12_345);
        assertThat(recording.durationSeconds()).isEqualTo(3);

        assertThatThrownBy(() -> server.addRecording(RecordingSpec.create().channels(2).size(Format.WAV, 44 + 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.addRecording(RecordingSpec.create().size(Format.MP3, 5)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloadsAreServedVerbatim() {
        byte[] junk = "not audio at all".getBytes(StandardCharsets.US_ASCII);
        TestRecording recording = server.addRecording(RecordingSpec.create().payload(Format.MP3, junk));
        assertThat(recording.bytes(Format.MP3)).isEqualTo(junk);
    }

    @Test
    void sameSeedSameBytesAndSidDifferentSeedDifferentBytes() {
        try (RecordingsServer other = RecordingsServer.start()) {
            TestRecording a = server.addRecording(RecordingSpec.create().seed(42).durationSeconds(2));
            TestRecording b = other.addRecording(RecordingSpec.create().seed(42).durationSeconds(2));
            TestRecording c = other.addRecording(RecordingSpec.create().seed(43).durationSeconds(2));

            assertThat(b.sid()).isEqualTo(a.sid())
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(b.sha256(Format.WAV)).isEqualTo(a.sha256(Format.WAV));
            assertThat(c.sha256(Format.WAV)).isNotEqualTo(a.sha256(Format.WAV));
            assertThat(a.etag(Format.WAV)).isEqualTo('"' + a.sha256(Format.WAV) + '"');
        }
    }

    @Test
    void addRecordingsIsDeterministicAndVariesSizes() {
        String account = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
        try (RecordingsServer one = RecordingsServer.builder().accountSid(account).start();
             RecordingsServer two = RecordingsServer.builder().accountSid(account).start()) {
            var first = one.addRecordings(40, 7);
            var second = two.addRecordings(40, 7);

            assertThat(second).extracting(TestRecording::sid).containsExactlyElementsOf(
                    first.stream().map(TestRecording::sid).toList());
            assertThat(second).extracting(TestRecording::json).containsExactlyElementsOf(
                    first.stream().map(TestRecording::json).toList());
            assertThat(first).extracting(r -> r.size(Format.WAV)).anySatisfy(s -> assertThat(s).isLessThan(200_000))
                    .anySatisfy(s -> assertThat(s).isGreaterThan(2_000_000));
            assertThat(first).extracting(TestRecording::sid).doesNotHaveDuplicates();
        }
    }

    /** Walks frame headers from {@code offset} to the end; returns the frame count. */
    static int walkFrames(byte[] mp3, int offset, int channels) {
        int[] bitrates = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
        int[] sampleRates = {44_100, 48_000, 32_000};
        int frames = 0;
        while (offset < mp3.length) {
            int header = ((mp3[offset] & 0xFF) << 24) | ((mp3[offset + 1] & 0xFF) << 16)
                    | ((mp3[offset + 2] & 0xFF) << 8) | (mp3[offset + 3] & 0xFF);
            assertThat(header >>> 21).as("sync word at %d", offset).isEqualTo(0x7FF);
            assertThat((header >>> 19) & 3).as("MPEG-1").isEqualTo(3);
            assertThat((header >>> 17) & 3).as("Layer III").isEqualTo(1);
            int bitrateIndex = (header >>> 12) & 0xF;
            assertThat(bitrateIndex).isBetween(1, 14);
            int sampleRateIndex = (header >>> 10) & 3;
            assertThat(sampleRateIndex).isLessThan(3);
            int padding = (header >>> 9) & 1;
            int mode = (header >>> 6) & 3;
            assertThat(mode == 3 ? 1 : 2).as("channels").isEqualTo(channels);
            int length = 144 * bitrates[bitrateIndex] * 1000 / sampleRates[sampleRateIndex] + padding;
            assertThat(offset + length).as("frame %d ends inside the file", frames).isLessThanOrEqualTo(mp3.length);
            offset += length;
            frames++;
        }
        assertThat(offset).as("the last frame ends exactly at the end").isEqualTo(mp3.length);
        return frames;
    }

    private static String ascii(ByteBuffer buffer, int at) {
        byte[] four = new byte[4];
        buffer.get(at, four);
        return new String(four, StandardCharsets.US_ASCII);
    }
}
