package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming contract of {@code download}: demand reaches the socket, buffers are owned,
 * errors are typed before any byte, short bodies fail, cancellation frees the connection.
 * Runs against {@link RawHttpServer}, whose byte counter is exact.
 */
class DownloadStreamingTest {

    private static final byte[] ONE_MIB = TestData.bytes(1 << 20, 42);
    private static final String MEDIA_PATH = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private RawHttpServer server(RawHttpServer.Handler handler) throws IOException {
        RawHttpServer server = new RawHttpServer(handler);
        resources.add(server);
        return server;
    }

    private RecordingsClient client(RawHttpServer server) {
        // Single attempts: these tests pin the one-exchange contract; ReliabilityTest covers retries.
        RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .retryPolicy(RetryPolicy.none()).build();
        resources.add(client);
        return client;
    }

    /** Serves {@code body} in 16 KiB writes, so the client sees many chunks. */
    private static RawHttpServer.Handler serving(byte[] body, String contentType) {
        return (request, response) -> {
            response.head(200, "OK", "Content-Type", contentType, "Content-Length", String.valueOf(body.length));
            for (int off = 0; off < body.length; off += 16 * 1024) {
                response.body(body, off, Math.min(16 * 1024, body.length - off));
            }
        };
    }

    @Test
    void theStreamHoldsExactlyTheBodyAndTheBuffersStayValidAfterItEnds() throws IOException {
        RawHttpServer server = server(serving(ONE_MIB, "audio/mpeg"));

        List<ByteBuffer> buffers = client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3)
                .collectList().block(Duration.ofSeconds(10));

