package dev.laml.recordings.benchmarks;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.benchmarks.server.ArchiveSource;
import dev.laml.recordings.benchmarks.server.ArchiveSource.Shape;
import dev.laml.recordings.benchmarks.server.ChecksumHeaders;
import dev.laml.recordings.benchmarks.server.S3ProxyChild;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.s3.S3Target;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not JMH: {@link MemoryBound} for the S3 archive. {@code --count} (1000) recordings of {@code --size} (8 MiB) are
 * archived into S3Proxy with {@code S3Target} under {@code -Xmx128m}; the testkit server (which holds all the audio,
 * 8 GiB by default, in its direct memory) and S3Proxy each run in a child JVM of their own, so that only the client
 * counts against the bound. Checked: the run archives every recording with no failure and no
 * {@link OutOfMemoryError}; every recording's sidecar records the size and SHA-256 the testkit computed when it
 * generated it; every object holds them (one HEAD against the sidecar's fingerprint, then read back and hashed,
 * unless {@code --no-read-back}); the bucket holds exactly one object and one sidecar per recording and no multipart
 * upload is left. Reported: peak heap used (sampled every 20 ms, and right after collections: the live set), direct
 * memory, GC.
 *
 * <pre>
 * java -Xmx128m -XX:+ExitOnOutOfMemoryError -cp benchmarks/target/benchmarks.jar \
 *      dev.laml.recordings.benchmarks.S3MemoryBound [--ci] [--count 1000] [--size 8388608] [--concurrency 4] \
 *      [--part-size 0] [--parts-in-flight 0] [--http netty|crt] [--checksum auto|sha256|md5] [--no-read-back] \
 *      [--tmp /tmp]
 * </pre>
 * {@code --checksum}: the integrity check {@code S3Target.checksum(...)} asks the store for; {@code auto} (the
 * default, what a user gets) is SHA-256 against S3Proxy 3.3, {@code md5} forces the MD5 path ({@code Content-MD5} on
 * every PutObject and UploadPart, each part's MD5 computed as its blocks arrive) that {@code auto} falls back to on
 * stores without S3's additional checksums. The upload requests are counted as they leave the SDK, and with
 * {@code sha256} or {@code md5} the run fails unless every one carried that check and no other.
 * What bounds the heap: each recording in flight holds at most {@code min(size, part size x parts in flight)} bytes
 * of part buffers (S3Target: 8 MiB x 3 by default; an object of at most one part is one {@code PutObject} of a
 * buffer of its size, allocated whole), whatever the count. {@code --concurrency} defaults to 4, the archive's own
 * default: under {@code -Xmx128m} 8 does not fit (measured: OutOfMemoryError, a live set of 93 MiB; each 8 MiB
 * buffer is a G1 humongous object of 9 one-MiB regions, and uploads that are finishing still hold theirs).
 * {@code --ci}: 12 recordings of 10 MiB (multipart: 8 + 2 MiB), concurrency 4. Exits 1 on any failure.
 */
public final class S3MemoryBound {

    private static final long MIB = 1 << 20;
    private static final String BUCKET = "memory-bound";

    private S3MemoryBound() {
    }

    public static void main(String[] args) {
        int count = 1000;
        long size = 8 * MIB;
        int concurrency = 4;
        int partSize = 0;
        int partsInFlight = 0;
        String http = "netty";
        S3Target.Checksum checksum = S3Target.Checksum.AUTO;
        boolean readBack = true;
        boolean anyHeap = false;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ci" -> {
                    count = 12;
                    size = 10 * MIB;
                    concurrency = 4;
                }
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--size" -> size = Long.parseLong(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--part-size" -> partSize = Integer.parseInt(args[++i]);
                case "--parts-in-flight" -> partsInFlight = Integer.parseInt(args[++i]);
                case "--http" -> http = args[++i];
                case "--checksum" -> checksum = S3Target.Checksum.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--no-read-back" -> readBack = false;
                case "--allow-any-heap" -> anyHeap = true;
                case "--tmp" -> tmp = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        // Reactor rethrows fatal errors on the thread that hit them; make sure one is never missed.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.out.println("S3MemoryBound: FAIL, OutOfMemoryError on " + t.getName() + ": " + e.getMessage());
                Runtime.getRuntime().halt(1);
            }
        });
        long maxHeap = Runtime.getRuntime().maxMemory();
        System.out.printf(Locale.ROOT, "S3MemoryBound: max heap %d MiB, java %s, %d cores; %d x %.1f MiB, concurrency %d,"
                        + " part size %s, parts in flight %s, S3 HTTP client %s, checksum %s; load average %.1f%n",
                maxHeap / MIB, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), count,
                size / (double) MIB, concurrency, partSize == 0 ? "8 MiB (default)" : partSize / MIB + " MiB",
                partsInFlight == 0 ? "3 (default)" : partsInFlight, http, checksum.name().toLowerCase(Locale.ROOT),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (maxHeap > 150 * MIB && !anyHeap) {
            System.out.println("FAIL: run with -Xmx128m (or pass --allow-any-heap)");
            System.exit(1);
        }
        String shapeName = count + "x" + size;
        boolean ok;
        long t0 = System.nanoTime();
        ChecksumHeaders headers = new ChecksumHeaders();
        try (ArchiveSource source = ArchiveSource.start(List.of(shapeName));
             S3ProxyChild s3proxy = S3ProxyChild.start(tmp);
             S3AsyncClient s3 = s3proxy.client(http, headers);
             RecordingsClient client = RecordingsClient.builder().baseUrl(source.baseUrl())
                     .credentials(source.projectId(), source.apiToken()).build()) {
            System.out.printf(Locale.ROOT, "servers ready in %.1f s (testkit and S3Proxy in child JVMs)%n",
                    (System.nanoTime() - t0) / 1e9);
            s3.createBucket(b -> b.bucket(BUCKET)).join();
            Shape shape = source.shape(shapeName);
            S3Target target = S3Target.of(s3, BUCKET, "archive", partSize, partsInFlight).checksum(checksum)
                    .onChecksumFallback(notice -> System.out.println("checksum fallback: " + notice));
            ok = archive(client, shape, target, concurrency);
            ok &= onTheWire(headers.counts(), checksum);
            ok &= check(s3, shape, target, readBack);
        }
        System.out.println(ok ? "S3MemoryBound: PASS" : "S3MemoryBound: FAIL");
        System.exit(ok ? 0 : 1);
    }

    private static boolean archive(RecordingsClient client, Shape shape, S3Target target, int concurrency) {
        MemoryBound.Sampler sampler = new MemoryBound.Sampler();
        long gc0 = gcCount();
        long gcMs0 = gcMillis();
        AtomicReference<ArchiveEvent.Failed> firstFailure = new AtomicReference<>();
        AtomicLong failures = new AtomicLong();
        sampler.start();
        long t0 = System.nanoTime();
        Summary summary;
        try {
            summary = client.archive(shape.accountSid(), RecordingQuery.all().pageSize(1000), target,
                            ArchiveOptions.defaults().concurrency(concurrency))
                    .doOnNext(e -> {
                        if (e instanceof ArchiveEvent.Failed f) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, f);
                        }
                    })
                    .ofType(Summary.class)
                    .blockLast(Duration.ofMinutes(60));
        } catch (RuntimeException e) {
            sampler.stop();
            System.out.println("FAIL archive: " + e);
            e.printStackTrace(System.out);
            return false;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        sampler.stop();
        boolean ok = summary != null && summary.downloaded() == shape.count() && summary.failed() == 0
                && summary.bytes() == shape.bytes();
        System.out.printf(Locale.ROOT,
                "archive: %d of %d recordings (%.0f MB) in %.1f s: %.1f recordings/s, %.1f MB/s; %d failed%s;"
                        + " peak heap used %.1f MiB (sampled every 20 ms), peak heap used after GC %.1f MiB (the live set),"
                        + " peak Netty direct %.1f MiB, peak NIO direct %.1f MiB; %d GCs, %d ms in pauses -> %s%n",
                summary == null ? 0 : summary.downloaded(), shape.count(), shape.bytes() / 1e6, secs,
                shape.count() / secs, shape.bytes() / 1e6 / secs, failures.get(),
                firstFailure.get() == null ? "" : " (first: " + firstFailure.get().sid() + " " + firstFailure.get().reason() + ")",
                sampler.peakHeapSampled / (double) MIB, sampler.peakHeapAfterGc() / (double) MIB,
                sampler.peakNettyDirect / (double) MIB, sampler.peakNioDirect / (double) MIB,
                gcCount() - gc0, gcMillis() - gcMs0, ok ? "ok" : "FAIL");
        return ok;
    }

    /** What the upload requests carried; with SHA256 or MD5 asked, every one must carry that check and no other. */
    private static boolean onTheWire(ChecksumHeaders.Counts counts, S3Target.Checksum checksum) {
        boolean ok = switch (checksum) {
            case SHA256 -> counts.allOn("sha256");
            case MD5 -> counts.allOn("md5");
            default -> counts.uploads() > 0;
        };
        System.out.printf(Locale.ROOT, "on the wire: %s -> %s%n", counts, ok ? "ok" : "FAIL");
        return ok;
    }

    private static boolean check(S3AsyncClient s3, Shape shape, S3Target target, boolean readBack) {
        long t0 = System.nanoTime();
        ArchiveCheck.Result result = ArchiveCheck.check(target, shape.recordings(), readBack, 4);
        long objects = 0;
        String token = null;
        do {
            ListObjectsV2Request.Builder b = ListObjectsV2Request.builder().bucket(BUCKET).maxKeys(1000);
            if (token != null) {
                b.continuationToken(token);
            }
            var page = s3.listObjectsV2(b.build()).join();
            objects += page.contents().size();
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        int uploads = s3.listMultipartUploads(b -> b.bucket(BUCKET)).join().uploads().size();
        boolean ok = result.ok() && objects == 2L * shape.count() && uploads == 0;
        System.out.printf(Locale.ROOT,
                "check: %d copies, sidecar size and SHA-256 equal to the testkit's, object proved by HEAD%s: %d wrong %s;"
                        + " %d objects in the bucket (expected %d: audio and sidecar), %d multipart uploads left; %.1f s -> %s%n",
                result.checked(), readBack ? " and read back and hashed" : "", result.wrong(), result.firstProblems(),
                objects, 2L * shape.count(), uploads, (System.nanoTime() - t0) / 1e9, ok ? "ok" : "FAIL");
        return ok;
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }
}
