package dev.laml.recordings.benchmarks;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.benchmarks.server.ArchiveSource;
import dev.laml.recordings.benchmarks.server.ArchiveSource.Shape;
import dev.laml.recordings.benchmarks.server.ChecksumHeaders;
import dev.laml.recordings.benchmarks.server.S3ProxyChild;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.s3.S3Target;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not JMH: archive throughput into a local directory against the same archive into S3 (S3Proxy), in the same run.
 * One turn = {@code RecordingsClient.archive(account, RecordingQuery.all().pageSize(1000), target,
 * ArchiveOptions.defaults().concurrency(c))} of one shape's whole account (list, stream each recording into the
 * target while hashing it, write its sidecar, and for S3 one HEAD per recording), timed from subscription to the
 * summary, into a fresh directory or key prefix; the copies are deleted after the turn, untimed. Rounds interleave
 * the targets in a fresh random order, as {@link Interleaved} does, so outside load hits them alike; the ratio
 * column is the median of the per-round ratios target ÷ directory.
 *
 * <p>Targets: {@code dir} ({@code ArchiveTarget.directory} under {@code --tmp}: temporary file, fsync, rename, as the
 * archive always does), {@code s3} ({@code S3Target} over the SDK's Netty NIO HTTP client) and {@code s3crt} (over its
 * CRT client), both with the SDK's default settings and S3Target's defaults (8 MiB parts, 3 in flight). With
 * {@code --checksums sha256,md5} each S3 target runs once per integrity path in the same rounds: {@code s3} and
 * {@code s3crt} with {@code S3Target.checksum(SHA256)} (what {@code AUTO} uses against S3Proxy 3.3), {@code s3-md5}
 * and {@code s3crt-md5} with {@code checksum(MD5)} (what {@code AUTO} falls back to on a store without S3's
 * additional checksums: {@code Content-MD5} on every PutObject and UploadPart), each over a client of its own; every
 * turn's upload requests are counted as they leave the SDK and must all carry that check and no other. The
 * {@code ÷ SHA-256} column is the per-round median of an MD5 target's rate over its SHA-256 twin's. The
 * recordings come from a testkit server and S3Proxy (filesystem store under {@code --tmp}) runs in another JVM; both
 * share the machine's cores with the client, and their CPU is reported beside it.
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar dev.laml.recordings.benchmarks.ArchiveThroughput \
 *      [--shapes 200x1048576,32x16777216,1000x65536] [--concurrency 8,32] [--rounds 5] [--targets dir,s3,s3crt] \
 *      [--checksums sha256|md5|sha256,md5] [--tmp /tmp] [--ci]
 * </pre>
 * {@code --ci}: shapes 24x65536 and 2x12582912 (multipart: a part of 8 MiB and one of 4 MiB), concurrency 8, one round,
 * no warm-up, checksums sha256 and md5. The first turn of
 * each target (warm-up, not counted) is checked copy by copy against the testkit's sizes and SHA-256 (sidecars,
 * HEAD and read-back); every turn must archive every recording with no failure. MB = 10^6 bytes.
 */
public final class ArchiveThroughput {

    private static final String BUCKET = "bench";
    private static final double MB = 1e6;

    private ArchiveThroughput() {
    }

    /** One timed turn. */
    private record Turn(double seconds, long bytes, long recordings, long clientCpu, long storeCpu, long sourceCpu) {
        double mbPerSecond() {
            return bytes / MB / seconds;
        }

        double recordingsPerSecond() {
            return recordings / seconds;
        }
    }