        // Checksummed after the stream ended: Netty has long released (and reused) its own buffers.
        assertThat(buffers).hasSizeGreaterThan(1);
        assertThat(TestData.size(buffers)).isEqualTo(ONE_MIB.length);
        assertThat(TestData.sha256(buffers)).isEqualTo(TestData.sha256(ONE_MIB));
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.path()).isEqualTo(MEDIA_PATH + ".mp3"));
    }

    @Test
    void buffersStayIntactWhileNettyKeepsReadingIntoItsPool() throws IOException {
        RawHttpServer server = server(serving(ONE_MIB, "audio/x-wav"));
        List<ByteBuffer> kept = new ArrayList<>();
        List<String> hashAtArrival = new ArrayList<>();

        client(server).download(ACCOUNT, RECORDING, AudioFormat.WAV)
                .doOnNext(b -> {
                    kept.add(b);
                    hashAtArrival.add(TestData.sha256(List.of(b)));
                })
                .blockLast(Duration.ofSeconds(10));

        List<String> hashAtEnd = kept.stream().map(b -> TestData.sha256(List.of(b))).toList();
        assertThat(hashAtEnd).isEqualTo(hashAtArrival);
    }

    @Test
    void requestOneDeliversExactlyOneBuffer() throws IOException {
        RawHttpServer server = server(serving(ONE_MIB, "audio/mpeg"));

        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(200))
                .thenRequest(1)
                .expectNextCount(1)
                .expectNoEvent(Duration.ofMillis(300))
                .thenRequest(2)
                .expectNextCount(2)
                .expectNoEvent(Duration.ofMillis(100))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aStalledSubscriberStopsTheSocketReads() throws Exception {
        long size = 256L << 20;
        byte[] block = TestData.bytes(64 * 1024, 7);
        CountDownLatch serverDone = new CountDownLatch(1);
        RawHttpServer server = server((request, response) -> {
            try {
                response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(size));
                for (long sent = 0; sent < size; sent += block.length) {
                    response.body(block);
                }
            } finally {
                serverDone.countDown();
            }
        });

        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.WAV), 0)
                .thenRequest(1)
                .expectNextCount(1)
                .then(() -> sleep(1500))
                .then(() -> assertThat(server.bytesWritten())
                        .as("bytes the server could write while the subscriber held no demand")
                        .isLessThan(16L << 20))
                .thenCancel()
                .verify(Duration.ofSeconds(10));

        // Cancelling closed the connection: the server's blocked write fails and its thread ends.
        assertThat(serverDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.bytesWritten()).isLessThan(size);
    }

    @Test
    void nothingIsSentBeforeSubscribeAndEachSubscriptionSendsItsOwnRequest() throws Exception {
        RawHttpServer server = server(serving(TestData.bytes(1000, 1), "audio/mpeg"));
        Flux<ByteBuffer> download = client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3);

        Thread.sleep(200);
        assertThat(server.requests()).isEmpty();

        download.blockLast(Duration.ofSeconds(5));
        download.blockLast(Duration.ofSeconds(5));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aBodyShorterThanItsContentLengthFailsInsteadOfCompleting() throws IOException {
        RawHttpServer server = server((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Content-Length", "100000");
            response.body(ONE_MIB, 0, 40000);
            // then close: 60000 bytes never arrive
        });
        AtomicReference<Long> received = new AtomicReference<>(0L);

        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3)
                        .doOnNext(b -> received.updateAndGet(n -> n + b.remaining())))
                .thenConsumeWhile(b -> true)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(IncompleteBodyException.class).isInstanceOf(IOException.class);
                    IncompleteBodyException ibe = (IncompleteBodyException) e;
                    assertThat(ibe.expected()).isEqualTo(100000);
                    assertThat(ibe.received()).isEqualTo(received.get()).isLessThan(100000);
                    assertThat(e).hasMessageContaining("/Recordings/" + RECORDING + ".mp3");
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aConnectionResetMidBodyIsATransferError() throws IOException {
        RawHttpServer server = server((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Content-Length", "100000");
            response.body(ONE_MIB, 0, 30000);
            response.reset();
        });

        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .thenConsumeWhile(b -> true)
                .expectError(TransferException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aChunkedBodyThatBreaksOffIsAnErrorToo() throws IOException {
        RawHttpServer server = server((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Transfer-Encoding", "chunked");
            response.body("5\r\nabcde\r\n".getBytes(StandardCharsets.US_ASCII));
            // no terminating 0-chunk: the connection just closes
        });

        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectNextCount(1)
                .expectError(TransferException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void errorAnswersBecomeTypedExceptionsAndNoByteIsEmitted() throws IOException {
        byte[] xml = TestData.fixture("error-404.xml");
        RawHttpServer server = server((request, response) -> {
            if (request.path().endsWith(".mp3")) {
                response.send(404, "application/xml", xml);
            } else if (request.path().endsWith(".wav")) {
                response.send(503, "text/html", "<html><body>Service Unavailable</body></html>".getBytes(StandardCharsets.UTF_8));
            } else {
                response.send(200, "text/html; charset=utf-8", "<!DOCTYPE html><html>login</html>".getBytes(StandardCharsets.UTF_8));
            }
        });
        RecordingsClient client = client(server);

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NotFoundException.class)
                        .satisfies(nf -> assertThat(((NotFoundException) nf).code()).isEqualTo(20404)))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.WAV))
                .expectError(ServerException.class)
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(client.download(URI.create(server.baseUrl() + MEDIA_PATH)))
                .expectError(UnexpectedResponseException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void errorsReachASubscriberThatHasNotRequestedAnything() throws IOException {
        RawHttpServer server = server((request, response) ->
                response.send(404, "application/xml", TestData.fixture("error-404.xml")));

        // Rule 1.4 of Reactive Streams: onError needs no demand.
        StepVerifier.create(client(server).download(ACCOUNT, RECORDING, AudioFormat.MP3), 0)
                .expectError(NotFoundException.class)
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(client(server).fetch(ACCOUNT, RECORDING), 0)
                .expectError(NotFoundException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancellingMidBodyClosesTheConnectionAndTheClientKeepsWorking() throws Exception {
        CountDownLatch firstEnded = new CountDownLatch(1);
        RawHttpServer server = server((request, response) -> {
            if (request.path().endsWith(".wav")) {
                try {
                    response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(64L << 20));
                    byte[] block = TestData.bytes(64 * 1024, 3);
                    for (int i = 0; i < 1024; i++) {
                        response.body(block);
                    }
                } finally {
                    firstEnded.countDown();
                }
            } else {
                serving(ONE_MIB, "audio/mpeg").respond(request, response);
            }
        });
        RecordingsClient client = client(server);

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.WAV))
                .expectNextCount(5)
                .thenCancel()
                .verify(Duration.ofSeconds(10));

        assertThat(firstEnded.await(5, TimeUnit.SECONDS)).as("server saw the connection close").isTrue();
        List<ByteBuffer> next = client.download(ACCOUNT, RECORDING, AudioFormat.MP3).collectList().block(Duration.ofSeconds(10));
        assertThat(TestData.sha256(next)).isEqualTo(TestData.sha256(ONE_MIB));
    }

    @Test
    void twoHundredConcurrentDownloadsAllArriveIntact() throws IOException {
        int n = 200;
        Map<String, byte[]> bodies = new ConcurrentHashMap<>();
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String sid = String.format("00000000-0000-4000-8000-%012d", i);
            sids.add(sid);
            bodies.put(sid, TestData.bytes(20_000 + i * 1_500, i));
        }
        RawHttpServer server = server((request, response) -> {
            String path = request.path();
            String sid = path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('.'));
            serving(bodies.get(sid), "audio/mpeg").respond(request, response);
        });
        RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl()).maxConnections(n).build();
        resources.add(client);

        Map<String, String> hashes = Flux.fromIterable(sids)
                .flatMap(sid -> client.download(ACCOUNT, sid, AudioFormat.MP3).collectList()
                        .map(buffers -> Map.entry(sid, TestData.sha256(buffers))), n)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .block(Duration.ofSeconds(60));

        assertThat(hashes).hasSize(n);
        sids.forEach(sid -> assertThat(hashes.get(sid)).as(sid).isEqualTo(TestData.sha256(bodies.get(sid))));
    }

    @Test
    void aRefusedConnectionIsATransferError() throws IOException {
        RawHttpServer server = server((request, response) -> { });
        URI base = server.baseUrl();
        server.close();
        RecordingsClient client = RecordingsClient.builder().baseUrl(base).retryPolicy(RetryPolicy.none()).build();
        resources.add(client);

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectError(TransferException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void theResponseTimeoutCoversOnlyTheWaitForHeaders() throws IOException {
        RawHttpServer server = server((request, response) -> {
            if (request.path().endsWith(".mp3")) {
                sleep(3000); // no headers in time
                return;
            }
            serving(ONE_MIB, "audio/x-wav").respond(request, response);
        });
        RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .responseTimeout(Duration.ofMillis(300)).retryPolicy(RetryPolicy.none()).build();
        resources.add(client);

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectError(dev.laml.recordings.ResponseTimeoutException.class)
                .verify(Duration.ofSeconds(5));

        // A subscriber slower than the timeout is not a dead server.
        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.WAV), 1)
                .expectNextCount(1)
                .then(() -> sleep(800))
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> true)
                .verifyComplete();
    }

    private static void sleep(long millis) {
        Mono.delay(Duration.ofMillis(millis)).block();
    }
}
