package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.OutageRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server goes away in the middle of a body and comes back on the same port, as nginx does when
 * it is restarted: a relay in front of the testkit cuts the first connection after some bytes and
 * then refuses every connection until the test brings it back. Progress buys patience: the body
 * that had delivered bytes is resumed on its own budget, counted in time, rather than given up
 * after the request budget's 4 attempts (at most 1.75 s with the defaults).
 */
class OutageTest {

    /** Bytes of the first answer (head included) before the server goes away: the middle of the body. */
    private static final long CUT_AFTER = 300_000;
    private static final Pattern ATTEMPTS = Pattern.compile("\\(after (\\d+) attempts over (\\d+)\\.(\\d) s\\)$");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private RecordingsServer server;
    private TestRecording recording;
    private OutageRelay relay;

    private void start() {
        start(RecordingsServer.builder());
    }

    private void start(RecordingsServer.Builder builder) {
        server = opened(builder.start());
        recording = server.addRecording(RecordingSpec.create().size(Format.MP3, 1 << 20));
        relay = opened(OutageRelay.to(server.port()));
        relay.stopAfterBytesToClient(CUT_AFTER);
    }

    private RecordingsClient client(RetryPolicy policy) {
        RecordingsClient.Builder b = RecordingsClient.builder().retryPolicy(policy);
        if (server.isTls()) {
            // The relay passes TLS through untouched: the client talks TLS to the testkit, as to nginx.
            b.baseUrl(relay.baseUrl("https")).trustedCertificates(server.writeCertificatePem(dir.resolve("ca.pem")));
        } else {
            b.baseUrl(relay.baseUrl("http"));
        }
        return opened(b.build());
    }

    private static Mono<byte[]> bytes(Flux<ByteBuffer> body) {
        return body.reduce(new ByteArrayOutputStream(), (out, b) -> {
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.writeBytes(chunk);
            return out;
        }).map(ByteArrayOutputStream::toByteArray);
    }

    /** Waits for the cut, keeps the server away for {@code outage}, then brings it back; returns the time it was away. */
    private Duration outage(Duration outage) throws InterruptedException {
        assertThat(relay.awaitStopped(Duration.ofSeconds(10))).as("the first answer was cut").isTrue();
        long from = System.nanoTime();
        Thread.sleep(outage.toMillis());
        relay.restart();
        return Duration.ofNanos(System.nanoTime() - from);
    }

    /** The first request was a plain GET; every request the server saw after it resumed with Range and If-Range. */
    private void assertResumedWithRange() {
        List<RecordedRequest> media = server.recordedRequests().stream()
                .filter(r -> r.path().equals(recording.url(Format.MP3).getPath())).toList();
        assertThat(media).hasSizeGreaterThanOrEqualTo(2);
        assertThat(media.get(0).header("Range")).isNull();
        for (RecordedRequest resume : media.subList(1, media.size())) {
            assertThat(resume.header("Range")).matches("bytes=[1-9][0-9]*-");
            long from = Long.parseLong(resume.header("Range").replaceAll("\\D", ""));
            assertThat(from).as("resumed in the middle, not restarted").isBetween(1L, CUT_AFTER);
            assertThat(resume.header("If-Range")).isEqualTo(recording.etag(Format.MP3));
        }
    }

    @Test
    void aFiveSecondOutageInTheMiddleOfABodyIsRiddenOutWithTheDefaultPolicyAndTheBytesAreExact() throws Exception {
        start();
        RecordingsClient client = client(RetryPolicy.defaults());

        CompletableFuture<byte[]> download = bytes(client.download(server.accountSid(), recording.sid(),
                AudioFormat.MP3)).toFuture();
        Duration away = outage(Duration.ofSeconds(5));

        assertThat(download.get(20, TimeUnit.SECONDS)).isEqualTo(recording.bytes(Format.MP3));
        assertThat(away).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertResumedWithRange();
    }

    @Test
    void downloadToRidesOutAnOutageLongerThanTheRequestBudgetCouldIntoTheSameFile() throws Exception {
        start();
        RecordingsClient client = client(RetryPolicy.defaults());
        Path target = dir.resolve("a.mp3");

        CompletableFuture<Long> saved = client.downloadTo(server.accountSid(), recording.sid(), AudioFormat.MP3,
                target).toFuture();
        // The request budget's 4 attempts span at most 1.75 s; the resume budget 30 s.
        outage(Duration.ofMillis(2_500));

        assertThat(saved.get(20, TimeUnit.SECONDS)).isEqualTo(recording.size(Format.MP3));
        assertThat(Files.readAllBytes(target)).isEqualTo(recording.bytes(Format.MP3));
        assertResumedWithRange();
    }

    @Test
    void overTlsTheSameOutageIsRiddenOutWithoutAnyTlsError() throws Exception {
        start(RecordingsServer.builder().tls());
        RecordingsClient client = client(RetryPolicy.defaults());

        CompletableFuture<byte[]> download = bytes(client.download(server.accountSid(), recording.sid(),
                AudioFormat.MP3)).toFuture();
        outage(Duration.ofMillis(2_500)); // a TLS session cut without close_notify, then refused connections

        assertThat(download.get(20, TimeUnit.SECONDS)).isEqualTo(recording.bytes(Format.MP3));
        assertResumedWithRange();
    }

    /** The same outage, never ended, for each way of reading a body; the resume budget is 2 s. */
    private void assertAnOutageBeyondTheBudgetFails(Function<RecordingsClient, Mono<?>> read) throws Exception {
        start();
        RetryPolicy policy = RetryPolicy.defaults().resumeWithoutProgressFor(Duration.ofSeconds(2))
                .maxResumeDelay(Duration.ofMillis(200));
        RecordingsClient client = client(policy);

        long from = System.nanoTime();
        Throwable error = read.apply(client).then(Mono.<Throwable>empty()).onErrorResume(Mono::just)
                .block(Duration.ofSeconds(20));
        Duration took = Duration.ofNanos(System.nanoTime() - from);

        assertThat(relay.isRunning()).as("still away").isFalse();
        assertThat(error).isInstanceOf(TransferException.class);
        TransferException failure = (TransferException) error;
        assertThat(failure.attempts()).as("more than the request budget's 4: resumed by time")
                .isGreaterThan(policy.maxAttempts());
        assertThat(failure.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThanOrEqualTo(took);
        Matcher m = ATTEMPTS.matcher(failure.getMessage());
        assertThat(m.find()).as(failure.getMessage()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(failure.attempts());
        long tenths = Long.parseLong(m.group(2)) * 10 + Long.parseLong(m.group(3));
        assertThat(tenths).as("the time in the message").isGreaterThanOrEqualTo(20)
                .isCloseTo((failure.elapsed().toMillis() + 50) / 100, org.assertj.core.data.Offset.offset(1L));
        assertThat(server.recordedRequests()).as("only the first request reached the server").hasSize(1);
    }

    @Test
    void anOutageBeyondTheResumeBudgetFailsADownloadWithTheAttemptsAndTheTimeSpent() throws Exception {
        assertAnOutageBeyondTheBudgetFails(client -> bytes(client.download(server.accountSid(), recording.sid(),
                AudioFormat.MP3)));
    }

    @Test
    void anOutageBeyondTheResumeBudgetFailsAnOpenedBodyTheSameWay() throws Exception {
        assertAnOutageBeyondTheBudgetFails(client -> client.open(server.accountSid(), recording.sid(), AudioFormat.MP3)
                .flatMap(audio -> bytes(audio.body())));
    }
}
