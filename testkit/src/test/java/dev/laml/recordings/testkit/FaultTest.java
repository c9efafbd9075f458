package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each fault is observable from a plain HTTP client. */
@Timeout(30)
class FaultTest {

    private static RecordingsServer server;
    private static TestRecording recording;
    private final HttpClient client = Http.client();

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(20)); // 320,044-byte WAV
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.clearFaults();
        server.resetCounters();
    }

    @Test
    void latencyDelaysTheResponse() {
        server.enqueueFault(Fault.latency(Duration.ofMillis(300)));

        long start = System.nanoTime();
        HttpResponse<byte[]> slow = Http.get(client, recording.url(Format.WAV));
        long slowMillis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        HttpResponse<byte[]> fast = Http.get(client, recording.url(Format.WAV));
        long fastMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(slow.body()).isEqualTo(recording.bytes(Format.WAV));
        assertThat(slowMillis).isGreaterThanOrEqualTo(290);
        assertThat(fast.statusCode()).isEqualTo(200);
        assertThat(fastMillis).as("only the next request is delayed").isLessThan(slowMillis);
    }

    @Test
    void throttleSlowsTheBody() {
        TestRecording small = server.addRecording(RecordingSpec.create().size(Format.WAV, 44 + 40_000));
        small.injectFault(Fault.throttle(100_000));

        long start = System.nanoTime();
        HttpResponse<byte[]> response = Http.get(client, small.url(Format.WAV));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.body()).isEqualTo(small.bytes(Format.WAV));
        assertThat(millis).as("40 KB at 100 KB/s").isBetween(300L, 3_000L);
    }

    @Test
    void closeAfterBytesDeliversFewerBytesThanContentLength() throws Exception {
        server.enqueueFault(Fault.closeAfterBytes(1000));

        HttpResponse<InputStream> response = client.send(Http.request(recording.url(Format.WAV)).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(recording.size(Format.WAV));
        byte[] received = new byte[(int) recording.size(Format.WAV)];
        int total = 0;
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(received, total, received.length - total)) > 0; ) {
                total += n;
            }
        } catch (IOException expected) {
            // the JDK client reports the premature EOF; what matters is how much arrived first
        }
        assertThat(total).isEqualTo(1000);
        assertThat(java.util.Arrays.copyOf(received, 1000))
                .isEqualTo(java.util.Arrays.copyOf(recording.bytes(Format.WAV), 1000));
        CountersTest.waitFor(() -> server.bytesWritten() == 1000);
        // The next request gets a new connection and the whole file.
        assertThat(Http.get(client, recording.url(Format.WAV)).body()).isEqualTo(recording.bytes(Format.WAV));
    }

    @Test
    void closeNotifyAfterBytesIsAPlainCloseOnHttp() throws Exception {
        server.enqueueFault(Fault.closeNotifyAfterBytes(1000));

        HttpResponse<InputStream> response = client.send(Http.request(recording.url(Format.WAV)).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(recording.size(Format.WAV));
        byte[] received = new byte[2000];
        int total = 0;
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(received, total, received.length - total)) > 0; ) {
                total += n;
            }
        } catch (IOException expected) {
            // the JDK client reports the premature EOF
        }
        assertThat(total).isEqualTo(1000);
        CountersTest.waitFor(() -> server.bytesWritten() == 1000);
    }

    @Test
    void closeAfterZeroBytesSendsOnlyHeaders() {
        server.enqueueFault(Fault.closeAfterBytes(0));
        assertThatThrownBy(() -> Http.get(client, recording.url(Format.MP3))).hasRootCauseInstanceOf(IOException.class);
    }

    @Test
    void resetAfterBytesIsAnIoErrorForTheClient() {
        recording.injectFault(Fault.resetAfterBytes(5000));

        assertThatThrownBy(() -> Http.get(client, recording.url(Format.WAV)))
                .hasCauseInstanceOf(IOException.class);
        recording.clearFault();
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(200);
    }

    @Test
    void stallAfterBytesKeepsTheConnectionOpenWithoutSending() throws Exception {
        server.enqueueFault(Fault.stallAfterBytes(100));

        HttpResponse<InputStream> response = client.send(Http.request(recording.url(Format.WAV)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        int open;
        try (InputStream body = response.body()) {
            assertThat(body.readNBytes(100)).hasSize(100);
            Thread.sleep(300);
            assertThat(server.bytesWritten()).isEqualTo(100);
            open = server.openConnections();
        } // closing early makes the client drop the connection, which ends the stall
        int stalled = open;
        CountersTest.waitFor(() -> server.openConnections() == stalled - 1);
    }

    @Test
    void rateLimitedIs429WithRetryAfterAndApiBody() {
        server.enqueueFault(Fault.rateLimited(Duration.ofMillis(1500)));

        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.WAV));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Http.text(response)).isEqualTo("{\"code\": 20429, \"message\": \"Too Many Requests\", "
                + "\"more_info\": \"https://signalwire.com/docs/compatibility-api/reference/errors\", "
                + "\"status\": 429}");
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(200);
    }

    @Test
    void serverErrorsForTheNextNRequests() {
        server.enqueueFaults(2, Fault.serverError(503));

        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(503);
        HttpResponse<byte[]> second = Http.get(client, recording.jsonUrl(), "Authorization", Http.basic(server));
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(Http.text(second)).contains("\"code\": 20503", "Service Unavailable");
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(200);

        server.enqueueFault(Fault.serverError(500));
        assertThat(Http.get(client, recording.url(Format.MP3)).statusCode()).isEqualTo(500);
    }

    @Test
    void wrongContentTypeAnswers200WithSomethingElse() {
        recording.injectFault(Fault.wrongContentType("text/html; charset=utf-8"));

        HttpResponse<byte[]> response = Http.get(client, recording.url(Format.MP3));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(Http.text(response)).startsWith("<!DOCTYPE html>");
    }

    @Test
    void redirectSendsTheClientToTheSameResourceOnAnotherServer() {
        try (RecordingsServer mirror = RecordingsServer.builder().accountSid(server.accountSid()).start()) {
            TestRecording copy = mirror.addRecording(RecordingSpec.create().sid(recording.sid()).durationSeconds(1));
            recording.injectFault(Fault.redirect(mirror.baseUrl()));

            HttpResponse<byte[]> hop = Http.get(client, recording.url(Format.WAV));
            assertThat(hop.statusCode()).isEqualTo(302);
            assertThat(hop.headers().firstValue("Location")).hasValue(copy.url(Format.WAV).toString());

            HttpClient following = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<byte[]> followed = Http.get(following, recording.url(Format.WAV));
            assertThat(followed.statusCode()).isEqualTo(200);
            assertThat(followed.body()).isEqualTo(copy.bytes(Format.WAV));
            assertThat(mirror.requestCount(copy.url(Format.WAV).getPath())).isEqualTo(1);
        }
    }

    @Test
    void redirectToAnExplicitUrlAndToSelf() {
        URI elsewhere = URI.create("http://127.0.0.1:9/somewhere/else.wav");
        server.enqueueFault(Fault.redirect(307, elsewhere));
        HttpResponse<byte[]> explicit = Http.get(client, recording.url(Format.WAV));
        assertThat(explicit.statusCode()).isEqualTo(307);
        assertThat(explicit.headers().firstValue("Location")).hasValue(elsewhere.toString());

        server.enqueueFault(Fault.redirectToSelf());
        URI withQuery = URI.create(recording.url(Format.WAV) + "?x=1");
        HttpResponse<byte[]> self = Http.get(client, withQuery);
        assertThat(self.statusCode()).isEqualTo(302);
        assertThat(self.headers().firstValue("Location")).hasValue(withQuery.toString());
    }

    @Test
    void combinedFaultsApplyTogether() {
        server.enqueueFault(Fault.latency(Duration.ofMillis(200)).and(Fault.serverError(503)));
        long start = System.nanoTime();
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(503);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(190_000_000L);
    }

    @Test
    void queuedFaultsComeBeforeRecordingFaultsAndApplyToAnyPath() {
        recording.injectFault(Fault.serverError(500));
        server.enqueueFault(Fault.status(404));

        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(404);
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(500);
        assertThat(Http.get(client, recording.url(Format.MP3)).statusCode()).isEqualTo(500);
        server.clearFaults();
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(200);
    }

    @Test
    void faultsAreValues() {
        assertThat(Fault.rateLimited(Duration.ofSeconds(3)))
                .isEqualTo(Fault.status(429).retryAfter(Duration.ofSeconds(3)))
                .hasToString("Fault[status=429, retryAfter=PT3S]");
        assertThat(Fault.latency(Duration.ofMillis(5)).and(Fault.closeAfterBytes(9)))
                .isEqualTo(Fault.closeAfterBytes(9).and(Fault.latency(Duration.ofMillis(5))));
        assertThatThrownBy(() -> Fault.closeAfterBytes(1).and(Fault.resetAfterBytes(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Fault.closeNotifyAfterBytes(7)).hasToString("Fault[closeNotifyAfterBytes=7]")
                .isNotEqualTo(Fault.closeAfterBytes(7));
        assertThatThrownBy(() -> Fault.closeNotifyAfterBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.throttle(10).retryAfter(Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Fault.serverError(404)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.redirect(200, URI.create("http://x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
