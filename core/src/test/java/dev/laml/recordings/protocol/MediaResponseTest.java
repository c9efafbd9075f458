package dev.laml.recordings.protocol;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.noHeaders;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("RecordingsProtocol: is a media response audio, and how long is it")
class MediaResponseTest {

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build();

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({
            "200, audio/mpeg",
            "200, audio/x-wav",
            "200, 'audio/wav; codec=1'",
            "200, Audio/MPEG",
            "200, application/octet-stream",
            "200, binary/octet-stream",
            "206, audio/mpeg",
            "206, audio/x-wav",
            "200, ' audio/mpeg ; charset=binary'",
    })
    void aSuccessLabelledAudioOrOctetsIsAudio(int status, String contentType) {
        assertThat(protocol.isAudio(status, headers("Content-Type", contentType))).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0} without Content-Type")
    @ValueSource(ints = {200, 206})
    void aSuccessWithoutAContentTypeIsAudio(int status) {
        assertThat(protocol.isAudio(status, noHeaders())).isTrue();
        assertThat(protocol.isAudio(status, headers("Content-Type", " "))).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({
            "200, application/json",
            "200, 'application/json; charset=utf-8'",
            "200, text/html",
            "200, TEXT/HTML",
            "200, application/xml",
            "200, text/xml",
            "200, text/plain",
            "200, application/audio-json",
            "206, text/html",
            "204, audio/mpeg",
            "404, audio/mpeg",
            "301, audio/mpeg",
            "302, audio/x-wav",
            "500, application/octet-stream",
            "199, audio/mpeg",
            "300, audio/mpeg",
    })
    void anythingElseIsNot(int status, String contentType) {
        assertThat(protocol.isAudio(status, headers("Content-Type", contentType))).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0} without Content-Type")
    @ValueSource(ints = {204, 301, 404, 500})
    void aNonSuccessIsNotAudioEvenWithoutAContentType(int status) {
        assertThat(protocol.isAudio(status, noHeaders())).isFalse();
    }

    @ParameterizedTest(name = "[{index}] Content-Length \"{0}\" -> {1}")
    @CsvSource({
            "0,                     0",
            "12345,                 12345",
            "' 42 ',                42",
            "9223372036854775807,   9223372036854775807",
            "garbage,               -1",
            "-5,                    -1",
            "'',                    -1",
            "1.5,                   -1",
            "0x10,                  -1",
            "9223372036854775808,   -1",
            "'12, 12',              -1",
    })
    void contentLengthIsTheAnnouncedLengthOrMinusOne(String header, long expected) {
        assertThat(protocol.contentLength(headers("Content-Length", header))).isEqualTo(expected);
    }

    @Test
    void anAbsentContentLengthIsMinusOne() {
        assertThat(protocol.contentLength(noHeaders())).isEqualTo(-1);
    }
}