    public static void main(String[] args) throws IOException {
        List<String> shapes = List.of("200x1048576", "32x16777216", "1000x65536");
        List<Integer> concurrencies = List.of(8, 32);
        int rounds = 5;
        int warmups = 1;
        List<String> targets = List.of("dir", "s3", "s3crt");
        List<String> checksums = List.of("sha256");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes" -> shapes = List.of(args[++i].split(","));
                case "--concurrency" -> concurrencies = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                case "--targets" -> targets = List.of(args[++i].split(","));
                case "--checksums" -> checksums = List.of(args[++i].split(","));
                case "--tmp" -> tmp = Path.of(args[++i]);
                case "--ci" -> {
                    shapes = List.of("24x65536", "2x12582912");
                    concurrencies = List.of(8);
                    rounds = 1;
                    warmups = 0;
                    checksums = List.of("sha256", "md5");
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        for (String t : targets) {
            if (!List.of("dir", "s3", "s3crt").contains(t)) {
                throw new IllegalArgumentException("unknown target " + t + " (dir, s3, s3crt)");
            }
        }
        for (String c : checksums) {
            if (!List.of("sha256", "md5").contains(c)) {
                throw new IllegalArgumentException("unknown checksum " + c + " (sha256, md5)");
            }
        }
        // Each S3 target once per integrity path: s3 and s3crt on SHA-256, s3-md5 and s3crt-md5 on MD5.
        List<String> expanded = new ArrayList<>();
        for (String t : targets) {
            if (t.equals("dir")) {
                expanded.add(t);
            } else {
                for (String c : checksums) {
                    expanded.add(c.equals("sha256") ? t : t + "-md5");
                }
            }
        }
        targets = List.copyOf(expanded);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Path dirRoot = Files.createTempDirectory(tmp, "laml-archive-bench-");
        System.err.printf(Locale.ROOT, "ArchiveThroughput: java %s, %d cores, shapes %s, concurrency %s, %d rounds, targets %s,"
                        + " directory and S3Proxy store under %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), shapes, concurrencies, rounds, targets, tmp);
        long t0 = System.nanoTime();
        try (ArchiveSource source = ArchiveSource.start(shapes);
             S3ProxyChild s3proxy = S3ProxyChild.start(tmp);
             S3Clients s3 = new S3Clients(s3proxy, targets);
             RecordingsClient client = RecordingsClient.builder().baseUrl(source.baseUrl())
                     .credentials(source.projectId(), source.apiToken())
                     .maxConnections(128)
                     .build()) {
            System.err.printf(Locale.ROOT, "sources ready in %.1f s (testkit %s, S3Proxy %s)%n", (System.nanoTime() - t0) / 1e9,
                    source.baseUrl(), s3proxy.endpoint());
            s3.createBucket(BUCKET);
            int[] turnNo = {0};
            for (String shapeName : shapes) {
                Shape shape = source.shape(shapeName);
                for (int concurrency : concurrencies) {
                    Map<String, List<Turn>> samples = new LinkedHashMap<>();
                    targets.forEach(t -> samples.put(t, new ArrayList<>()));
                    List<Map<String, Double>> perRound = new ArrayList<>();
                    Runner runner = new Runner(client, source, s3proxy, dirRoot, s3, os, shape, concurrency, turnNo);
                    for (int w = 0; w < warmups; w++) {
                        for (String t : targets) {
                            Turn turn = runner.turn(t, w == 0);
                            System.err.printf(Locale.ROOT, "  warm-up %s %s c=%d: %.1f MB/s%n", t, shapeName, concurrency,
                                    turn.mbPerSecond());
                        }
                    }
                    Random random = new Random(42);
                    for (int r = 0; r < rounds; r++) {
                        List<String> order = new ArrayList<>(targets);
                        Collections.shuffle(order, random);
                        Map<String, Double> rate = new LinkedHashMap<>();
                        for (String t : order) {
                            Turn turn = runner.turn(t, warmups == 0 && r == 0);
                            samples.get(t).add(turn);
                            rate.put(t, turn.mbPerSecond());
                        }
                        perRound.add(rate);
                        System.err.printf(Locale.ROOT, "  %s c=%d round %d/%d: %s (load %.1f)%n", shapeName, concurrency, r + 1,
                                rounds, rate, os.getSystemLoadAverage());
                    }
                    report(shape, concurrency, rounds, targets, samples, perRound, os.getSystemLoadAverage());
                }
            }
            System.out.printf(Locale.ROOT, "%nArchiveThroughput: done in %.0f s, load average %.1f%n",
                    (System.nanoTime() - t0) / 1e9, os.getSystemLoadAverage());
        } finally {
            deleteTree(dirRoot);
        }
    }

    private static void report(Shape shape, int concurrency, int rounds, List<String> targets,
            Map<String, List<Turn>> samples, List<Map<String, Double>> perRound, double load) {
        System.out.printf(Locale.ROOT, "%nArchive %d x %d bytes (%.0f MB), concurrency %d, %d rounds, load average %.1f%n",
                shape.count(), shape.size(), shape.bytes() / MB, concurrency, rounds, load);
        System.out.println("| target | recordings/s (median) | MB/s (median) | MB/s (min..max) | client CPU ms/MB | "
                + "S3Proxy CPU ms/MB | testkit CPU ms/MB | ÷ dir, per-round median (min..max) | ÷ s3 (Netty), per-round median |"
                + " MD5 ÷ SHA-256, per-round median (min..max) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String t : targets) {
            List<Turn> ts = samples.get(t);
            double[] mbs = ts.stream().mapToDouble(Turn::mbPerSecond).sorted().toArray();
            double[] recs = ts.stream().mapToDouble(Turn::recordingsPerSecond).sorted().toArray();
            double[] cpu = ts.stream().mapToDouble(x -> x.clientCpu / 1e6 / (x.bytes / MB)).sorted().toArray();
            double[] store = ts.stream().mapToDouble(x -> x.storeCpu / 1e6 / (x.bytes / MB)).sorted().toArray();
            double[] src = ts.stream().mapToDouble(x -> x.sourceCpu / 1e6 / (x.bytes / MB)).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f..%.1f | %.2f | %s | %.2f | %s | %s | %s |%n", t, median(recs),
                    median(mbs), mbs[0], mbs[mbs.length - 1], median(cpu), t.equals("dir") ? "–" : String.format(Locale.ROOT,
                            "%.2f", median(store)), median(src), ratio(perRound, t, "dir"), ratio(perRound, t, "s3"),
                    t.endsWith("-md5") ? ratio(perRound, t, t.substring(0, t.length() - "-md5".length())) : "–");
        }
    }

    private static String ratio(List<Map<String, Double>> perRound, String t, String ref) {
        if (!perRound.get(0).containsKey(ref) || !perRound.get(0).containsKey(t)) {
            return "–";
        }
        double[] rs = perRound.stream().mapToDouble(m -> m.get(t) / m.get(ref)).sorted().toArray();
        return String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median(rs), rs[0], rs[rs.length - 1]);
    }

