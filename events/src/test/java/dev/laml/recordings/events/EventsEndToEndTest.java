package dev.laml.recordings.events;

import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.CallbackDelivery;
import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path over real sockets: the testkit POSTs signed status callbacks (with duplicates, a wrong signature and
 * a dropped one) to {@link RecordingEventsServer}; the receiver stores them; the workers archive into a directory; the
 * reconcile sweep finds the recording whose callback was dropped.
 */
class EventsEndToEndTest extends EventsEndToEnd {

    static final String KEY = "PSK_end_to_end_signing_key";
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void signedCallbacksArriveAndEveryGenuineRecordingIsStoredOnceByteForByte() throws Exception {
        int port = freePort();
        URI publicUrl = publicUrl(port);
        RecordingsServer api = apiCallingBack(publicUrl, KEY);
        RecordingsClient client = clientOf(api);
        RecordingInbox inbox = inbox();
        Path archive = tmp.resolve("archive");
        RecordingWorkers workers = workersInto(archive, client, inbox).concurrency(4)
                .reconcile(api.accountSid(), Duration.ofMillis(1500)).reconcileLookback(Duration.ofDays(2)).build();
        serveEvents(api, client, KEY, publicUrl, port, inbox, workers);

        List<TestRecording> genuine = new ArrayList<>();
        TestRecording forged = null;
        TestRecording dropped = null;
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now();
        for (int i = 0; i < 12; i++) {
            RecordingSpec spec = RecordingSpec.create().seed(100 + i).dateCreated(now.minusMinutes(i));
            if (i == 3) {
                spec = spec.completesAfter(Duration.ofMillis(800)); // in-progress first, then completed
            }
            if (i == 5) {
                api.enqueueCallbackFault(CallbackFault.DUPLICATE);
            } else if (i == 7) {
                api.enqueueCallbackFault(CallbackFault.WRONG_SIGNATURE);
            } else if (i == 9) {
                api.enqueueCallbackFault(CallbackFault.DROP);
            }
            TestRecording r = api.addRecording(spec);
            if (i == 7) {
                forged = r;
            } else {
                genuine.add(r);
                if (i == 9) {
                    dropped = r;
                }
            }
        }
        // The forged callback's recording exists on the API too, but nothing may fetch it because of the forgery;
        // remove it from the API's listing so that the sweep does not legitimately find it.
        api.removeRecording(forged.sid());
        // The workers (and their first sweep) start only now, so that no sweep can list the forged one before its
        // removal; the callbacks that arrived meanwhile wait in the inbox.
        Disposable running = workers.run().subscribe();
        closing.add(running::dispose);

        awaitArchived(inbox, genuine.size());
        for (TestRecording r : genuine) {
            Path file = find(archive, r.sid() + ".wav");
            assertThat(file).as(r.sid()).hasBinaryContent(r.bytes(Format.WAV));
            assertThat(api.requestCount(r.url(Format.WAV).getPath())).as("downloaded once: " + r.sid()).isEqualTo(1);
        }
        assertThat(api.requestCount(forged.url(Format.WAV).getPath())).isZero();
        assertThat(api.requestCount(forged.jsonUrl().getPath())).isZero();
        assertThat(inbox.entry(forged.sid()).block(WAIT)).isNull();
        assertThat(inbox.entry(dropped.sid()).block(WAIT).origin()).isEqualTo("reconcile");
        List<CallbackDelivery> deliveries = api.callbackDeliveries();
        assertThat(deliveries).isNotEmpty();
    }

    static void awaitArchived(RecordingInbox inbox, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<State, Long> last = null;
        while (System.nanoTime() < deadline) {
            last = inbox.counts().block(WAIT);
            if (last.get(State.ARCHIVED) == n && last.get(State.PENDING) == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not archived in time; counts " + last);
    }

    static Path find(Path root, String name) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " not stored"));
        }
    }

    @Test
    void theServerAnswersOtherPathsWith404AndWrongSignaturesWith403() throws Exception {
        RecordingInbox inbox = inbox();
        RecordingEvents events = RecordingEvents.builder().signature(WebhookSignature.of(KEY))
                .publicUrl(URI.create("https://hooks.example.com/recordings/events"))
                .apiBaseUrl(URI.create("https://example.signalwire.com")).inbox(inbox).build();
        RecordingEventsServer server = RecordingEventsServer.start(events, "/recordings/events", "127.0.0.1", 0);
        closing.add(server);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        java.net.http.HttpResponse<String> other = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/x"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        java.net.http.HttpResponse<String> forged = http.send(java.net.http.HttpRequest.newBuilder(
                        base.resolve("/recordings/events"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-SignalWire-Signature", "bm90IGEgc2lnbmF0dXJl")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("AccountSid=x")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        java.net.http.HttpResponse<String> big = http.send(java.net.http.HttpRequest.newBuilder(
                        base.resolve("/recordings/events"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
    }
}
