package dev.laml.recordings.reactor;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.PoolExhaustedException;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.ConnectProxy;
import dev.laml.recordings.testsupport.LeakRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long haul of issue 13: thousands of downloads of mixed sizes (8 KB to 3 MB), WAV and MP3, over HTTPS (the
 * testkit's certificate trusted, nothing else) through a {@code CONNECT} proxy, 64 at a time, while a seeded 30 % of
 * the requests meet a server fault (close, reset or stall mid-body, 5xx, 429, a malformed status line, header or
 * chunk, a head that never ends, a 200 that is not audio) and the proxy drops a seeded 20 % of its tunnels after a
 * random byte count (in the TLS handshake, before a head, mid-body). One more download in ten is abandoned by its
 * subscriber after a few buffers.
 *
 * <p>Asserts, for the whole run: every download ends in the testkit's exact SHA-256 or an {@link ApiException} /
 * {@link TransferException}, of the kinds the faults met can explain; no wrong bytes, no other error, no download
 * hung; no Netty leak at paranoid; the pool then holds nothing acquired or waiting, and as idle exactly the
 * connections that exist (one tunnel, one server connection each); the same client downloads every recording
 * exactly, and left idle gives every connection back within 1.5 x {@code maxIdleTime}; after it is closed, open file
 * descriptors and live threads are back at their baseline; and the heap stays bounded under {@code -Xmx256m} and
 * keeps nothing of the run.
 *
 * <p>Runs in its own Surefire execution ({@code soak}, a fork with {@code -Xmx256m} and the paranoid leak arguments;
 * tagged {@code soak}, so the default execution leaves it out): {@code soak.downloads} downloads, 1,000 in
 * {@code mvn verify}, 5,000 with {@code -Psoak}; {@code -Dsoak.seed=N} and {@code -Dsoak.tlsEngine=JDK} vary it.
 * Prints its figures as a {@code SOAK-TLS-PROXY} line; RELIABILITY.md keeps them. {@link SoakTest} is the quick
 * plain-HTTP soak without a proxy in the default execution.
 */
@Tag("soak")
class TlsProxySoakTest {

    private static final int DOWNLOADS = Integer.getInteger("soak.downloads", 1_000);
    private static final long SEED = Long.getLong("soak.seed", 20270113L);
    /** The client's engine: AUTO (OpenSSL here), or JDK with {@code -Dsoak.tlsEngine=JDK}. */
    private static final TlsEngine ENGINE = TlsEngine.valueOf(System.getProperty("soak.tlsEngine", "AUTO"));
    private static final int CONCURRENCY = 64;
    private static final int RECORDINGS = 40;
    /** Share of the server's answers that meet a fault. */
    private static final double FAULT_RATE = 0.30;
    /**
     * Share of the proxy's tunnels dropped, each after 512 B to 1.5 MB toward the client (log-uniform: about a quarter
     * cut the TLS handshake or come before the first response head, the rest cut a body).
     */
    private static final double TUNNEL_DROP_RATE = 0.20;
    private static final long TUNNEL_DROP_MIN_BYTES = 512;
    private static final long TUNNEL_DROP_MAX_BYTES = 1_500_000;
    /** Besides the downloads, one in ten more is abandoned by its subscriber after a few buffers. */
    private static final int ABANDONED = DOWNLOADS / 10;
    /** Far above the worst legitimate download (5 attempts, each at most a response or idle timeout): a hang. */
    private static final Duration PER_DOWNLOAD_LIMIT = Duration.ofSeconds(90);
    private static final long HEAP_LIMIT = 256L << 20;
    /**
     * Descriptors and threads allowed above the baseline once everything is closed. Not a budget for leaks (a leaked
     * connection per fault would be hundreds of each), but room for what a JVM starts lazily and keeps: a jar opened
     * by the class loader for a class first needed during the soak, a JDK or library housekeeping thread (a
     * ForkJoinPool common-pool worker, a Reactor scheduler worker first used by a retry, Reactor Netty's second
     * pool-maintenance thread, started for the second client's pool and kept: one per core at most).
     */
    private static final int FD_TOLERANCE = 4;
    private static final int THREAD_TOLERANCE = 4;

    private static final Fault NO_FAULT = Fault.latency(Duration.ZERO);

    @TempDir
    Path dir;

    /** A fault of the queue, and what to call it in the figures. */
    private record Planned(String kind, Fault fault) {
    }

    private enum Outcome { EXACT, TYPED_ERROR, WRONG_BYTES, UNTYPED_ERROR, HUNG, ABANDONED }

    @Test
    void thousandsOfDownloadsOverTlsThroughAProxyEndExactOrTypedAndGiveEveryResourceBack() throws Exception {
        quietExpectedConnectionErrors();
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertThat(maxHeap).as("run in the soak execution (a fork with -Xmx256m)").isLessThanOrEqualTo(HEAP_LIMIT);
        Random random = new Random(SEED);

        try (RecordingsServer server = RecordingsServer.builder().tls().requestLogCapacity(0).start();
             ConnectProxy proxy = ConnectProxy.start()) {
            Path ca = server.writeCertificatePem(dir.resolve("testkit.pem"));
            List<TestRecording> recordings = addRecordings(server, random);
            long wavBytes = recordings.stream().mapToLong(r -> r.size(Format.WAV)).sum();
            long mp3Bytes = recordings.stream().mapToLong(r -> r.size(Format.MP3)).sum();

            // Warm-up: a client like the soak's, through the same proxy, with a retry and a resume, so that the
            // event loops, schedulers, TLS and proxy machinery exist before the baseline is taken.
            try (RecordingsClient warmUp = client(server, ca, proxy, new SimpleMeterRegistry())) {
                server.enqueueFault(Fault.serverError(503));
                server.enqueueFault(Fault.closeAfterBytes(1_000));
                List<String> warm = Flux.fromIterable(recordings.subList(0, 16))
                        .flatMap(r -> sha256(warmUp.download(r.accountSid(), r.sid(), AudioFormat.WAV))
                                .map(h -> h.equals(r.sha256(Format.WAV)) ? "ok" : "wrong"), 16)
                        .collectList().block(Duration.ofSeconds(60));
                assertThat(warm).containsOnly("ok");
            }
            awaitQuiet(server, proxy);
            System.gc();
            long fdsBefore = openFileDescriptors();
            int threadsBefore = liveThreads();
            List<String> fdTargetsBefore = fileDescriptorTargets();
            List<String> threadNamesBefore = threadNames();
            long heapAfterGcBefore = heapUsed();
            server.resetCounters();
            long requestsBefore = server.requestCount();

            // The plan: a seeded 30 % of answers meet a fault, taken by requests in arrival order.
            List<Planned> plan = new ArrayList<>();
            for (int i = 0; i < DOWNLOADS * 3; i++) {
                Planned p = random.nextDouble() < FAULT_RATE ? randomFault(random) : new Planned("none", NO_FAULT);
                plan.add(p);
                server.enqueueFault(p.fault());
            }
            proxy.dropTunnelsAtRandom(TUNNEL_DROP_RATE, TUNNEL_DROP_MIN_BYTES, TUNNEL_DROP_MAX_BYTES, SEED);
            int[] pick = new int[DOWNLOADS + ABANDONED];
            boolean[] mp3 = new boolean[pick.length];
            // 0 for a download read to its end; else the number of buffers after which its subscriber cancels.
            int[] abandonAfter = new int[pick.length];
            for (int i = 0; i < pick.length; i++) {
                pick[i] = random.nextInt(RECORDINGS);
                mp3[i] = random.nextBoolean();
            }
            for (int n = 0; n < ABANDONED; ) {
                int i = random.nextInt(pick.length);
                if (abandonAfter[i] == 0) {
                    abandonAfter[i] = 1 + random.nextInt(8);
                    n++;
                }
            }
            int tunnelsBefore = proxy.tunnelsOpened();

            HeapWatch heap = HeapWatch.start(pick.length);
            Map<Outcome, AtomicLong> outcomes = new ConcurrentHashMap<>();
            Map<Outcome, AtomicLong> abandonedOutcomes = new ConcurrentHashMap<>();
            Map<String, AtomicLong> errorTypes = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong bytesExact = new AtomicLong();
            LongAccumulator slowestMillis = new LongAccumulator(Math::max, 0);
            long start = System.nanoTime();
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            RecordingsClient client = client(server, ca, proxy, meters);
            try {
                Flux.range(0, pick.length)
                        .flatMap(i -> {
                            // flatMap maps an element when it subscribes to its download: the download starts now.
                            long began = System.nanoTime();
                            TestRecording r = recordings.get(pick[i]);
                            Format format = mp3[i] ? Format.MP3 : Format.WAV;
                            Flux<ByteBuffer> body = client.download(r.accountSid(), r.sid(),
                                    mp3[i] ? AudioFormat.MP3 : AudioFormat.WAV);
                            if (abandonAfter[i] > 0) {
                                // The subscriber walks away mid-body (or mid-retry): the connection and every buffer
                                // must still come back. Ends as ABANDONED, or as a typed error met before.
                                return body.take(abandonAfter[i]).then(Mono.just(Outcome.ABANDONED))
                                        .timeout(PER_DOWNLOAD_LIMIT)
                                        .onErrorResume(e -> Mono.just(classify(i, e, errorTypes, problems)))
                                        .doOnNext(o -> {
                                            heap.completed();
                                            slowestMillis.accumulate((System.nanoTime() - began) / 1_000_000);
                                            abandonedOutcomes.computeIfAbsent(o, k -> new AtomicLong()).incrementAndGet();
                                        });
                            }
                            return sha256(body)
                                    .timeout(PER_DOWNLOAD_LIMIT)
                                    .map(hash -> {
                                        if (hash.equals(r.sha256(format))) {
                                            bytesExact.addAndGet(r.size(format));
                                            return Outcome.EXACT;
                                        }
                                        problems.add("download " + i + " (" + r.sid() + " " + format
                                                + ") completed with the wrong bytes");
                                        return Outcome.WRONG_BYTES;
                                    })
                                    .onErrorResume(e -> Mono.just(classify(i, e, errorTypes, problems)))
                                    .doOnNext(o -> {
                                        heap.completed();
                                        slowestMillis.accumulate((System.nanoTime() - began) / 1_000_000);
                                        outcomes.computeIfAbsent(o, k -> new AtomicLong()).incrementAndGet();
                                    });
                        }, CONCURRENCY)
                        .blockLast(Duration.ofMinutes(30));
                double seconds = (System.nanoTime() - start) / 1e9;
                long requests = server.requestCount() - requestsBefore;
                int tunnels = proxy.tunnelsOpened() - tunnelsBefore;
                int dropped = proxy.tunnelsDropped();
                // The pool once the run is over: nothing still acquired or waiting, and every connection it keeps
                // idle is one open tunnel and one server connection (none lost, none counted twice).
                boolean poolSettled = await(Duration.ofSeconds(10), () -> gauge(meters, "laml.recordings.pool.active") == 0
                        && gauge(meters, "laml.recordings.pool.pending") == 0
                        && gauge(meters, "laml.recordings.pool.idle") == proxy.openTunnels()
                        && proxy.openTunnels() == server.openConnections());
                String pool = "active=" + gauge(meters, "laml.recordings.pool.active") + " pending="
                        + gauge(meters, "laml.recordings.pool.pending") + " idle=" + gauge(meters, "laml.recordings.pool.idle")
                        + " openTunnels=" + proxy.openTunnels() + " serverConnections=" + server.openConnections();
                String counters = "retried=" + counter(meters, "laml.recordings.requests.retried") + " resumed="
                        + counter(meters, "laml.recordings.downloads.resumed");
                Map<String, Long> faultsMet = plan.subList(0, (int) Math.min(plan.size(), requests)).stream()
                        .filter(p -> !p.kind().equals("none"))
                        .collect(Collectors.groupingBy(Planned::kind, TreeMap::new, Collectors.counting()));
                long serverFaultsMet = faultsMet.values().stream().mapToLong(Long::longValue).sum();
                faultsMet.put("proxy-drop", (long) dropped);

                // The same client, faults and drops gone: every recording, both formats, exactly.
                server.clearFaults();
                proxy.dropTunnelsAfterBytes(Long.MAX_VALUE);
                List<String> after = Flux.fromIterable(recordings)
                        .flatMap(r -> Flux.just(Format.WAV, Format.MP3)
                                .flatMap(f -> sha256(client.download(r.accountSid(), r.sid(),
                                        f == Format.MP3 ? AudioFormat.MP3 : AudioFormat.WAV))
                                        .map(h -> h.equals(r.sha256(f)) ? "ok" : "wrong " + r.sid() + " " + f)), 16)
                        .collectList().block(Duration.ofSeconds(120));
                heap.sample();

                // Left idle, the same client gives every connection back within 1.5 x maxIdleTime, still open.
                long idleSince = System.nanoTime();
                boolean idleReleased = await(Duration.ofSeconds(15), () -> gauge(meters, "laml.recordings.pool.idle") == 0
                        && proxy.openTunnels() == 0 && server.openConnections() == 0);
                double idleReleasedSeconds = (System.nanoTime() - idleSince) / 1e9;

                client.close();
                awaitQuiet(server, proxy);
                boolean settled = await(Duration.ofSeconds(30), () -> openFileDescriptors() <= fdsBefore + FD_TOLERANCE
                        && liveThreads() <= threadsBefore + THREAD_TOLERANCE);
                long fdsAfter = openFileDescriptors();
                int threadsAfter = liveThreads();
                List<String> leaks = LeakRecorder.drain();
                heap.stop();
                // The heap the run left behind. It includes the test's plan (~50 bytes a request) and the testkit
                // server's TLS session cache, one session per full handshake (about one per tunnel, ~2.2 KB each, up
                // to Netty's 20,480; the server's SslContext keeps them, closed or not): a class histogram of a
                // 4,000-download run showed nothing else, and no NativeSslSession growth with a JDK-engine server.
                System.gc();
                long heapAfterGcAfter = heapUsed();

                Map<String, Long> outcomeCounts = new TreeMap<>();
                outcomes.forEach((k, v) -> outcomeCounts.put(k.name(), v.get()));
                Map<String, Long> abandonedCounts = new TreeMap<>();
                abandonedOutcomes.forEach((k, v) -> abandonedCounts.put(k.name(), v.get()));
                Map<String, Long> errors = new TreeMap<>();
                errorTypes.forEach((k, v) -> errors.put(k, v.get()));
                System.out.printf("SOAK-TLS-PROXY downloads=%d concurrency=%d seed=%d tls=%s recordings=%d "
                                + "(WAV %.1f MB, MP3 %.1f MB) abandoned=%d %s requests=%d %s serverFaultsMet=%d %s "
                                + "tunnels=%d poolAfterRun[%s] outcomes=%s typedErrors(all)=%s exactMB=%.1f wrongBytes=%d untyped=%d "
                                + "hung=%d leaks=%d "
                                + "fds=%d->%d threads=%d->%d heapPeakMB=%.1f heapLiveUnderLoadMB=%.1f "
                                + "heapAfterGcMB=%.1f->%.1f directPeakMB=%.1f gcs=%d maxHeapMB=%d seconds=%.1f "
                                + "slowestDownloadSeconds=%.1f afterRound=%s idleConnectionsClosedAfterSeconds=%.1f%n",
                        DOWNLOADS, CONCURRENCY, SEED, client.tlsEngine(), RECORDINGS, wavBytes / 1e6, mp3Bytes / 1e6,
                        ABANDONED, abandonedCounts, requests, counters, serverFaultsMet, faultsMet, tunnels, pool,
                        outcomeCounts,
                        errors, bytesExact.get() / 1e6, count(outcomes, Outcome.WRONG_BYTES),
                        count(outcomes, Outcome.UNTYPED_ERROR) + count(abandonedOutcomes, Outcome.UNTYPED_ERROR),
                        count(outcomes, Outcome.HUNG) + count(abandonedOutcomes, Outcome.HUNG), leaks.size(),
                        fdsBefore, fdsAfter, threadsBefore, threadsAfter, heap.peakUsed() / 1048576.0,
                        heap.liveUnderLoad() / 1048576.0, heapAfterGcBefore / 1048576.0, heapAfterGcAfter / 1048576.0,
                        heap.peakDirect() / 1048576.0, heap.collections(), maxHeap >> 20, seconds,
                        slowestMillis.get() / 1000.0,
                        after.stream().allMatch("ok"::equals) ? "exact" : after, idleReleasedSeconds);
                problems.stream().limit(20).forEach(p -> System.out.println("SOAK-PROBLEM " + p));

                long exact = count(outcomes, Outcome.EXACT);
                long typed = count(outcomes, Outcome.TYPED_ERROR);
                long typedAll = errors.values().stream().mapToLong(Long::longValue).sum();
                assertThat(problems).as("wrong bytes, untyped errors, hangs").isEmpty();
                assertThat(exact + typed).isEqualTo(DOWNLOADS);
                assertThat(count(abandonedOutcomes, Outcome.ABANDONED) + count(abandonedOutcomes, Outcome.TYPED_ERROR))
                        .isEqualTo(ABANDONED);
                assertThat(exact).as("most downloads recover through retries and resumes")
                        .isGreaterThan(DOWNLOADS * 85L / 100);
                // Each typed error is one the faults met explain. A malformed answer is never retried, nor is a 200
                // that is not audio, nor a whole body without a validator answering a resume (the chunked malformed
                // answer, met by a resume, is a ContentChangedException: nothing to compare it with). A break anywhere
                // (proxy drops included) is retried or resumed, and ends in an error only when all 5 attempts break:
                // rare, and never taken for a malformed answer, a TLS verdict, a proxy refusal or a full pool.
                long malformedMet = faultsMet.entrySet().stream().filter(e -> e.getKey().startsWith("malformed")
                        && !e.getKey().equals("malformed:head-never-ends")).mapToLong(Map.Entry::getValue).sum();
                long malformed = errors.getOrDefault(MalformedResponseException.class.getSimpleName(), 0L);
                long notRetried = malformed + errors.getOrDefault(UnexpectedResponseException.class.getSimpleName(), 0L)
                        + errors.getOrDefault(ContentChangedException.class.getSimpleName(), 0L);
                assertThat(malformed).isLessThanOrEqualTo(malformedMet);
                assertThat(notRetried).isLessThanOrEqualTo(malformedMet + faultsMet.getOrDefault("not-audio", 0L));
                assertThat(typedAll - notRetried).as("downloads whose every attempt broke")
                        .isLessThanOrEqualTo(pick.length / 50);
                assertThat(errors).doesNotContainKeys(Stream.of(TlsException.class, ProxyException.class,
                        PoolExhaustedException.class, NotFoundException.class, AuthenticationException.class,
                        RangeNotSatisfiableException.class).map(Class::getSimpleName).toArray(String[]::new));
                assertThat(serverFaultsMet).as("about 30 %% of %d requests met a fault", requests)
                        .isBetween(requests / 5, requests * 2 / 5);
                assertThat(dropped).as("the proxy dropped tunnels mid-run").isPositive();
                assertThat(poolSettled).as("the pool after the run: %s", pool).isTrue();
                assertThat(after).as("the same client afterwards").hasSize(2 * RECORDINGS).containsOnly("ok");
                assertThat(idleReleased).as("connections given back by the idle client: pool idle %d, tunnels %d, server "
                        + "connections %d", gauge(meters, "laml.recordings.pool.idle"), proxy.openTunnels(),
                        server.openConnections()).isTrue();
                assertThat(leaks).as("Netty leak reports").isEmpty();
                assertThat(settled)
                        .as("descriptors %d -> %d (new: %s), threads %d -> %d (new: %s)", fdsBefore, fdsAfter,
                                added(fdTargetsBefore, fileDescriptorTargets()), threadsBefore, threadsAfter,
                                added(threadNamesBefore, threadNames()))
                        .isTrue();
                assertThat(heap.peakUsed()).isLessThanOrEqualTo(HEAP_LIMIT);
                assertThat(heapAfterGcAfter).as("heap after GC, before -> after: nothing retained by the run")
                        .isLessThan(heapAfterGcBefore + (32L << 20));
            } finally {
                heap.stop();
                client.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the set-up

    /**
     * Reactor Netty logs every connection that ends in an error at WARN with its stack trace, and this run breaks
     * hundreds on purpose; the outcomes are counted and asserted instead. Only in the soak's own fork.
     */
    private static void quietExpectedConnectionErrors() {
        for (String name : List.of("reactor.netty.http.client.HttpClientConnect", "reactor.netty.channel.FluxReceive")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name))
                    .setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    private static RecordingsClient client(RecordingsServer server, Path ca, ConnectProxy proxy, MeterRegistry meters) {
        return RecordingsClient.builder()
                // For the pool's gauges (acquired, idle, pending) and the retry and resume counters.
                .meterRegistry(meters)
                .baseUrl(server.baseUrl())
                .credentials(server.projectId(), server.apiToken())
                .trustedCertificates(ca)
                .tlsEngine(ENGINE)
                .proxy(proxy.uri())
                // Short, so that stalls cost little; long enough that a busy 2-core machine is not a dead server.
                .idleTimeout(Duration.ofSeconds(1))
                // Short, so that the idle client's connections are seen to go away in a few seconds.
                .maxIdleTime(Duration.ofSeconds(3))
                .responseTimeout(Duration.ofSeconds(3))
                .tlsHandshakeTimeout(Duration.ofSeconds(5))
                .retryPolicy(RetryPolicy.defaults().maxAttempts(5).baseDelay(Duration.ofMillis(5))
                        .maxDelay(Duration.ofMillis(50)).maxRetryAfter(Duration.ofMillis(50)))
                .build();
    }

    /**
     * Mixed sizes: a third small (8 to 64 KB), half medium (to 768 KB), the rest large (to 3 MB), each with an MP3 of
     * a fifth to a half of its WAV's size.
     */
    private static List<TestRecording> addRecordings(RecordingsServer server, Random random) {
        List<TestRecording> recordings = new ArrayList<>();
        for (int i = 0; i < RECORDINGS; i++) {
            double kind = random.nextDouble();
            long wav = kind < 0.3 ? between(random, 8_000, 64_000)
                    : kind < 0.8 ? between(random, 64_000, 768_000) : between(random, 768_000, 3_000_000);
            wav = 44 + (wav / 2) * 2;
            long mp3 = Math.max(10, (long) (wav * (0.2 + 0.3 * random.nextDouble())));
            recordings.add(server.addRecording(RecordingSpec.create().seed(SEED + i)
                    .size(Format.WAV, wav).size(Format.MP3, mp3)));
        }
        return recordings;
    }

    private static long between(Random random, long low, long high) {
        return low + (long) (random.nextDouble() * (high - low));
    }

    /**
     * One fault, weighted toward the breaks a long haul meets most. Offsets are body bytes after any range, below
     * 256 KB so most cut the body they meet.
     */
    private static Planned randomFault(Random random) {
        long at = random.nextInt(256_000);
        int roll = random.nextInt(100);
        if (roll < 16) {
            return new Planned("close", Fault.closeAfterBytes(at));
        } else if (roll < 32) {
            return new Planned("reset", Fault.resetAfterBytes(at));
        } else if (roll < 42) {
            return new Planned("stall", Fault.stallAfterBytes(at));
        } else if (roll < 60) {
            int[] codes = {500, 502, 503, 504};
            int code = codes[random.nextInt(codes.length)];
            return new Planned("5xx", Fault.serverError(code));
        } else if (roll < 75) {
            return new Planned("429", Fault.rateLimited(Duration.ofSeconds(1)));
        } else if (roll < 95) {
            Planned malformed = MALFORMED.get(random.nextInt(MALFORMED.size()));
            return malformed;
        } else {
            return new Planned("not-audio", Fault.wrongContentType("text/html"));
        }
    }

    /** Broken status lines, headers and chunking, and a head that never ends; built once (each holds its bytes). */
    private static final List<Planned> MALFORMED = List.of(
            raw("status-2OO", "HTTP/1.1 2OO OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 5\r\n\r\nabcde"),
            raw("length-negative", "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: -5\r\n\r\nabcde"),
            raw("length-twice", "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 5\r\n"
                    + "Content-Length: 6\r\n\r\nabcdef"),
            raw("length-beyond-long", "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\n"
                    + "Content-Length: 99999999999999999999999\r\n\r\nabcde"),
            raw("chunk-not-hex", "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nRIFF!\r\nzz\r\nabc\r\n0\r\n\r\n"),
            raw("header-over-16KiB", "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nX-Padding: "
                    + "a".repeat(17 * 1024) + "\r\nContent-Length: 5\r\n\r\nabcde"),
            new Planned("malformed:not-http", Fault.raw(notHttp())),
            new Planned("malformed:head-never-ends", Fault.raw("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\n"
                    + "Content-Le", Fault.After.STALL)));

    private static Planned raw(String name, String answer) {
        return new Planned("malformed:" + name, Fault.raw(answer.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static byte[] notHttp() {
        byte[] garbage = new byte[512];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 37 + 11);
        }
        return garbage;
    }

    // ------------------------------------------------------------------------------------------------ outcomes

    private static Outcome classify(int i, Throwable e, Map<String, AtomicLong> errorTypes,
                                    ConcurrentLinkedQueue<String> problems) {
        if (e instanceof ApiException || e instanceof TransferException) {
            errorTypes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
            return Outcome.TYPED_ERROR;
        }
        if (e instanceof TimeoutException) {
            problems.add("download " + i + " hung: no end within " + PER_DOWNLOAD_LIMIT);
            return Outcome.HUNG;
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        problems.add("download " + i + " failed with an untyped " + trace);
        return Outcome.UNTYPED_ERROR;
    }

    /** A pool gauge summed over the pool's remotes (one here: the proxy). */
    private static long gauge(MeterRegistry meters, String name) {
        return Math.round(meters.find(name).gauges().stream().mapToDouble(Gauge::value).sum());
    }

    private static long counter(MeterRegistry meters, String name) {
        return Math.round(meters.find(name).counters().stream().mapToDouble(Counter::count).sum());
    }

    private static long count(Map<Outcome, AtomicLong> outcomes, Outcome o) {
        AtomicLong n = outcomes.get(o);
        return n == null ? 0 : n.get();
    }

    private static Mono<String> sha256(Flux<ByteBuffer> body) {
        return body.reduce(newDigest(), (md, buf) -> {
            md.update(buf);
            return md;
        }).map(md -> HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ resources

    /** Until no tunnel and no server connection is open: the client's connections are all gone. */
    private static void awaitQuiet(RecordingsServer server, ConnectProxy proxy) throws InterruptedException {
        boolean quiet = await(Duration.ofSeconds(30), () -> proxy.openTunnels() == 0 && server.openConnections() == 0);
        assertThat(quiet).as("open tunnels %d, open server connections %d", proxy.openTunnels(),
                server.openConnections()).isTrue();
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("this soak reads /proc/self/fd (Linux)", e);
        }
    }

    /** What each open descriptor points at (socket:[inode], a jar, a pipe), for the message of a failure. */
    private static List<String> fileDescriptorTargets() {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    targets.add(target.startsWith("socket:") ? "socket" : target);
                } catch (IOException e) {
                    // Closed meanwhile (the listing's own descriptor, say).
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Live thread names, digits folded, for the message of a failure. */
    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName().replaceAll("\\d+", "N")).collect(Collectors.toList());
    }

    /** The entries of {@code now} beyond those of {@code before}, counted (a multiset difference). */
    private static Map<String, Integer> added(List<String> before, List<String> now) {
        Map<String, Integer> diff = new TreeMap<>();
        now.forEach(n -> diff.merge(n, 1, Integer::sum));
        before.forEach(n -> diff.merge(n, -1, Integer::sum));
        diff.values().removeIf(v -> v <= 0);
        return diff;
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Peak heap: the largest heap in use seen before any collection (GC notifications) or at any completed
     * download. Live heap under load: the heap in use right after a full collection forced when a quarter, half and
     * three quarters of the downloads have ended, 64 still in flight (a young collection's "after" would count the
     * old generation's garbage too). Direct memory: NIO's count, which Netty's pooled buffers and the testkit's
     * content are in, at every completed download.
     */
    private static final class HeapWatch implements NotificationListener {
        private final LongAccumulator peakUsed = new LongAccumulator(Math::max, 0);
        private final LongAccumulator liveUnderLoad = new LongAccumulator(Math::max, 0);
        private final AtomicLong completed = new AtomicLong();
        private final long total;
        private final LongAccumulator peakDirect = new LongAccumulator(Math::max, 0);
        private final AtomicLong collections = new AtomicLong();
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        private final TreeSet<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
                .map(java.lang.management.MemoryPoolMXBean::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        private boolean stopped;

        private HeapWatch(long total) {
            this.total = total;
        }

        static HeapWatch start(long total) {
            HeapWatch watch = new HeapWatch(total);
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(watch, null, null);
                    watch.emitters.add(emitter);
                }
            }
            watch.sample();
            return watch;
        }

        /** A download ended: samples, and at each quarter of the run measures the live heap. */
        void completed() {
            long n = completed.incrementAndGet();
            sample();
            if (n == total / 4 || n == total / 2 || n == total * 3 / 4) {
                // On the event loop that ended the download: the collection stops every thread anyway.
                System.gc();
                liveUnderLoad.accumulate(heapUsed());
            }
        }

        void sample() {
            peakUsed.accumulate(heapUsed());
            peakDirect.accumulate(direct.getMemoryUsed());
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            peakUsed.accumulate(heapSum(info.getGcInfo().getMemoryUsageBeforeGc()));
            collections.incrementAndGet();
        }

        private long heapSum(Map<String, MemoryUsage> pools) {
            return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().getUsed()).sum();
        }

        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            for (NotificationEmitter emitter : emitters) {
                try {
                    emitter.removeNotificationListener(this);
                } catch (javax.management.ListenerNotFoundException e) {
                    // Not registered: nothing to remove.
                }
            }
        }

        long peakUsed() {
            return peakUsed.get();
        }

        long liveUnderLoad() {
            return liveUnderLoad.get();
        }

        long peakDirect() {
            return peakDirect.get();
        }

        long collections() {
            return collections.get();
        }
    }
}
