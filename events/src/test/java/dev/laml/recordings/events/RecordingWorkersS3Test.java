package dev.laml.recordings.events;

import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.S3Target;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The workers into object storage: S3Proxy as the S3 server, with delete-after-verify. */
class RecordingWorkersS3Test {

    @TempDir
    Path tmp;

    @Test
    void entriesAreArchivedIntoS3ByteForByteAndDeletedOnlyAfterVerification() throws Exception {
        try (S3ProxyServer s3server = S3ProxyServer.start();
             S3AsyncClient s3 = s3server.client();
             RecordingsServer api = RecordingsServer.start();
             RecordingsClient client = RecordingsClient.builder().baseUrl(api.baseUrl())
                     .credentials(api.projectId(), api.apiToken()).retryPolicy(RetryPolicy.none()).build();
             RecordingInbox inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"))) {
            s3.createBucket(b -> b.bucket("events")).join();
            List<TestRecording> recs = api.addRecordings(4, 77);
            for (TestRecording r : recs) {
                inbox.offer(new InboxEvent(api.accountSid(), r.sid(), null, "completed", "callback"))
                        .block(Duration.ofSeconds(10));
            }
            RecordingWorkers workers = RecordingWorkers.builder().client(client).inbox(inbox)
                    .target(S3Target.of(s3, "events", "calls")).options(ArchiveOptions.defaults().deleteAfterVerify(true))
                    .pollInterval(Duration.ofMillis(50)).build();
            Disposable running = workers.run().subscribe();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                Map<State, Long> counts = inbox.counts().block(Duration.ofSeconds(10));
                while (counts.get(State.ARCHIVED) < recs.size() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    counts = inbox.counts().block(Duration.ofSeconds(10));
                }
                assertThat(counts).containsEntry(State.ARCHIVED, (long) recs.size());
            } finally {
                running.dispose();
            }
            List<String> keys = s3.listObjectsV2(b -> b.bucket("events")).join().contents().stream()
                    .map(S3Object::key).toList();
            for (TestRecording r : recs) {
                String key = keys.stream().filter(k -> k.endsWith("/" + r.sid() + ".wav")).findFirst().orElseThrow();
                assertThat(key).startsWith("calls/");
                assertThat(keys).anyMatch(k -> k.endsWith("/" + r.sid() + ".json"));
                byte[] stored = s3.getObject(b -> b.bucket("events").key(key), AsyncResponseTransformer.toBytes())
                        .join().asByteArray();
                assertThat(stored).isEqualTo(r.bytes(Format.WAV));
                assertThat(inbox.entry(r.sid()).block(Duration.ofSeconds(10)).detail()).startsWith("s3://events/calls/");
            }
            assertThat(api.recordings()).as("deleted from the API once verified").isEmpty();
        }
    }
}
