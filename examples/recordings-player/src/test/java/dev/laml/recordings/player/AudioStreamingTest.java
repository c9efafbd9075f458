package dev.laml.recordings.player;

import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static dev.laml.recordings.player.Http.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /recordings/{sid}.mp3|.wav} over real sockets: the player in this JVM, the testkit as the API, a plain
 * HTTP client as the browser. Each test also reads the testkit's request log, to check what the player asked the
 * API for, not only what it answered.
 */
class AudioStreamingTest {

    private static RecordingsServer api;
    private static RunningPlayer player;
    private static TestRecording call;
    private static TestRecording large;

    @BeforeAll
    static void start() {
        api = RecordingsServer.start();
        call = api.addRecording(RecordingSpec.create().durationSeconds(20).seed(7));
        large = api.addRecording(RecordingSpec.create().seed(8).size(Format.WAV, 32L << 20));
        // A short response timeout, and fewer attempts, so that the 504 test takes seconds, not minutes.
        player = RunningPlayer.start(api, "--laml.recordings.response-timeout=1s",
                "--laml.recordings.retry.max-attempts=2");
    }

    @AfterAll
    static void stop() {
        RunningPlayer.stop(player, api);
    }

    @BeforeEach
    void reset() {
        api.clearFaults();
        api.resetCounters();
    }

