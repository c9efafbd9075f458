package dev.laml.recordings.reactor;

import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Listing, deleting and waiting against the testkit, which renders its JSON independently of core. */
class TestkitEndToEndTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    private RecordingsServer server;
    private RecordingsClient client;

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private List<TestRecording> addDaily(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> server.addRecording(RecordingSpec.create().seed(i).durationSeconds(1)
                        .dateCreated(T0.plusDays(i))))
                .toList();
    }

    @Test
    void listPagesThroughEverythingNewestFirstAndLazily() {
        List<TestRecording> added = addDaily(7);

        List<Recording> all = client.list(server.accountSid(), RecordingQuery.all().pageSize(3))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(all).extracting(Recording::sid)
                .containsExactlyElementsOf(newestFirst(added));
        assertThat(server.requestCount()).isEqualTo(3); // 3 + 3 + 1

        server.resetCounters();
        assertThat(client.list(server.accountSid(), RecordingQuery.all().pageSize(3)).take(2)
                .collectList().block(Duration.ofSeconds(10))).hasSize(2);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    private static List<String> newestFirst(List<TestRecording> added) {
        List<String> sids = new java.util.ArrayList<>(added.stream().map(TestRecording::sid).toList());
        java.util.Collections.reverse(sids);
        return sids;
    }

    @Test
    void dateFiltersSelectOnTheServer() {
        addDaily(7);

        List<Recording> middle = client.list(server.accountSid(), RecordingQuery.all()
                        .createdAfter(T0.plusDays(2)).createdBefore(T0.plusDays(4)))
                .collectList().block(Duration.ofSeconds(10));

        assertThat(middle).extracting(Recording::dateCreated)
                .containsExactly(T0.plusDays(4), T0.plusDays(3), T0.plusDays(2));
    }

    @Test
    void deleteRemovesTheRecordingEverywhere() {
        TestRecording rec = addDaily(2).get(0);

        StepVerifier.create(client.delete(rec.accountSid(), rec.sid())).verifyComplete();

        StepVerifier.create(client.fetch(rec.accountSid(), rec.sid())).expectError(NotFoundException.class).verify(Duration.ofSeconds(5));
        StepVerifier.create(client.delete(rec.accountSid(), rec.sid())).expectError(NotFoundException.class).verify(Duration.ofSeconds(5));
        assertThat(client.list(rec.accountSid(), RecordingQuery.all()).collectList().block(Duration.ofSeconds(5))).hasSize(1);
    }

    @Test
    void awaitCompletedWaitsForARecordingThatIsStillProcessing() {
        TestRecording rec = server.addRecording(RecordingSpec.create().completesAfter(Duration.ofMillis(1200)));

        Recording ready = client.awaitCompleted(rec.accountSid(), rec.sid(), Duration.ofSeconds(15)).block(Duration.ofSeconds(20));

        assertThat(ready.status()).isEqualTo(RecordingStatus.COMPLETED);
        assertThat(server.requestCount()).isGreaterThan(1);
    }

    @Test
    void awaitCompletedGivesUpOnAnAbsentRecordingWithItsErrorCode() {
        TestRecording rec = server.addRecording(RecordingSpec.create().status("absent"));

        StepVerifier.create(client.awaitCompleted(rec.accountSid(), rec.sid(), Duration.ofSeconds(15)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RecordingNotReadyException.class,
                        nr -> assertThat(nr.code()).isEqualTo(13617)))
                .verify(Duration.ofSeconds(5));
    }
}
