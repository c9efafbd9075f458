package dev.laml.recordings.benchmarks;

import dev.laml.recordings.benchmarks.clients.Downloader;
import dev.laml.recordings.benchmarks.server.BenchServer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * One operation = {@code concurrency} downloads of a {@code size}-byte recording, started at once
 * and all complete. Every client runs the same consumer over every byte ({@link Fixtures#fold});
 * each download's byte count is checked. Besides ops/s, {@code bytes} reports payload bytes/s and
 * {@code downloads} downloads/s. Combinations above 4 GiB per operation fail in setup on purpose,
 * so JMH reports nothing for them (run with the default {@code -foe false}); so do clients that
 * do not exist with or without TLS ({@code rawSocket} over TLS; the TLS-only {@code lamlJdkTls},
 * {@code reactorNettyCopyJdkTls} and {@code reactorNettyH2} without).
 *
 * <p>{@code tls=true}: the server speaks HTTPS on OpenSSL with a certificate it generates at start
 * (ALPN {@code h2} and {@code http/1.1}); every client trusts exactly that certificate, with
 * hostname verification on, at {@code https://127.0.0.1:port}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class ConcurrentDownloads {

    /** Largest payload per operation that is run. */
    public static final long MAX_BYTES_PER_OP = 4L << 30;

    @Param({"1", "16", "256", "1024"})
    public int concurrency;

    @Param({"65536", "1048576", "16777216"})
    public int size;

    @Param({"false", "true"})
    public boolean tls;

    /**
     * Also accepted (with {@code -p client=...}), over TLS only: {@code lamlJdkTls},
     * {@code reactorNettyCopyJdkTls} (the JDK's engine) and {@code reactorNettyH2} (HTTP/2).
     */
    @Param({"laml", "reactorNettyRaw", "reactorNettyCopy", "jdkHttpClient", "webClientByteBuffer", "webClient", "rawSocket"})
    public String client;

    private BenchServer server;
    private Downloader downloader;
    private String sid;

    @Setup(Level.Trial)
    public void setUp() {
        if ((long) concurrency * size > MAX_BYTES_PER_OP) {
            throw new SkipException(concurrency + " x " + size + " bytes is over " + MAX_BYTES_PER_OP + " bytes per operation: skipped");
        }
        String unsupported = Downloader.unsupported(client, tls);
        if (unsupported != null) {
            throw new SkipException(unsupported + ": skipped");
        }
        server = BenchServer.start(false, tls ? BenchServer.Tls.ON : BenchServer.Tls.OFF);
        downloader = Downloader.create(client, server.baseUrl(), concurrency, server.trust());
        sid = Fixtures.mediaSid(size);
        downloader.downloadAll(concurrency, sid, size); // opens the connections; checks the wiring
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (downloader != null) {
            downloader.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Payload bytes, downloads and CPU nanoseconds of this (client) JVM, all as rates; so
     * {@code cpuNanos / bytes} is the client's CPU cost per payload byte, a figure that other
     * load on the machine disturbs far less than throughput. {@code serverCpuNanos}: the same
     * for the forked server process (0 for an in-process server), which shares the cores.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;
        public long downloads;
        public long cpuNanos;
        public long serverCpuNanos;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            downloads = 0;
            cpuNanos = 0;
            serverCpuNanos = 0;
        }

        /** Adds one operation's counts; {@code cpu} and {@code serverCpu} are the readings before it. */
        void add(long cpu, BenchServer server, long serverCpu, long opBytes, int opDownloads) {
            cpuNanos += processCpuNanos() - cpu;
            if (serverCpu >= 0) {
                serverCpuNanos += server.cpuNanos() - serverCpu;
            }
            bytes += opBytes;
            downloads += opDownloads;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds this JVM has used so far. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    @Benchmark
    public void download(Counters counters, Blackhole bh) {
        long serverCpu = server.cpuNanos();
        long cpu = OS.getProcessCpuTime();
        bh.consume(downloader.downloadAll(concurrency, sid, size));
        counters.add(cpu, server, serverCpu, (long) concurrency * size, concurrency);
    }

    /** Thrown from setup to skip a parameter combination; JMH records no result for it. */
    public static final class SkipException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SkipException(String message) {
            super(message, null, false, false);
        }
    }
}