    /** Runs turns of one shape at one concurrency. */
    private static final class Runner {
        private final RecordingsClient client;
        private final ArchiveSource source;
        private final S3ProxyChild s3proxy;
        private final Path dirRoot;
        private final S3Clients s3;
        private final com.sun.management.OperatingSystemMXBean os;
        private final Shape shape;
        private final int concurrency;
        private final int[] turnNo;

        Runner(RecordingsClient client, ArchiveSource source, S3ProxyChild s3proxy, Path dirRoot,
                S3Clients s3, com.sun.management.OperatingSystemMXBean os, Shape shape, int concurrency,
                int[] turnNo) {
            this.client = client;
            this.source = source;
            this.s3proxy = s3proxy;
            this.dirRoot = dirRoot;
            this.s3 = s3;
            this.os = os;
            this.shape = shape;
            this.concurrency = concurrency;
            this.turnNo = turnNo;
        }

        /** Archives the whole shape into a fresh place, optionally checks every copy, then deletes them. */
        Turn turn(String name, boolean check) {
            String prefix = "t" + (++turnNo[0]);
            boolean md5 = name.endsWith("-md5");
            ArchiveTarget target = name.equals("dir") ? ArchiveTarget.directory(dirRoot.resolve(prefix))
                    : S3Target.of(s3.client(name), BUCKET, prefix)
                            .checksum(md5 ? S3Target.Checksum.MD5 : S3Target.Checksum.SHA256);
            ChecksumHeaders.Counts h0 = name.equals("dir") ? null : s3.headers(name).counts();
            AtomicReference<ArchiveEvent.Failed> firstFailure = new AtomicReference<>();
            long c0 = os.getProcessCpuTime();
            long s0 = s3proxy.cpuNanos();
            long a0 = source.cpuNanos();
            long w0 = System.nanoTime();
            Summary summary = client.archive(shape.accountSid(), RecordingQuery.all().pageSize(1000), target,
                            ArchiveOptions.defaults().concurrency(concurrency))
                    .doOnNext(e -> {
                        if (e instanceof ArchiveEvent.Failed f) {
                            firstFailure.compareAndSet(null, f);
                        }
                    })
                    .ofType(Summary.class)
                    .blockLast(Duration.ofMinutes(15));
            long wall = System.nanoTime() - w0;
            Turn turn = new Turn(wall / 1e9, summary == null ? 0 : summary.bytes(), summary == null ? 0 : summary.downloaded(),
                    os.getProcessCpuTime() - c0, s3proxy.cpuNanos() - s0, source.cpuNanos() - a0);
            try {
                if (summary == null || summary.downloaded() != shape.count() || summary.failed() != 0
                        || summary.bytes() != shape.bytes()) {
                    ArchiveEvent.Failed f = firstFailure.get();
                    throw new IllegalStateException(name + " " + shape.name() + ": " + summary
                            + (f == null ? "" : "; first failure: " + f.sid() + " " + f.reason()), f == null ? null : f.error());
                }
                if (h0 != null) {
                    // The path measured must be the path named: every upload request carried that check, none other.
                    ChecksumHeaders.Counts sent = s3.headers(name).counts().minus(h0);
                    if (!sent.allOn(md5 ? "md5" : "sha256")) {
                        throw new IllegalStateException(name + " " + shape.name() + ": not every upload request carried "
                                + (md5 ? "Content-MD5" : "x-amz-checksum-sha256") + " alone: " + sent);
                    }
                    if (check) {
                        System.err.printf(Locale.ROOT, "  on the wire %s %s: %s%n", name, shape.name(), sent);
                    }
                }
                if (check) {
                    ArchiveCheck.Result result = ArchiveCheck.check(target, shape.recordings(), true, 8);
                    System.err.printf(Locale.ROOT, "  checked %s %s: %d copies, %d wrong %s%n", name, shape.name(), result.checked(),
                            result.wrong(), result.firstProblems());
                    if (!result.ok()) {
                        throw new IllegalStateException(name + " " + shape.name() + ": " + result.wrong() + " wrong copies: "
                                + result.firstProblems());
                    }
                }
            } finally {
                if (name.equals("dir")) {
                    deleteTree(dirRoot.resolve(prefix));
                } else {
                    s3proxy.deleteStored(BUCKET, prefix);
                }
            }
            return turn;
        }
    }

    /** One S3 client per S3 target (its own connection pool), each counting the checks its uploads carry. */
    private static final class S3Clients implements AutoCloseable {
        private final Map<String, S3AsyncClient> clients = new LinkedHashMap<>();
        private final Map<String, ChecksumHeaders> headers = new LinkedHashMap<>();

        S3Clients(S3ProxyChild s3proxy, List<String> targets) {
            for (String t : targets) {
                if (!t.equals("dir")) {
                    ChecksumHeaders h = new ChecksumHeaders();
                    headers.put(t, h);
                    clients.put(t, s3proxy.client(t.startsWith("s3crt") ? "crt" : "netty", h));
                }
            }
        }

        S3AsyncClient client(String target) {
            return clients.get(target);
        }

        ChecksumHeaders headers(String target) {
            return headers.get(target);
        }

        /** Creates the bucket through the first client; nothing when only the directory is measured. */
        void createBucket(String bucket) {
            clients.values().stream().findFirst().ifPresent(c -> c.createBucket(b -> b.bucket(bucket)).join());
        }

        @Override
        public void close() {
            clients.values().forEach(S3AsyncClient::close);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
