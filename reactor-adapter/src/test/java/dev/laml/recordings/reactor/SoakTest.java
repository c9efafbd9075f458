package dev.laml.recordings.reactor;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 300 downloads through random faults at random offsets, 16 at a time: each one ends with the
 * source's exact SHA-256 or a typed error, nothing leaks (paranoid leak detection fails the class
 * otherwise), and afterwards the same client still downloads everything (no pool exhaustion).
 */
class SoakTest {

    private static final int DOWNLOADS = 300;
    private static final int CONCURRENCY = 16;
    private static final long SEED = 20261128L;

    private static final Fault NO_FAULT = Fault.latency(Duration.ZERO);

    private enum Outcome { EXACT, TYPED_ERROR }

    @Test
    void everyDownloadEndsWithTheExactBytesOrATypedError() throws Exception {
        Random random = new Random(SEED);
        try (RecordingsServer server = RecordingsServer.builder().requestLogCapacity(0).start()) {
            List<TestRecording> recordings = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                // WAV sizes are even (16-bit samples); the MP3 follows from the WAV's duration.
                recordings.add(server.addRecording(RecordingSpec.create().seed(SEED + i)
                        .size(Format.WAV, 60_000 + 2L * random.nextInt(600_000))));
            }
            // A third of all requests meet a fault; the rest are served normally (zero latency).
            List<Fault> queue = new ArrayList<>();
            for (int i = 0; i < DOWNLOADS * 3; i++) {
                Fault fault = random.nextInt(3) == 0 ? randomFault(random) : NO_FAULT;
                queue.add(fault);
                server.enqueueFault(fault);
            }

            RecordingsClient client = RecordingsClient.builder()
                    .baseUrl(server.baseUrl())
                    .credentials(server.projectId(), server.apiToken())
                    .idleTimeout(Duration.ofMillis(300))
                    .retryPolicy(RetryPolicy.defaults().maxAttempts(5).baseDelay(Duration.ofMillis(5))
                            .maxDelay(Duration.ofMillis(50)).maxRetryAfter(Duration.ofMillis(50)))
                    .build();
            try (client) {
                Map<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
                Map<String, AtomicInteger> errorTypes = new ConcurrentHashMap<>();
                AtomicInteger lostOrWrong = new AtomicInteger();
                long start = System.nanoTime();

                Flux.range(0, DOWNLOADS)
                        .flatMap(i -> {
                            TestRecording rec = recordings.get(i % recordings.size());
                            boolean mp3 = (i / recordings.size()) % 2 == 0;
                            String expected = rec.sha256(mp3 ? Format.MP3 : Format.WAV);
                            return digest(client.download(rec.accountSid(), rec.sid(), mp3 ? AudioFormat.MP3 : AudioFormat.WAV))
                                    .map(hash -> {
                                        if (hash.equals(expected)) {
                                            return Outcome.EXACT;
                                        }
                                        lostOrWrong.incrementAndGet();
                                        throw new AssertionError("download " + i + " completed with the wrong bytes");
                                    })
                                    .onErrorResume(e -> e instanceof ApiException || e instanceof TransferException, e -> {
                                        errorTypes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
                                                .incrementAndGet();
                                        return Mono.just(Outcome.TYPED_ERROR);
                                    });
                        }, CONCURRENCY)
                        .doOnNext(o -> outcomes.computeIfAbsent(o, k -> new AtomicInteger()).incrementAndGet())
                        .blockLast(Duration.ofSeconds(100));

                // Each request took the next queued fault, so the first requestCount() entries were met.
                long faultsMet = queue.subList(0, (int) Math.min(queue.size(), server.requestCount())).stream()
                        .filter(f -> !f.equals(NO_FAULT)).count();
                long exact = count(outcomes, Outcome.EXACT);
                long typed = count(outcomes, Outcome.TYPED_ERROR);
                System.out.printf("SOAK downloads=%d requests=%d faultsMet=%d exact=%d typedErrors=%d %s "
                                + "lostOrWrongBytes=%d seconds=%.1f%n", DOWNLOADS, server.requestCount(), faultsMet,
                        exact, typed, errorTypes, lostOrWrong.get(), (System.nanoTime() - start) / 1e9);

                assertThat(exact + typed).isEqualTo(DOWNLOADS);
                assertThat(lostOrWrong).hasValue(0);
                assertThat(exact).as("most downloads recover through retries and resumes").isGreaterThan(DOWNLOADS * 8L / 10);

                // The same client, faults gone: every recording downloads exactly.
                server.clearFaults();
                List<String> after = Flux.fromIterable(recordings)
                        .flatMap(rec -> digest(client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV))
                                .map(h -> h.equals(rec.sha256(Format.WAV)) ? "ok" : "wrong"), CONCURRENCY)
                        .collectList().block(Duration.ofSeconds(60));
                assertThat(after).hasSize(recordings.size()).containsOnly("ok");
            }
        }
    }

    private static Fault randomFault(Random random) {
        long at = random.nextInt(200_000);
        switch (random.nextInt(8)) {
            case 7: return Fault.wrongContentType("text/html"); // not retried: a typed error
            case 0: return Fault.closeAfterBytes(at);
            case 1: return Fault.resetAfterBytes(at);
            case 2: return Fault.stallAfterBytes(at);
            case 3: return Fault.serverError(random.nextBoolean() ? 503 : 500);
            case 4: return Fault.rateLimited(Duration.ofSeconds(1));
            case 5: return Fault.latency(Duration.ofMillis(random.nextInt(100)));
            default: return Fault.throttle(2_000_000);
        }
    }

    private static Mono<String> digest(Flux<java.nio.ByteBuffer> body) {
        return body.reduce(sha256(), (md, buf) -> {
            md.update(buf);
            return md;
        }).map(md -> HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(Map<Outcome, AtomicInteger> outcomes, Outcome o) {
        AtomicInteger n = outcomes.get(o);
        return n == null ? 0 : n.get();
    }
}
