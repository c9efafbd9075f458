package dev.laml.recordings.reactor;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveEvent.Downloaded;
import dev.laml.recordings.reactor.ArchiveEvent.Failed;
import dev.laml.recordings.reactor.ArchiveEvent.Kind;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive job against the {@link ArchiveTarget} SPI: written once, it drives any store the same way (an in-memory
 * one here), and shards split a listing into disjoint parts that together cover it.
 */
class ArchiveTargetTest {

    private static final Duration BLOCK = Duration.ofSeconds(30);
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 4, 1, 10, 0, 0, 0, ZoneOffset.UTC);

    private RecordingsServer server;
    private RecordingsClient client;
    private List<TestRecording> recordings;

    @BeforeEach
    void start() {
        server = RecordingsServer.start();
        client = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken())
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)))
                .build();
        recordings = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recordings.add(server.addRecording(RecordingSpec.create().seed(7000 + i).durationSeconds(1)
                    .dateCreated(T0.plusHours(7L * i))));
        }
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private List<ArchiveEvent> archive(ArchiveTarget target, ArchiveOptions options) {
        return client.archive(server.accountSid(), RecordingQuery.all().pageSize(9), target, options)
                .collectList().block(BLOCK);
    }

    private static Set<String> sids(List<ArchiveEvent> events, Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).map(ArchiveTargetTest::sidOf).collect(Collectors.toSet());
    }

    private static String sidOf(ArchiveEvent e) {
        if (e instanceof ArchiveEvent.Listed l) {
            return l.recording().sid();
        } else if (e instanceof Downloaded d) {
            return d.recording().sid();
        } else if (e instanceof ArchiveEvent.Skipped s) {
            return s.recording().sid();
        } else if (e instanceof ArchiveEvent.Deleted d) {
            return d.recording().sid();
        }
        return null;
    }

    /** A store in a map, counting what it is asked; a write that fails keeps nothing. */
    static class MemoryTarget implements ArchiveTarget {
        final Map<String, byte[]> objects = new ConcurrentHashMap<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger holdsAsked = new AtomicInteger();
        final AtomicInteger readBacks = new AtomicInteger();
        /** The check this store says it made on what it received; null: it does not say. */
        volatile String check;

        @Override
        public Mono<Session> open() {
            opened.incrementAndGet();
            return Mono.just(new Session() {
                @Override
                public URI location(String key) {
                    return URI.create("mem:/" + key);
                }

                @Override
                public Mono<byte[]> read(String key, int maxBytes) {
                    return Mono.justOrEmpty(objects.get(key)).filter(b -> b.length <= maxBytes);
                }

                @Override
                public Mono<Boolean> holds(String key, long size, String sha256, String fingerprint, boolean readBack) {
                    holdsAsked.incrementAndGet();
                    if (readBack) {
                        readBacks.incrementAndGet();
                    }
                    byte[] b = objects.get(key);
                    return Mono.just(b != null && b.length == size && sha256(b).equals(sha256)
                            && ("fp-" + b.length).equals(fingerprint));
                }

                @Override
                public Mono<Stored> write(String key, Flux<ByteBuffer> audio, long contentLength, String contentType,
                        Map<String, String> metadata) {
                    assertThat(metadata).containsKeys("sid", "date-created", "duration");
                    assertThat(contentType).isEqualTo("audio/x-wav");
                    return audio.reduce(new ByteArrayOutputStream(), (out, b) -> {
                        byte[] chunk = new byte[b.remaining()];
                        b.get(chunk);
                        out.write(chunk, 0, chunk.length);
                        return out;
                    }).map(out -> {
                        byte[] all = out.toByteArray();
                        objects.put(key, all);
                        return new Stored(all.length, "fp-" + all.length, check);
                    });
                }

                @Override
                public Mono<Void> put(String key, byte[] bytes, String contentType) {
                    assertThat(contentType).isEqualTo("application/json");
                    objects.put(key, bytes);
                    return Mono.empty();
                }
            });
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anyTargetGetsTheSameLayoutSidecarsAndChecks() {
        MemoryTarget target = new MemoryTarget();

        List<ArchiveEvent> first = archive(target, ArchiveOptions.defaults().deleteAfterVerify(false));
        assertThat(((Summary) first.get(first.size() - 1)).downloaded()).isEqualTo(40);
        TestRecording r = recordings.get(3);
        String day = "2026/04/01/"; // 10:00 + 21 h = 07:00 the next day for index 3
        String key = "2026/04/02/" + r.sid() + ".wav";
        assertThat(target.objects.get(key)).isEqualTo(r.bytes(Format.WAV));
        String sidecar = new String(target.objects.get("2026/04/02/" + r.sid() + ".json"), StandardCharsets.UTF_8);
        assertThat(sidecar).contains("\"sha256\" : \"" + r.sha256(Format.WAV) + "\"")
                .contains("\"stored_fingerprint\" : \"fp-" + r.size(Format.WAV) + "\"");
        assertThat(first).filteredOn(e -> e instanceof Downloaded d && d.recording().sid().equals(r.sid()))
                .singleElement().satisfies(e -> {
                    assertThat(((Downloaded) e).location()).isEqualTo(URI.create("mem:/" + key));
                    assertThat(((Downloaded) e).file()).as("not a file").isNull();
                });
        assertThat(target.objects.keySet()).noneMatch(k -> k.startsWith(day) && k.contains(r.sid()));

        // Rerun: every copy is checked against its sidecar (with the store's fingerprint), nothing downloaded.
        List<ArchiveEvent> second = archive(target, ArchiveOptions.defaults());
        assertThat(sids(second, Kind.SKIPPED)).hasSize(40);
        assertThat(target.readBacks).hasValue(0);

        // A damaged copy is stored again; verifyRemote asks the store to read back.
        target.objects.put(key, Arrays.copyOf(r.bytes(Format.WAV), 10));
        List<ArchiveEvent> third = archive(target, ArchiveOptions.defaults().verifyRemote(true));
        assertThat(sids(third, Kind.DOWNLOADED)).containsExactly(r.sid());
        assertThat(target.readBacks.get()).isGreaterThanOrEqualTo(40);
        assertThat(target.opened).hasValue(3);
    }

    @Test
    void aCopyTheStoreCheckedNothingOfIsDeletedOnlyAfterItWasReadBack() {
        MemoryTarget target = new MemoryTarget();
        target.check = "none";

        List<ArchiveEvent> first = archive(target, ArchiveOptions.defaults().deleteAfterVerify(true));

        assertThat(sids(first, Kind.DOWNLOADED)).hasSize(40);
        assertThat(sids(first, Kind.DELETED)).isEmpty();
        assertThat(first).filteredOn(e -> e instanceof ArchiveEvent.Failed).hasSize(40).allSatisfy(e ->
                assertThat(((ArchiveEvent.Failed) e).reason()).startsWith("verify: ").contains("checked nothing"));
        TestRecording r = recordings.get(0);
        String sidecar = target.objects.entrySet().stream().filter(e -> e.getKey().endsWith(r.sid() + ".json"))
                .map(e -> new String(e.getValue(), StandardCharsets.UTF_8)).findFirst().orElseThrow();
        assertThat(sidecar).contains("\"store_check\" : \"none\"");

        // A rerun learns it from the sidecar: skipped, still not deleted without a read-back.
        List<ArchiveEvent> second = archive(target, ArchiveOptions.defaults().deleteAfterVerify(true));
        assertThat(sids(second, Kind.SKIPPED)).hasSize(40);
        assertThat(sids(second, Kind.DELETED)).isEmpty();
        assertThat(server.recordings()).hasSize(40);

        List<ArchiveEvent> third = archive(target, ArchiveOptions.defaults().deleteAfterVerify(true).verifyRemote(true));
        assertThat(sids(third, Kind.DELETED)).hasSize(40);
        assertThat(server.recordings()).isEmpty();
    }

    @Test
    void deleteAfterVerifyAsksTheStoreToConfirmBeforeEachDelete() {
        MemoryTarget target = new MemoryTarget();
        List<ArchiveEvent> events = archive(target, ArchiveOptions.defaults().deleteAfterVerify(true));

        assertThat(sids(events, Kind.DELETED)).hasSize(40);
        assertThat(target.holdsAsked.get()).as("one confirmation per deleted recording").isEqualTo(40);
        assertThat(server.recordings()).isEmpty();
    }

    @Test
    void aStoreThatDoesNotHoldWhatWasReceivedIsNeverDeletedFrom() {
        MemoryTarget lying = new MemoryTarget() {
            @Override
            public Mono<Session> open() {
                return super.open().map(s -> new Session() {
                    @Override
                    public URI location(String key) {
                        return s.location(key);
                    }

                    @Override
                    public Mono<byte[]> read(String key, int maxBytes) {
                        return s.read(key, maxBytes);
                    }

                    @Override
                    public Mono<Boolean> holds(String key, long size, String sha256, String fp, boolean readBack) {
                        return Mono.just(false);
                    }

                    @Override
                    public Mono<Stored> write(String key, Flux<ByteBuffer> audio, long n, String type,
                            Map<String, String> m) {
                        return s.write(key, audio, n, type, m);
                    }

                    @Override
                    public Mono<Void> put(String key, byte[] bytes, String type) {
                        return s.put(key, bytes, type);
                    }
                });
            }
        };

        List<ArchiveEvent> events = archive(lying, ArchiveOptions.defaults().deleteAfterVerify(true));

        assertThat(sids(events, Kind.DELETED)).isEmpty();
        assertThat(events).filteredOn(e -> e instanceof Failed).hasSize(40)
                .allSatisfy(e -> assertThat(((Failed) e).reason()).startsWith("verify: ").contains("does not match"));
        assertThat(server.recordings()).hasSize(40);
    }

    @Test
    void shardsSplitTheListingIntoDisjointPartsThatCoverIt(@TempDir Path dir) {
        int n = 4;
        Set<String> all = recordings.stream().map(TestRecording::sid).collect(Collectors.toSet());
        List<Set<String>> parts = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<ArchiveEvent> events = archive(ArchiveTarget.directory(dir), ArchiveOptions.defaults().shard(k, n));
            Set<String> downloaded = sids(events, Kind.DOWNLOADED);
            assertThat(sids(events, Kind.LISTED)).as("only this shard is even listed").isEqualTo(downloaded);
            for (String sid : downloaded) {
                assertThat(ArchiveOptions.shardOf(sid, n)).isEqualTo(k);
            }
            parts.add(downloaded);
        }
        assertThat(parts).allSatisfy(p -> assertThat(p).isNotEmpty());
        Set<String> union = parts.stream().flatMap(Set::stream).collect(Collectors.toSet());
        assertThat(union).isEqualTo(all);
        assertThat(parts.stream().mapToInt(Set::size).sum()).as("disjoint").isEqualTo(all.size());

        // Each worker stays resumable on its own: a rerun of shard 2 skips exactly its part.
        List<ArchiveEvent> rerun = archive(ArchiveTarget.directory(dir), ArchiveOptions.defaults().shard(2, n));
        assertThat(sids(rerun, Kind.SKIPPED)).isEqualTo(parts.get(2));
    }

    @Test
    void theShardHashIsTheDocumentedOne() {
        // SHA-256("19e436af-5688-4307-b03b-bdb2b42b8142"), first 8 bytes unsigned, mod N: reproducible anywhere.
        String sid = "19E436AF-5688-4307-B03B-BDB2B42B8142";
        byte[] d = sha256Bytes(sid.toLowerCase());
        long first8 = ByteBuffer.wrap(d, 0, 8).getLong();
        for (int count : new int[] {1, 2, 3, 7, 16, 1000}) {
            assertThat(ArchiveOptions.shardOf(sid, count)).isEqualTo((int) Long.remainderUnsigned(first8, count));
        }
        assertThatThrownBy(() -> ArchiveOptions.defaults().shard(4, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArchiveOptions.defaults().shard(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArchiveOptions.defaults().shard(-1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ArchiveOptions.defaults().shard(1, 3).toString()).contains("shard 1/3");
    }

    private static byte[] sha256Bytes(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The interface's null statement, for the target this module ships: what is absent, too large or not held is an
     * empty {@link Mono} or {@code false}, never a null; only {@link ArchiveTarget.Stored}'s fingerprint and check are
     * null (a directory has no store checksum and does not say which check it made).
     */
    @Test
    void aDirectoryAnswersAbsenceWithEmptyOrFalseAndNullsOnlyWhereStoredAllowsThem(@TempDir Path dir) {
        ArchiveTarget.Session session = ArchiveTarget.directory(dir).open().block(BLOCK);
        assertThat(session).isNotNull();
        assertThat(session.location("2026/04/01/missing.wav")).isNotNull();
        assertThat(session.read("2026/04/01/missing.json", 1024).blockOptional(BLOCK)).isEmpty();
        assertThat(session.holds("2026/04/01/missing.wav", 3, "00", null, true).block(BLOCK)).isFalse();

        byte[] audio = "RIFF".getBytes(StandardCharsets.US_ASCII);
        ArchiveTarget.Stored stored = session.write("2026/04/01/a.wav", Flux.just(ByteBuffer.wrap(audio)),
                audio.length, "audio/x-wav", Map.of()).block(BLOCK);
        assertThat(stored).isNotNull();
        assertThat(stored.size()).isEqualTo(audio.length);
        assertThat(stored.fingerprint()).isNull();
        assertThat(stored.check()).isNull();
        assertThat(session.put("2026/04/01/a.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json")
                .blockOptional(BLOCK)).isEmpty();
        assertThat(session.read("2026/04/01/a.json", 1).blockOptional(BLOCK)).as("larger than asked").isEmpty();
        assertThat(session.read("2026/04/01/a.json", 1024).block(BLOCK)).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNullTargetIsRejectedAtCallTime() {
        assertThatThrownBy(() -> client.archive(server.accountSid(), RecordingQuery.all(), (ArchiveTarget) null,
                ArchiveOptions.defaults())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    }
}