    @Test
    void wholeRecordingWithItsHeaders() {
        HttpResponse<byte[]> response = Http.get(mp3(call));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo("audio/mpeg");
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(call.size(Format.MP3)));
        assertThat(header(response, "ETag")).isEqualTo(call.etag(Format.MP3));
        assertThat(header(response, "Last-Modified")).isEqualTo(call.lastModified());
        assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(header(response, "Content-Range")).isNull();
        assertThat(response.body()).isEqualTo(call.bytes(Format.MP3));
        assertThat(mediaRequests(call, Format.MP3)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).isNull());
    }

    @Test
    void wavToo() {
        HttpResponse<byte[]> response = Http.get(wav(call));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo(Format.WAV.contentType());
        assertThat(header(response, "ETag")).isEqualTo(call.etag(Format.WAV));
        assertThat(response.body()).isEqualTo(call.bytes(Format.WAV));
    }

    @Test
    void aRangeIsAskedOfTheApiAndAnswered206WithExactlyThoseBytes() {
        HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=1000-1999");

        long total = call.size(Format.MP3);
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes 1000-1999/" + total);
        assertThat(header(response, "Content-Length")).isEqualTo("1000");
        assertThat(header(response, "ETag")).isEqualTo(call.etag(Format.MP3));
        assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(call.bytes(Format.MP3), 1000, 2000));
        // A range, not the whole file cut down: the API was asked for those bytes alone and sent no more.
        assertThat(mediaRequests(call, Format.MP3)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).isEqualTo("bytes=1000-1999"));
        assertThat(api.bytesWritten()).isEqualTo(1000);
    }

    @Test
    void aRangeToTheEnd() {
        long total = call.size(Format.WAV);
        HttpResponse<byte[]> response = Http.get(wav(call), "Range", "bytes=" + (total - 4096) + "-");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range"))
                .isEqualTo("bytes " + (total - 4096) + "-" + (total - 1) + "/" + total);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(call.bytes(Format.WAV), (int) total - 4096,
                (int) total));
        assertThat(mediaRequests(call, Format.WAV)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).isEqualTo("bytes=" + (total - 4096) + "-"));
    }

    @Test
    void aSuffixRangeIsTheFinalBytes() {
        long total = call.size(Format.MP3);
        HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=-500");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes " + (total - 500) + "-" + (total - 1) + "/"
                + total);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(call.bytes(Format.MP3), (int) total - 500,
                (int) total));
        assertThat(mediaRequests(call, Format.MP3)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).isEqualTo("bytes=-500"));
    }

    @Test
    void aRangePastTheEndIs416WithTheLength() {
        long total = call.size(Format.MP3);
        HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=" + total + "-");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */" + total);
        assertThat(mediaRequests(call, Format.MP3)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).isEqualTo("bytes=" + total + "-"));
    }

    @Test
    void anEmptySuffixIs416() {
        HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=-0");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */" + call.size(Format.MP3));
    }

    @Test
    void severalRangesOrAMalformedOneAreIgnored() {
        for (String range : List.of("bytes=0-1,5-9", "bytes=9-5", "bytes=x-", "items=0-9", "bytes=")) {
            api.resetCounters();
            HttpResponse<byte[]> response = Http.get(mp3(call), "Range", range);

            assertThat(response.statusCode()).as(range).isEqualTo(200);
            assertThat(response.body()).as(range).isEqualTo(call.bytes(Format.MP3));
            assertThat(mediaRequests(call, Format.MP3)).as(range).singleElement()
                    .satisfies(r -> assertThat(r.header("Range")).isNull());
        }
    }

    @Test
    void aMatchingIfNoneMatchIs304WithoutABody() {
        HttpResponse<byte[]> response = Http.get(mp3(call), "If-None-Match", "\"other\", " + call.etag(Format.MP3));

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(header(response, "ETag")).isEqualTo(call.etag(Format.MP3));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void anotherIfNoneMatchIsTheRecording() {
        HttpResponse<byte[]> response = Http.get(mp3(call), "If-None-Match", "\"stale\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(call.bytes(Format.MP3));
    }

    @Test
    void ifRangeOfAnotherVersionGetsTheWholeRecording() {
        HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=100-199", "If-Range", "\"stale\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Range")).isNull();
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(call.size(Format.MP3)));
        assertThat(response.body()).isEqualTo(call.bytes(Format.MP3));
    }

    @Test
    void ifRangeOfThisVersionGetsTheRange() {
        for (String validator : List.of(call.etag(Format.MP3), call.lastModified())) {
            HttpResponse<byte[]> response = Http.get(mp3(call), "Range", "bytes=100-199", "If-Range", validator);

            assertThat(response.statusCode()).as(validator).isEqualTo(206);
            assertThat(response.body()).as(validator)
                    .isEqualTo(Arrays.copyOfRange(call.bytes(Format.MP3), 100, 200));
        }
    }

    @Test
    void headAnswersTheHeadersAndReadsNoBody() {
        HttpResponse<byte[]> response = Http.head(wav(large));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(large.size(Format.WAV)));
        assertThat(header(response, "ETag")).isEqualTo(large.etag(Format.WAV));
        assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(response.body()).isEmpty();
        // The API's answer was closed unread: at most what fit in socket buffers was sent, and then nothing more.
        assertThat(steadyApiBytesWritten()).isLessThan(large.size(Format.WAV) / 4);
    }

    @Test
    void headOfARange() {
        HttpResponse<byte[]> response = Http.head(mp3(call), "Range", "bytes=0-99");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Length")).isEqualTo("100");
        assertThat(header(response, "Content-Range")).isEqualTo("bytes 0-99/" + call.size(Format.MP3));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void anUnknownRecordingIs404() {
        HttpResponse<byte[]> response = Http.get(player.uri("/recordings/" + UUID.randomUUID() + ".mp3"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(header(response, "Content-Type")).startsWith("text/plain");
        assertThat(new String(response.body())).startsWith("Not found");
    }

    @Test
    void anApiFailureIs502() {
        call.injectFault(Fault.status(500));

        HttpResponse<byte[]> response = Http.get(mp3(call));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(header(response, "Content-Type")).startsWith("text/plain");
        assertThat(new String(response.body())).isEqualTo("Bad gateway: the recordings API answered 500.\n");
        assertThat(header(response, "ETag")).isNull();
    }

    @Test
    void anApiThatDoesNotAnswerIs504() {
        call.injectFault(Fault.latency(Duration.ofSeconds(3)));

        HttpResponse<byte[]> response = Http.get(mp3(call));

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(new String(response.body())).isEqualTo("Gateway timeout: the recordings API did not answer in "
                + "time.\n");
    }

    @Test
    void anIdThatIsNotAUuidIs400AndNothingIsSent() {
        HttpResponse<byte[]> response = Http.get(player.uri("/recordings/not-a-recording.mp3"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body())).isEqualTo("Bad request: not a recording id (a UUID).\n");
        assertThat(api.requestCount()).isZero();
    }

    private static URI mp3(TestRecording recording) {
        return player.uri("/recordings/" + recording.sid() + ".mp3");
    }

    private static URI wav(TestRecording recording) {
        return player.uri("/recordings/" + recording.sid() + ".wav");
    }

    private static List<RecordedRequest> mediaRequests(TestRecording recording, Format format) {
        String path = recording.url(format).getPath();
        return api.recordedRequests().stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The API's body bytes written, once they have not changed for 500 ms (at most 10 s). */
    private static long steadyApiBytesWritten() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = -1;
        long now = api.bytesWritten();
        while (now != last && System.nanoTime() < deadline) {
            sleep(500);
            last = now;
            now = api.bytesWritten();
        }
        return now;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
