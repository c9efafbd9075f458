package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that answer a range badly or not at all: the body still holds exactly the asked bytes,
 * or the call fails with a typed error; never other bytes.
 */
class RangeAnswersTest {

    private static final Duration T = Duration.ofSeconds(20);
    private static final byte[] AUDIO = TestData.bytes(64 << 20, 7);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private RawHttpServer server(RawHttpServer.Handler handler) throws IOException {
        RawHttpServer s = new RawHttpServer(handler);
        resources.add(s);
        return s;
    }

    private RecordingsClient client(URI base) {
        RecordingsClient c = RecordingsClient.builder().baseUrl(base)
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20)))
                .build();
        resources.add(c);
        return c;
    }

    /** Ignores Range: the whole body, in 64 KiB writes, each counted once the kernel took it. */
    private static void wholeBody(RawHttpServer.Request request, RawHttpServer.Response response, boolean withLength,
            byte[] audio) throws IOException {
        if (withLength) {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", "\"v1\"",
                    "Content-Length", String.valueOf(audio.length));
        } else {
            response.head(200, "OK", "Content-Type", "audio/mpeg");
        }
        for (int at = 0; at < audio.length; at += 65_536) {
            response.body(audio, at, Math.min(65_536, audio.length - at));
        }
    }

    private static byte[] bytes(Flux<ByteBuffer> body) {
        List<ByteBuffer> buffers = body.collectList().block(T);
        byte[] all = new byte[buffers.stream().mapToInt(ByteBuffer::remaining).sum()];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(all, at, n);
            at += n;
        }
        return all;
    }

    @Test
    void aServerThatIgnoresTheRangeYieldsExactlyTheAskedBytesAndIsNotReadPastThem() throws Exception {
        RawHttpServer server = server((request, response) -> wholeBody(request, response, true, AUDIO));
        RecordingsClient client = client(server.baseUrl());

        AudioResponse audio = client.open(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.of(100_000, 199_999))).block(T);

        assertThat(audio.contentLength()).isEqualTo(100_000);
        assertThat(audio.contentRange()).isEqualTo(ContentRange.of(100_000, 199_999, AUDIO.length));
        assertThat(bytes(audio.body())).isEqualTo(Arrays.copyOfRange(AUDIO, 100_000, 200_000));
        assertThat(server.requests().get(0).header("Range")).isEqualTo("bytes=100000-199999");
        // The connection was closed after the range: the server could not write the rest.
        Thread.sleep(300);
        assertThat(server.bytesWritten()).as("bytes the server got rid of").isLessThan(AUDIO.length / 2);
    }

    @Test
    void theLastBytesAreFoundInAWholeBodyWithALength() throws Exception {
        byte[] audio = Arrays.copyOf(AUDIO, 300_000);
        RawHttpServer server = server((request, response) -> wholeBody(request, response, true, audio));

        StepVerifier.create(client(server.baseUrl()).download(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.last(1000)))
                        .reduce(0, (n, b) -> n + b.remaining()))
                .expectNext(1000).verifyComplete();
        assertThat(bytes(client(server.baseUrl()).download(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.last(1000)))))
                .isEqualTo(Arrays.copyOfRange(audio, 299_000, 300_000));
    }

    @Test
    void aRangePastTheEndOfAnIgnoringServersBodyIsNotSatisfiable() throws Exception {
        byte[] audio = Arrays.copyOf(AUDIO, 1000);
        RawHttpServer withLength = server((request, response) -> wholeBody(request, response, true, audio));
        StepVerifier.create(client(withLength.baseUrl()).open(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.from(1000))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RangeNotSatisfiableException.class,
                        r -> assertThat(r.totalLength()).isEqualTo(1000)))
                .verify(T);
        assertThat(withLength.requests()).as("never retried").hasSize(1);

        // Without a length the client learns it only at the end of the body: the body fails then.
        RawHttpServer noLength = server((request, response) -> wholeBody(request, response, false, audio));
        AudioResponse opened = client(noLength.baseUrl()).open(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.from(5000)))
                .block(T);
        assertThat(opened.contentLength()).isEqualTo(-1);
        assertThat(opened.contentRange()).isNull();
        StepVerifier.create(opened.body())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RangeNotSatisfiableException.class,
                        r -> assertThat(r.totalLength()).isEqualTo(1000)))
                .verify(T);
    }

    @Test
    void a206ForOtherBytesThanAskedIsAnUnexpectedResponseAndNotRetried() throws Exception {
        RawHttpServer server = server((request, response) -> {
            response.head(206, "Partial Content", "Content-Type", "audio/mpeg",
                    "Content-Range", "bytes 0-99/" + AUDIO.length, "Content-Length", "100");
            response.body(AUDIO, 0, 100);
        });

        StepVerifier.create(client(server.baseUrl()).open(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.of(100, 199))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("bytes=100-199").hasMessageContaining("bytes 0-99/"))
                .verify(T);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a206WithoutContentRangeIsAnUnexpectedResponse() throws Exception {
        RawHttpServer server = server((request, response) -> {
            response.head(206, "Partial Content", "Content-Type", "audio/mpeg", "Content-Length", "100");
            response.body(AUDIO, 100, 100);
        });

        StepVerifier.create(client(server.baseUrl()).download(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.of(100, 199))))
                .expectError(UnexpectedResponseException.class)
                .verify(T);
    }
}
