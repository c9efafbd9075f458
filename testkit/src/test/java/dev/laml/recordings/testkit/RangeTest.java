package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Single byte ranges, 416, and If-Range, as a resuming client relies on them. */
class RangeTest {

    private static RecordingsServer server;
    private static TestRecording recording;
    private static byte[] wav;
    private final HttpClient client = Http.client();

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(10)); // 160,044 bytes
        wav = recording.bytes(Format.WAV);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @CsvSource({
            "bytes=0-99,         0,      99",
            "bytes=100000-,      100000, 160043",
            "bytes=-500,         159544, 160043",
            "bytes=160000-999999, 160000, 160043",
            "bytes=-999999,      0,      160043",
            "bytes=7-7,          7,      7"})
    void satisfiableRangesAre206WithContentRange(String range, long first, long last) {
        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV), "Range", range);

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes " + first + "-" + last + "/160044");
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(last - first + 1);
        assertThat(response.headers().firstValue("ETag")).hasValue(recording.etag(Format.WAV));
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(wav, (int) first, (int) last + 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=160044-", "bytes=999999-1000000", "bytes=-0"})
    void unsatisfiableRangesAre416WithTheTotal(String range) {
        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV), "Range", range);

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */160044");
        assertThat(response.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=5-2", "items=0-5", "bytes=0-1,4-5", "bytes=abc", "bytes="})
    void unusableRangesAreIgnored(String range) {
        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV), "Range", range);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(wav);
    }

    @Test
    void ifRangeWithTheCurrentValidatorsHonoursTheRange() {
        for (String validator : new String[] {recording.etag(Format.WAV), recording.lastModified()}) {
            HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV),
                    "Range", "bytes=10-19", "If-Range", validator);
            assertThat(response.statusCode()).as(validator).isEqualTo(206);
            assertThat(response.body()).isEqualTo(Arrays.copyOfRange(wav, 10, 20));
        }
    }

    @Test
    void ifRangeWithAStaleValidatorSendsTheWholeFile() {
        for (String validator : new String[] {
                "\"0000\"", "W/" + recording.etag(Format.WAV), recording.etag(Format.MP3),
                "Wed, 26 Sep 2018 23:00:00 GMT", "not a date"}) {
            HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV),
                    "Range", "bytes=10-19", "If-Range", validator);
            assertThat(response.statusCode()).as(validator).isEqualTo(200);
            assertThat(response.body()).isEqualTo(wav);
        }
    }

    @Test
    void rangesWorkOnMp3Too() {
        byte[] mp3 = recording.bytes(Format.MP3);
        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.MP3), "Range", "bytes=418-");
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("audio/mpeg");
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(mp3, 418, mp3.length));
    }
}
