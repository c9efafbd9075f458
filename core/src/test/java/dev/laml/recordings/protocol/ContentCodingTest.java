package dev.laml.recordings.protocol;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.protocol.RecordingsProtocol.ContentCoding;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bodies in a content coding the client never asked for: which codings are decoded, how a decoded body is cut and
 * resumed, and the decoder itself, fed in every chunking and read in every piece size.
 */
class ContentCodingTest {

    private static final RecordingsProtocol PROTOCOL =
            RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build();
    private static final ApiRequest MEDIA = PROTOCOL.media(ACCOUNT_SID, RECORDING_SID, AudioFormat.MP3);
    private static final byte[] AUDIO = audio(300_000);

    private static byte[] audio(int n) {
        // Compressible, like a WAV's silence and tones: runs and a little noise.
        byte[] b = new byte[n];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((i / 64) % 7 == 0 ? random.nextInt(256) : (i / 512) & 0x3F);
        }
        return b;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    static byte[] zlib(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            d.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** Feeds {@code encoded} in chunks of {@code chunk} bytes, reads pieces of at most {@code piece}; finishes. */
    static byte[] decode(ContentCoding coding, byte[] encoded, int chunk, int piece) throws ZipException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ContentDecoder decoder = new ContentDecoder(coding)) {
            for (int at = 0; at < encoded.length; at += chunk) {
                assertThat(decoder.needsInput()).isTrue();
                decoder.feed(Arrays.copyOfRange(encoded, at, Math.min(encoded.length, at + chunk)));
                for (byte[] b; (b = decoder.read(piece)) != null; ) {
                    assertThat(b.length).isBetween(1, piece);
                    out.write(b, 0, b.length);
                }
            }
            decoder.finish();
        }
        return out.toByteArray();
    }

    @Nested
    class Decoder {

        @ParameterizedTest(name = "chunks of {0}, pieces of {1}")
        @CsvSource({"1, 1", "1, 65536", "7, 13", "1000, 4096", "65536, 65536", "1000000, 100"})
        void gzipDecodesToTheExactBytesWhateverTheChunkingAndPieceSize(int chunk, int piece) throws ZipException {
            byte[] small = Arrays.copyOf(AUDIO, chunk == 1 || piece == 1 ? 20_000 : AUDIO.length);
            assertThat(decode(ContentCoding.GZIP, gzip(small), chunk, piece)).isEqualTo(small);
        }

        @ParameterizedTest(name = "raw = {0}")
        @ValueSource(booleans = {false, true})
        void deflateIsZlibOrRawDeflateToldApartByTheZlibHeader(boolean raw) throws ZipException {
            assertThat(decode(ContentCoding.DEFLATE, zlib(AUDIO, raw), 3, 8192)).isEqualTo(AUDIO);
            assertThat(decode(ContentCoding.DEFLATE, zlib(AUDIO, raw), 1 << 20, 8192)).isEqualTo(AUDIO);
        }

        @Test
        void severalGzipMembersAreOneStream() throws ZipException {
            byte[] a = Arrays.copyOf(AUDIO, 1000);
            byte[] b = Arrays.copyOfRange(AUDIO, 1000, 5000);
            byte[] both = concat(gzip(a), gzip(b));
            assertThat(decode(ContentCoding.GZIP, both, 5, 100)).isEqualTo(Arrays.copyOf(AUDIO, 5000));
        }

        @Test
        void aHeaderWithExtraNameCommentAndHeaderCrcIsSkipped() throws ZipException {
            byte[] plain = gzip(Arrays.copyOf(AUDIO, 4000));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write(plain, 0, 3);
            head.write(0x02 | 0x04 | 0x08 | 0x10); // FHCRC FEXTRA FNAME FCOMMENT
            head.write(plain, 4, 6);
            head.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'});
            head.writeBytes("call.wav\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            head.writeBytes("a comment\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            CRC32 crc = new CRC32();
            crc.update(head.toByteArray());
            head.write((int) crc.getValue() & 0xFF);
            head.write((int) (crc.getValue() >> 8) & 0xFF);
            byte[] withHeader = concat(head.toByteArray(), Arrays.copyOfRange(plain, 10, plain.length));

            assertThat(decode(ContentCoding.GZIP, withHeader, 1, 512)).isEqualTo(Arrays.copyOf(AUDIO, 4000));

            withHeader[head.size() - 1] ^= 1;
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, withHeader, 64, 512))
                    .isInstanceOf(ZipException.class).hasMessageContaining("header CRC");
        }

        @Test
        void aDecompressionBombIsHandedOnPieceByPiece() throws ZipException {
            byte[] zeros = new byte[20 << 20];
            byte[] bomb = gzip(zeros);
            assertThat(bomb.length).isLessThan(40_000);
            try (ContentDecoder decoder = new ContentDecoder(ContentCoding.GZIP)) {
                decoder.feed(bomb);
                long total = 0;
                int pieces = 0;
                for (byte[] b; (b = decoder.read(65_536)) != null; pieces++) {
                    assertThat(b.length).isLessThanOrEqualTo(65_536);
                    total += b.length;
                }
                decoder.finish();
                assertThat(total).isEqualTo(zeros.length);
                assertThat(pieces).isGreaterThanOrEqualTo(320);
            }
        }

        @Test
        void anEmptyGzipStreamDecodesToNothingButNoBytesAtAllIsNoStream() throws ZipException {
            assertThat(decode(ContentCoding.GZIP, gzip(new byte[0]), 4, 4)).isEmpty();
            try (ContentDecoder decoder = new ContentDecoder(ContentCoding.GZIP)) {
                assertThatThrownBy(decoder::finish).isInstanceOf(ZipException.class).hasMessageContaining("ends before");
            }
        }

        @ParameterizedTest(name = "cut after {0} bytes")
        @ValueSource(ints = {1, 5, 10, 11, 500, -8, -1})
        void aTruncatedStreamFailsAtTheEnd(int cut) {
            byte[] whole = gzip(Arrays.copyOf(AUDIO, 10_000));
            byte[] truncated = Arrays.copyOf(whole, cut > 0 ? cut : whole.length + cut);
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, truncated, 100, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("ends before its end");
        }

        @Test
        void aWrongCrcOrLengthInTheTrailerFails() {
            byte[] badCrc = gzip(Arrays.copyOf(AUDIO, 10_000));
            badCrc[badCrc.length - 8] ^= 1;
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, badCrc, 100, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("CRC-32");
            byte[] badLength = gzip(Arrays.copyOf(AUDIO, 10_000));
            badLength[badLength.length - 1] ^= 1;
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, badLength, 100, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("length");
        }

        @Test
        void corruptDataBytesAfterTheStreamAndAnotherFormatFail() {
            byte[] corrupt = gzip(Arrays.copyOf(AUDIO, 10_000));
            for (int i = 12; i < 40; i++) {
                corrupt[i] = (byte) 0xFF;
            }
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, corrupt, 100, 1000)).isInstanceOf(ZipException.class);
            byte[] trailing = concat(gzip(Arrays.copyOf(AUDIO, 100)), new byte[] {0, 0});
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, trailing, 100, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("after the end");
            byte[] deflateTrailing = concat(zlib(Arrays.copyOf(AUDIO, 100), false), new byte[] {'x'});
            assertThatThrownBy(() -> decode(ContentCoding.DEFLATE, deflateTrailing, 7, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("after the end");
            assertThatThrownBy(() -> decode(ContentCoding.GZIP, "ID3 not gzip".getBytes(), 100, 1000))
                    .isInstanceOf(ZipException.class).hasMessageContaining("not a gzip stream");
            assertThatThrownBy(() -> decode(ContentCoding.DEFLATE, gzip(AUDIO), 100, 1000))
                    .isInstanceOf(ZipException.class);
        }

        @Test
        void aBrokenDecoderStaysBrokenAndMisuseIsRefused() throws ZipException {
            try (ContentDecoder decoder = new ContentDecoder(ContentCoding.GZIP)) {
                decoder.feed(new byte[] {1, 2, 3});
                assertThatThrownBy(() -> decoder.read(10)).isInstanceOf(ZipException.class);
                assertThatThrownBy(() -> decoder.read(10)).isInstanceOf(ZipException.class);
                assertThatThrownBy(decoder::finish).isInstanceOf(ZipException.class);
            }
            try (ContentDecoder decoder = new ContentDecoder(ContentCoding.GZIP)) {
                decoder.feed(gzip(AUDIO));
                assertThat(decoder.read(10)).hasSize(10);
                assertThatThrownBy(() -> decoder.feed(new byte[1])).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> decoder.read(0)).isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> new ContentDecoder(ContentCoding.IDENTITY))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    @Nested
    class WhichCodings {

        @ParameterizedTest(name = "Content-Encoding: [{0}] -> {1}")
        @CsvSource(delimiter = '|', nullValues = "ABSENT", value = {
                "ABSENT | IDENTITY", "'' | IDENTITY", "identity | IDENTITY", "gzip | GZIP", "GZIP | GZIP",
                "x-gzip | GZIP", "deflate | DEFLATE", "' gzip , identity ' | GZIP", "identity, deflate | DEFLATE",
                "br | NULL", "compress | NULL", "zstd | NULL", "gzip, gzip | NULL", "gzip, br | NULL",
                "deflate, gzip | NULL", "gzip;q=1 | NULL"})
        void contentEncoding(String value, String expected) {
            ContentCoding coding = PROTOCOL.contentCoding(value == null ? headers() : headers("Content-Encoding", value));
            assertThat(coding == null ? "NULL" : coding.name()).isEqualTo(expected);
        }

        @ParameterizedTest(name = "Transfer-Encoding: [{0}] -> {1}")
        @CsvSource(delimiter = '|', value = {"chunked | IDENTITY", "CHUNKED | IDENTITY", "identity, chunked | IDENTITY",
                "gzip, chunked | NULL", "gzip | NULL", "deflate | NULL", "x-custom, chunked | NULL"})
        void transferCodingsOtherThanChunkedAreNotDecoded(String value, String expected) {
            ContentCoding coding = PROTOCOL.contentCoding(headers("Transfer-Encoding", value));
            assertThat(coding == null ? "NULL" : coding.name()).isEqualTo(expected);
        }

        @Test
        void anUnsupportedCodingIsAnUnexpectedResponseNamingIt() {
            UnexpectedResponseException e = PROTOCOL.unsupportedCoding(MEDIA, 200, headers("Content-Encoding", "br"));
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.getMessage()).contains("Content-Encoding \"br\"", "does not decode", RECORDING_SID + ".mp3");
            assertThatThrownBy(() -> PROTOCOL.rangeAnswer(MEDIA, null, 200, headers("Content-Encoding", "br")))
                    .isInstanceOf(UnexpectedResponseException.class);
        }

        @Test
        void everyRequestSaysItWantsNoCoding() {
            assertThat(MEDIA.headers()).containsEntry("Accept-Encoding", "identity");
            assertThat(PROTOCOL.fetch(ACCOUNT_SID, RECORDING_SID).headers()).containsEntry("Accept-Encoding", "identity");
        }

        @Test
        void anUndecodableBodyKeepsTheDecodersComplaintAsCause() {
            ZipException cause = new ZipException("gzip CRC-32 does not match");
            UnexpectedResponseException e = PROTOCOL.undecodableBody(MEDIA, 200, ContentCoding.GZIP, cause);
            assertThat(e).hasCause(cause).hasMessageContaining("gzip body that does not decode: gzip CRC-32");
        }
    }

    @Nested
    class RangesAndResumes {

        @Test
        void aCodedWholeBodyHasNoKnownLengthSoItsBytesAreCountedAfterDecoding() {
            var answer = PROTOCOL.rangeAnswer(MEDIA, null, 200, headers("Content-Encoding", "gzip",
                    "Content-Length", "1234"));
            assertThat(answer.expectedLength()).isEqualTo(-1);
            assertThat(answer.length()).isEqualTo(-1);

            var cut = PROTOCOL.rangeAnswer(MEDIA, ByteRange.of(100, 199), 200, headers("Content-Encoding", "gzip",
                    "Content-Length", "50"));
            assertThat(cut.skip()).isEqualTo(100);
            assertThat(cut.deliver()).isEqualTo(100);
        }

        @Test
        void aSuffixOfACodedWholeBodyCannotBePlaced() {
            assertThatThrownBy(() -> PROTOCOL.rangeAnswer(MEDIA, ByteRange.last(10), 200,
                    headers("Content-Encoding", "gzip", "Content-Length", "50")))
                    .isInstanceOf(UnexpectedResponseException.class);
        }

        @Test
        void aCodedPartIsRefusedFirstAndOnResume() {
            var coded206 = headers("Content-Encoding", "gzip", "Content-Range", "bytes 0-9/100", "Content-Length", "10");
            assertThatThrownBy(() -> PROTOCOL.rangeAnswer(MEDIA, ByteRange.of(0, 9), 206, coded206))
                    .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("part of a coded body");
            var resumed = headers("Content-Encoding", "gzip", "Content-Range", "bytes 50-99/100", "ETag", "\"v1\"");
            assertThatThrownBy(() -> PROTOCOL.continuation(MEDIA, 206, resumed, 50, 100, "\"v1\""))
                    .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("part of a coded body");
        }

        @Test
        void aCodedWholeBodySentAgainWithTheSameValidatorIsSkippedInDecodedBytes() throws Exception {
            var again = headers("Content-Encoding", "gzip", "Content-Length", "40", "ETag", "\"v1\"");
            var c = PROTOCOL.continuation(MEDIA, 200, again, 5000, -1, "\"v1\"");
            assertThat(c.skip()).isEqualTo(5000);
            assertThat(c.expectedLength()).as("decoded length unknown").isEqualTo(-1);
        }

        @Test
        void anUncodedPartContinuesABodyThatBeganCoded() throws Exception {
            var part = headers("Content-Range", "bytes 5000-9999/10000", "ETag", "\"v1\"");
            var c = PROTOCOL.continuation(MEDIA, 206, part, 5000, -1, "\"v1\"");
            assertThat(c.skip()).isZero();
            assertThat(c.expectedLength()).isEqualTo(5000);
        }
    }
}
