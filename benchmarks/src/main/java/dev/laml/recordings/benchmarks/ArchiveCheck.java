package dev.laml.recordings.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.laml.recordings.benchmarks.server.ArchiveSource.Expected;
import dev.laml.recordings.reactor.ArchiveTarget;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks an archive against what the source served, through the target's own {@link ArchiveTarget.Session} (so the
 * same code checks a directory and a bucket): for every recording, its sidecar exists and records exactly the size
 * and SHA-256 the testkit computed when it generated the recording, and the stored copy holds them, proved by what
 * the store records ({@code readBack} false: for S3 one HEAD against the sidecar's fingerprint; a directory always
 * reads) and, with {@code readBack}, by reading every byte back and hashing it.
 */
final class ArchiveCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveCheck() {
    }

    /** What a check found: how many recordings are wrong, and the first few reasons. */
    record Result(long checked, long wrong, List<String> firstProblems) {
        boolean ok() {
            return wrong == 0;
        }
    }

    static Result check(ArchiveTarget target, List<Expected> expected, boolean readBack, int concurrency) {
        ArchiveTarget.Session session = target.open().block(Duration.ofMinutes(1));
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicLong wrong = new AtomicLong();
        Long checked = Flux.fromIterable(expected)
                .flatMap(e -> one(session, e, readBack), concurrency)
                .doOnNext(p -> {
                    if (!p.isEmpty() && wrong.incrementAndGet() <= 5) {
                        problems.add(p);
                    }
                })
                .count()
                .block(Duration.ofMinutes(30));
        long n = checked == null ? 0 : checked;
        return new Result(n, wrong.get() + (expected.size() - n), List.copyOf(problems));
    }

    /** One recording: "" when right, else what is wrong. */
    private static Mono<String> one(ArchiveTarget.Session session, Expected e, boolean readBack) {
        String base = e.day() + "/" + e.sid();
        return session.read(base + ".json", 64 * 1024)
                .map(ArchiveCheck::parse)
                .flatMap(sidecar -> {
                    long size = sidecar.path("size").asLong(-1);
                    String sha256 = sidecar.path("sha256").asText("");
                    String fingerprint = sidecar.hasNonNull("stored_fingerprint")
                            ? sidecar.get("stored_fingerprint").asText() : null;
                    if (size != e.size() || !sha256.equals(e.sha256())) {
                        return Mono.just(e.sid() + ": sidecar says " + size + " bytes, " + sha256 + "; served "
                                + e.size() + " bytes, " + e.sha256());
                    }
                    Mono<Boolean> proof = session.holds(base + ".wav", e.size(), e.sha256(), fingerprint, false);
                    if (readBack) {
                        proof = proof.flatMap(byHead -> !byHead ? Mono.just(false)
                                : session.holds(base + ".wav", e.size(), e.sha256(), fingerprint, true));
                    }
                    return proof.map(ok -> ok ? "" : e.sid() + ": the stored copy does not hold " + e.size()
                            + " bytes with SHA-256 " + e.sha256() + (readBack ? " (HEAD or read-back)" : ""));
                })
                .defaultIfEmpty(e.sid() + ": no sidecar at " + session.location(base + ".json"))
                .onErrorResume(t -> Mono.just(e.sid() + ": " + t));
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
