package dev.laml.recordings.protocol;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;
import dev.laml.recordings.protocol.RecordingsProtocol.RangeAnswer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.noHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingsProtocol: asking for a byte range and reading the answer")
class RangeAnswerTest {

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build();
    private final ApiRequest media = protocol.media(ACCOUNT_SID, RECORDING_SID, AudioFormat.MP3);

    @Test
    void aRangedRequestCarriesRangeAndNoIfRange() {
        ApiRequest stale = protocol.resumeFrom(media, 10, "\"v1\"");
        ApiRequest ranged = protocol.ranged(stale, ByteRange.of(0, 1023));
        assertThat(ranged.headers()).containsEntry("Range", "bytes=0-1023").doesNotContainKey("If-Range");
        assertThat(ranged.uri()).isEqualTo(media.uri());
        assertThatThrownBy(() -> protocol.ranged(media, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMatching206IsDeliveredWhole() {
        RangeAnswer a = protocol.rangeAnswer(media, ByteRange.of(100, 199), 206,
                headers("Content-Range", "bytes 100-199/1000", "Content-Length", "100"));
        assertThat(a.skip()).isZero();
        assertThat(a.deliver()).isEqualTo(-1);
        assertThat(a.expectedLength()).isEqualTo(100);
        assertThat(a.length()).isEqualTo(100);
        assertThat(a.contentRange()).isEqualTo(ContentRange.of(100, 199, 1000));
    }

    @Test
    void a206ClippedAtTheEndOfTheRecordingIsStillAnAnswer() {
        RangeAnswer a = protocol.rangeAnswer(media, ByteRange.of(900, 5000), 206,
                headers("Content-Range", "bytes 900-999/1000"));
        assertThat(a.contentRange()).isEqualTo(ContentRange.of(900, 999, 1000));
        assertThat(a.length()).isEqualTo(100);
    }

    @Test
    void a206ForOtherBytesThanAskedIsAnUnexpectedResponse() {
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.of(100, 199), 206,
                headers("Content-Range", "bytes 0-99/1000")))
                .isInstanceOf(UnexpectedResponseException.class)
                .hasMessageContaining("bytes=100-199").hasMessageContaining("bytes 0-99/1000");
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.of(100, 199), 206, noHeaders()))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.of(100, 199), 206,
                headers("Content-Range", "bytes 100-199/1000", "Content-Length", "1000")))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("Content-Length 1000");
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.last(10), 206,
                headers("Content-Range", "bytes 0-9/1000")))
                .isInstanceOf(UnexpectedResponseException.class);
    }

    @Test
    void aServerThatIgnoresTheRangeHasTheAskedBytesCutOutOfTheWholeBody() {
        RangeAnswer of = protocol.rangeAnswer(media, ByteRange.of(100, 199), 200, headers("Content-Length", "1000"));
        assertThat(of.skip()).isEqualTo(100);
        assertThat(of.deliver()).isEqualTo(100);
        assertThat(of.expectedLength()).isEqualTo(1000);
        assertThat(of.contentRange()).isEqualTo(ContentRange.of(100, 199, 1000));

        RangeAnswer from = protocol.rangeAnswer(media, ByteRange.from(600), 200, headers("Content-Length", "1000"));
        assertThat(from.skip()).isEqualTo(600);
        assertThat(from.deliver()).isEqualTo(400);
        assertThat(from.contentRange()).isEqualTo(ContentRange.of(600, 999, 1000));

        RangeAnswer last = protocol.rangeAnswer(media, ByteRange.last(50), 200, headers("Content-Length", "1000"));
        assertThat(last.skip()).isEqualTo(950);
        assertThat(last.deliver()).isEqualTo(50);

        RangeAnswer longSuffix = protocol.rangeAnswer(media, ByteRange.last(5000), 200, headers("Content-Length", "1000"));
        assertThat(longSuffix.skip()).isZero();
        assertThat(longSuffix.deliver()).isEqualTo(1000);

        RangeAnswer clipped = protocol.rangeAnswer(media, ByteRange.of(900, 5000), 200, headers("Content-Length", "1000"));
        assertThat(clipped.deliver()).isEqualTo(100);
        assertThat(clipped.contentRange()).isEqualTo(ContentRange.of(900, 999, 1000));
    }

    @Test
    void withoutALengthTheIgnoredRangeIsCutAsFarAsItCanBe() {
        RangeAnswer of = protocol.rangeAnswer(media, ByteRange.of(100, 199), 200, noHeaders());
        assertThat(of.skip()).isEqualTo(100);
        assertThat(of.deliver()).isEqualTo(100);
        assertThat(of.length()).isEqualTo(100);
        assertThat(of.contentRange()).isEqualTo(ContentRange.of(100, 199, -1));

        RangeAnswer from = protocol.rangeAnswer(media, ByteRange.from(100), 200, noHeaders());
        assertThat(from.skip()).isEqualTo(100);
        assertThat(from.deliver()).isEqualTo(-1);
        assertThat(from.length()).isEqualTo(-1);
        assertThat(from.contentRange()).isNull();

        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.last(10), 200, noHeaders()))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("without a Content-Length");
    }

    @Test
    void aRangeStartingPastTheEndOfAWholeBodyIsNotSatisfiable() {
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.from(1000), 200, headers("Content-Length", "1000")))
                .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> {
                    assertThat(e.totalLength()).isEqualTo(1000);
                    assertThat(e.httpStatus()).isEqualTo(200);
                });
        assertThatThrownBy(() -> protocol.rangeAnswer(media, ByteRange.last(1), 200, headers("Content-Length", "0")))
                .isInstanceOf(RangeNotSatisfiableException.class);
    }

    /** What the adapter raises when a whole body sent for a range ended before the range began. */
    @Test
    void aRangeNotSatisfiableFoundByTheClientSaysTheRangeTheLengthAndThatTheServerIgnoredIt() {
        RangeNotSatisfiableException known = protocol.rangeNotSatisfiable(media, ByteRange.from(500), 200, 320);
        assertThat(known.totalLength()).isEqualTo(320);
        assertThat(known.httpStatus()).isEqualTo(200);
        assertThat(known).hasMessageContaining("bytes=500-").hasMessageContaining("has 320 bytes")
                .hasMessageContaining("the server ignored the range");
        RangeNotSatisfiableException unknown = protocol.rangeNotSatisfiable(media, ByteRange.from(500), 200, -1);
        assertThat(unknown.totalLength()).isEqualTo(-1);
        assertThat(unknown).hasMessageContaining("has fewer bytes");
        assertThat(RetryPolicy.defaults().isRetryable(known)).isFalse();
    }

    @Test
    void withoutARangeTheWholeBodyIsDeliveredAndNoRangeIsReported() {
        RangeAnswer a = protocol.rangeAnswer(media, null, 200, headers("Content-Length", "1000"));
        assertThat(a.skip()).isZero();
        assertThat(a.deliver()).isEqualTo(-1);
        assertThat(a.length()).isEqualTo(1000);
        assertThat(a.contentRange()).isNull();
        assertThat(protocol.rangeAnswer(media, null, 200, noHeaders()).length()).isEqualTo(-1);
    }

    /**
     * Found by the adapter's socket fuzzing (a download restarted after a break before its first byte, answered
     * 206 {@code bytes 0-12/16}: 13 bytes of 16 delivered as the whole recording).
     */
    @Test
    void withoutARangeA206IsDeliveredOnlyWhenItIsTheWholeRecording() {
        RangeAnswer whole = protocol.rangeAnswer(media, null, 206,
                headers("Content-Range", "bytes 0-15/16", "Content-Length", "16"));
        assertThat(whole.length()).isEqualTo(16);
        assertThat(whole.contentRange()).isNull();
        for (String range : new String[]{"bytes 0-12/16", "bytes 3-15/16", "bytes 0-15/*", "bytes */16", "nonsense"}) {
            assertThatThrownBy(() -> protocol.rangeAnswer(media, null, 206,
                    headers("Content-Range", range, "Content-Length", "13")))
                    .as(range).isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("asked for the whole recording");
        }
        assertThatThrownBy(() -> protocol.rangeAnswer(media, null, 206, headers("Content-Length", "16")))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> protocol.rangeAnswer(media, null, 206,
                headers("Content-Range", "bytes 0-15/16", "Content-Length", "13")))
                .isInstanceOf(UnexpectedResponseException.class);
    }

    @Test
    void a416IsARangeNotSatisfiableExceptionWithTheLengthWhenGiven() {
        assertThat(protocol.error(media, 416, "Range Not Satisfiable", headers("Content-Range", "bytes */48000"), new byte[0]))
                .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> {
                    assertThat(e.totalLength()).isEqualTo(48000);
                    assertThat(e.httpStatus()).isEqualTo(416);
                });
        assertThat(protocol.error(media, 416, null, noHeaders(), new byte[0]))
                .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> assertThat(e.totalLength()).isEqualTo(-1));
        assertThat(protocol.error(media, 416, null, headers("Content-Range", "bytes */-5"), new byte[0]))
                .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> assertThat(e.totalLength()).isEqualTo(-1));
        assertThat(RetryPolicy.defaults().isRetryable(protocol.error(media, 416, null, noHeaders(), new byte[0]))).isFalse();
    }

    @Test
    void aResumeWithinARangeAsksForTheRestOfItOnly() {
        ApiRequest resumed = protocol.resumeFrom(media, 150, 199, "\"v1\"");
        assertThat(resumed.headers()).containsEntry("Range", "bytes=150-199").containsEntry("If-Range", "\"v1\"");
        assertThat(protocol.resumeFrom(media, 150, "\"v1\"").headers()).containsEntry("Range", "bytes=150-");
    }

    @Test
    void aResumedRangeMustEndWhereTheRangeEnds() throws ContentChangedException {
        Continuation ok = protocol.continuation(media, 206, headers("Content-Range", "bytes 150-199/1000", "ETag", "\"v1\""),
                150, 199, 1000, "\"v1\"");
        assertThat(ok.skip()).isZero();
        assertThat(ok.expectedLength()).isEqualTo(50);
        assertThat(ok.deliver()).isEqualTo(-1);

        assertThatThrownBy(() -> protocol.continuation(media, 206, headers("Content-Range", "bytes 150-999/1000"),
                150, 199, 1000, "\"v1\"")).isInstanceOf(ContentChangedException.class);
    }

    @Test
    void aResumedRangeAnsweredWholeIsCutAtTheRangesEnd() throws ContentChangedException {
        Continuation c = protocol.continuation(media, 200, headers("Content-Length", "1000", "ETag", "\"v1\""),
                150, 199, 1000, "\"v1\"");
        assertThat(c.skip()).isEqualTo(150);
        assertThat(c.deliver()).isEqualTo(50);
        assertThat(protocol.continuation(media, 200, headers("Content-Length", "1000", "ETag", "\"v1\""),
                150, -1, 1000, "\"v1\"").deliver()).isEqualTo(-1);
    }

    @Test
    void lastModifiedIsAnInstantOrNull() {
        assertThat(protocol.lastModified(headers("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")))
                .isEqualTo(Instant.parse("2015-10-21T07:28:00Z"));
        assertThat(protocol.lastModified(headers("Last-Modified", "yesterday"))).isNull();
        assertThat(protocol.lastModified(noHeaders())).isNull();
    }
}
