package dev.laml.recordings.s3;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testkit.TestTranscription;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ArchiveOptions.transcripts(true)} into S3 (S3Proxy): the transcript object beside the audio's. */
class S3TranscriptsTest {

    private static final Duration BLOCK = Duration.ofSeconds(120);

    @Test
    void theTranscriptIsStoredBesideTheAudioAndARecordingWithoutOneGetsNone() {
        try (S3ProxyServer store = S3ProxyServer.start();
             RecordingsServer api = RecordingsServer.start()) {
            S3AsyncClient s3 = store.client();
            try (RecordingsClient client = RecordingsClient.builder().baseUrl(api.baseUrl())
                    .credentials(api.projectId(), api.apiToken()).retryPolicy(RetryPolicy.defaults().maxAttempts(1))
                    .build()) {
                s3.createBucket(b -> b.bucket("transcripts")).join();
                OffsetDateTime at = OffsetDateTime.parse("2026-05-01T08:00:00Z");
                TestRecording spoken = api.addRecording(RecordingSpec.create().durationSeconds(2).dateCreated(at));
                TestRecording silent = api.addRecording(RecordingSpec.create().durationSeconds(2).dateCreated(at));
                TestTranscription t = api.addTranscription(spoken.sid(), "Über den Wolken");

                List<ArchiveEvent> events = client.archive(api.accountSid(), RecordingQuery.all(),
                        S3Target.of(s3, "transcripts", "calls"), ArchiveOptions.defaults().transcripts(true))
                        .collectList().block(BLOCK);

                Summary summary = (Summary) events.get(events.size() - 1);
                assertThat(summary.downloaded()).isEqualTo(2);
                assertThat(summary.failed()).isZero();
                String transcript = new String(get(s3, "calls/2026/05/01/" + spoken.sid() + ".transcript.json"), StandardCharsets.UTF_8);
                assertThat(transcript).contains("\"sid\":\"" + t.sid() + "\"").contains("Über den Wolken");
                assertThat(get(s3, "calls/2026/05/01/" + spoken.sid() + ".wav")).hasSize((int) spoken.size(dev.laml.recordings.testkit.Format.WAV));
                assertThatThrownBy(() -> get(s3, "calls/2026/05/01/" + silent.sid() + ".transcript.json"))
                        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(NoSuchKeyException.class);
            } finally {
                s3.close();
            }
        }
    }

    private static byte[] get(S3AsyncClient s3, String key) {
        return s3.getObject(b -> b.bucket("transcripts").key(key), AsyncResponseTransformer.toBytes()).join()
                .asByteArray();
    }
}
