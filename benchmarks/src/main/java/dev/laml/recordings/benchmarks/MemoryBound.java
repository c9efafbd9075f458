package dev.laml.recordings.benchmarks;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.server.BenchServer;
import dev.laml.recordings.reactor.RecordingsClient;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not a JMH benchmark: checks that the adapter's memory stays bounded whatever the volume.
 *
 * <ol>
 *   <li><b>Many at once:</b> {@code --downloads} (1000) concurrent {@code --size} (8 MiB)
 *       downloads through one client (pool as large as the count) complete, each with exactly the
 *       right number of bytes, inside {@code -Xmx64m -XX:MaxDirectMemorySize=64m}. Peak heap
 *       after GC and peak Netty direct memory are reported.</li>
 *   <li><b>Stalled subscriber:</b> {@code --stall-downloads} (32) downloads of {@code --stall-size}
 *       (64 MiB) whose subscribers take one buffer and then request nothing. The server counts
 *       the bytes its sockets actually wrote; they must stop growing (two samples 2 s apart) at a
 *       small fraction of the body (TCP buffers, not the file). Then the subscribers request the
 *       rest and every download must complete exactly.</li>
 * </ol>
 *
 * <pre>
 * java -Xmx64m -XX:MaxDirectMemorySize=64m -cp benchmarks/target/benchmarks.jar \
 *      dev.laml.recordings.benchmarks.MemoryBound [--ci]
 * </pre>
 * {@code --ci} scales down to 200 x 1 MiB and 8 stalled x 32 MiB. {@code --no-retry}: the client does
 * not retry or resume, so a failure shows its first cause (diagnosis; the check itself runs with the defaults). {@code --tls}: the same over
 * HTTPS (the server on OpenSSL with a certificate generated at start, the client on its default
 * engine trusting exactly that certificate; the server counts encrypted bytes written). Exits 1
 * on any failure. The loopback server runs as a separate process (its memory is not the client's).
 */
public final class MemoryBound {

    private static final long MIB = 1 << 20;

    private MemoryBound() {
    }

    public static void main(String[] args) throws Exception {
        int downloads = 1000;
        long size = 8 * MIB;
        int stalled = 32;
        long stallSize = 64 * MIB;
        boolean anyHeap = false;
        boolean tls = false;
        boolean noRetry = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ci" -> {
                    downloads = 200;
                    size = MIB;
                    stalled = 8;
                    stallSize = 32 * MIB;
                }
                case "--downloads" -> downloads = Integer.parseInt(args[++i]);
                case "--size" -> size = Long.parseLong(args[++i]);
                case "--stall-downloads" -> stalled = Integer.parseInt(args[++i]);
                case "--stall-size" -> stallSize = Long.parseLong(args[++i]);
                case "--allow-any-heap" -> anyHeap = true;
                case "--tls" -> tls = true;
                case "--no-retry" -> noRetry = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        long maxHeap = Runtime.getRuntime().maxMemory();
        System.out.printf(Locale.ROOT, "MemoryBound: max heap %d MiB, java %s, allocator %s%s%n", maxHeap / MIB,
                System.getProperty("java.version"), ByteBufAllocator.DEFAULT.getClass().getSimpleName(), tls ? ", TLS" : "");
        if (maxHeap > 80 * MIB && !anyHeap) {
            System.out.println("FAIL: run with -Xmx64m -XX:MaxDirectMemorySize=64m (or pass --allow-any-heap)");
            System.exit(1);
        }
        boolean ok;
        try (BenchServer server = BenchServer.start(true, tls ? BenchServer.Tls.ON : BenchServer.Tls.OFF);
             RecordingsClient client = client(server, Math.max(downloads, stalled), noRetry)) {
            if (tls) {
                System.out.println("MemoryBound: " + client);
            }
            ok = manyAtOnce(client, downloads, size);
            ok &= stalledSubscribers(client, server, stalled, stallSize);
        }
        System.out.println(ok ? "MemoryBound: PASS" : "MemoryBound: FAIL");
        System.exit(ok ? 0 : 1);
    }

    private static RecordingsClient client(BenchServer server, int connections, boolean noRetry) {
        RecordingsClient.Builder b = RecordingsClient.builder()
                .baseUrl(server.baseUrl())
                .maxConnections(connections)
                .pendingAcquireMaxCount(4 * connections + 16);
        if (noRetry) {
            b.retryPolicy(dev.laml.recordings.RetryPolicy.none());
        }
        if (server.certificatePem() != null) {
            // A thousand handshakes at once in a 64 MiB heap on a busy 2-core machine can take
            // longer than the default 10 s; what is checked here is memory, so the same 60 s as
            // every other TLS client of the benchmarks.
            b.trustedCertificates(server.trust().file())
                    .tlsHandshakeTimeout(dev.laml.recordings.benchmarks.clients.NettyClients.HANDSHAKE_TIMEOUT);
        }
        return b.build();
    }

    private static boolean manyAtOnce(RecordingsClient client, int downloads, long size) {
        String sid = Fixtures.mediaSid(size);
        Sampler sampler = new Sampler();
        sampler.start();
        long t0 = System.nanoTime();
        List<Mono<Long>> all = new ArrayList<>(downloads);
        long[] got = new long[downloads];
        long[] lastAt = new long[downloads];
        long[] firstAt = new long[downloads];
        for (int i = 0; i < downloads; i++) {
            int k = i;
            all.add(client.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3)
                    .doOnNext(b -> {
                        long now = System.nanoTime();
                        if (firstAt[k] == 0) {
                            firstAt[k] = now;
                        }
                        lastAt[k] = now;
                        got[k] += b.remaining();
                    })
                    .reduce(0L, (n, b) -> n + consume(b)));
        }
        List<Long> sizes;
        try {
            // All at once: Flux.merge(Iterable) alone subscribes to at most 256 sources at a time.
            sizes = Flux.merge(Flux.fromIterable(all), downloads).collectList().block(Duration.ofMinutes(10));
        } catch (RuntimeException e) {
            sampler.stop();
            System.out.println("FAIL many-at-once: " + e);
            // Which downloads were served and which waited (read without synchronisation: a diagnosis, not a
            // figure): a server or client that starves some connections shows as many with nothing and a few
            // stuck long ago.
            long now = System.nanoTime();
            int complete = 0;
            int nothing = 0;
            StringBuilder unfinished = new StringBuilder();
            for (int i = 0; i < downloads; i++) {
                if (got[i] == size) {
                    complete++;
                    continue;
                }
                nothing += got[i] == 0 ? 1 : 0;
                if (got[i] > 0 && unfinished.length() < 2000) {
                    unfinished.append(String.format(Locale.ROOT, " #%d %d B (first byte at %.1f s, last %.1f s ago)",
                            i, got[i], (firstAt[i] - t0) / 1e9, (now - lastAt[i]) / 1e9));
                }
            }
            System.out.printf(Locale.ROOT, "at the failure, %.1f s in: %d downloads complete, %d partial, %d with nothing"
                    + " yet; partial ones:%s%n", (now - t0) / 1e9, complete, downloads - complete - nothing, nothing, unfinished);
            e.printStackTrace(System.out);
            return false;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        sampler.stop();
        long wrong = sizes.stream().filter(n -> n != size).count();
        boolean ok = sizes.size() == downloads && wrong == 0;
        System.out.printf(Locale.ROOT,
                "many-at-once: %d x %d MiB in %.1f s (%.0f MiB/s); %d with a wrong size; peak heap used after GC %.1f MiB,"
                        + " peak heap used %.1f MiB, peak Netty direct %.1f MiB, peak NIO direct %.1f MiB -> %s%n",
                sizes.size(), size / MIB, secs, downloads * (double) size / MIB / secs, wrong,
                sampler.peakHeapAfterGc() / (double) MIB, sampler.peakHeap() / (double) MIB,
                sampler.peakNettyDirect / (double) MIB, sampler.peakNioDirect / (double) MIB, ok ? "ok" : "FAIL");
        return ok;
    }

    /** Reads every byte, as the benchmarks' consumer does. */
    private static long consume(ByteBuffer b) {
        BLACKHOLE.set(BLACKHOLE.get() ^ Fixtures.fold(b));
        return b.remaining();
    }

    private static final AtomicLong BLACKHOLE = new AtomicLong();

    private static boolean stalledSubscribers(RecordingsClient client, BenchServer server, int n, long size)
            throws InterruptedException {
        String sid = Fixtures.chunkedMediaSid(size);
        long before = server.bytesWritten();
        CountDownLatch firstBuffers = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(n);
        List<Staller> subs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Staller s = new Staller(firstBuffers, done);
            subs.add(s);
            client.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3).subscribe(s);
        }
        if (!firstBuffers.await(60, TimeUnit.SECONDS)) {
            System.out.println("FAIL stalled: not every download delivered its first buffer");
            return false;
        }
        Thread.sleep(2000);
        long w1 = server.bytesWritten() - before;
        Thread.sleep(2000);
        long w2 = server.bytesWritten() - before;
        long delivered = subs.stream().mapToLong(s -> s.bytes.get()).sum();
        double perConn = w2 / (double) n;
        boolean flat = w2 - w1 <= (long) n * 64 * 1024; // at most one 64 KiB write per connection in 2 s
        boolean small = perConn < size / 4.0;
        System.out.printf(Locale.ROOT,
                "stalled: %d downloads of %d MiB, each took 1 buffer (%d bytes delivered in all);"
                        + " server wrote %.1f MiB after 2 s, %.1f MiB after 4 s (%.2f MiB per connection, %.1f%% of the body)"
                        + " -> %s%n",
                n, size / MIB, delivered, w1 / (double) MIB, w2 / (double) MIB, perConn / MIB, 100.0 * perConn / size,
                flat && small ? "bounded" : "FAIL (not bounded)");
        long t0 = System.nanoTime();
        subs.forEach(Staller::resume);
        if (!done.await(5, TimeUnit.MINUTES)) {
            System.out.println("FAIL stalled: downloads did not complete after resuming");
            return false;
        }
        long wrong = subs.stream().filter(s -> s.error.get() != null || s.bytes.get() != size).count();
        System.out.printf(Locale.ROOT, "stalled: resumed, %d downloads completed in %.1f s, %d wrong or failed%s%n",
                n, (System.nanoTime() - t0) / 1e9, wrong,
                wrong > 0 ? " (first error: " + subs.stream().map(s -> s.error.get()).filter(e -> e != null).findFirst().orElse(null) + ")" : "");
        return flat && small && wrong == 0;
    }

    /** Takes one buffer, then requests nothing until {@link #resume()}. */
    private static final class Staller extends BaseSubscriber<ByteBuffer> {
        final AtomicLong bytes = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final CountDownLatch first;
        private final CountDownLatch done;
        private volatile boolean firstSeen;

        Staller(CountDownLatch first, CountDownLatch done) {
            this.first = first;
            this.done = done;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(1);
        }

        @Override
        protected void hookOnNext(ByteBuffer value) {
            bytes.addAndGet(consume(value));
            if (!firstSeen) {
                firstSeen = true;
                first.countDown();
            }
        }

        void resume() {
            request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnError(Throwable t) {
            error.set(t);
            first.countDown();
            done.countDown();
        }

        @Override
        protected void hookOnComplete() {
            done.countDown();
        }
    }

    /** Samples heap and direct memory every 20 ms. */
    static final class Sampler implements Runnable {
        private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
        private final BufferPoolMXBean nio;
        private volatile boolean running = true;
        private Thread thread;
        volatile long peakNettyDirect;
        volatile long peakNioDirect;
        volatile long peakAfterGc;
        /** Largest heap usage seen at a sample (all pools at one instant); never above the heap's size. */
        volatile long peakHeapSampled;

        Sampler() {
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    p.resetPeakUsage();
                    heapPools.add(p);
                }
            }
            nio = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
        }

        void start() {
            thread = new Thread(this, "memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws RuntimeException {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            while (running) {
                long netty = io.netty.util.internal.PlatformDependent.usedDirectMemory();
                if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m) {
                    netty = Math.max(netty, m.metric().usedDirectMemory());
                }
                peakNettyDirect = Math.max(peakNettyDirect, netty);
                long afterGc = 0;
                for (MemoryPoolMXBean p : heapPools) {
                    afterGc += p.getCollectionUsage() == null ? 0 : p.getCollectionUsage().getUsed();
                }
                peakAfterGc = Math.max(peakAfterGc, afterGc);
                long now = 0;
                for (MemoryPoolMXBean p : heapPools) {
                    now += p.getUsage().getUsed();
                }
                peakHeapSampled = Math.max(peakHeapSampled, now);
                if (nio != null) {
                    peakNioDirect = Math.max(peakNioDirect, nio.getMemoryUsed());
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Sum over heap pools of their peak usage (peaks at different moments: may exceed the heap's size). */
        long peakHeap() {
            return heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        }

        /** Largest heap usage seen right after a collection (sampled): the live set. */
        long peakHeapAfterGc() {
            return peakAfterGc;
        }
    }
}
