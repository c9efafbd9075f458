package dev.laml.recordings.benchmarks;

import dev.laml.recordings.benchmarks.clients.Downloader;
import dev.laml.recordings.benchmarks.server.BenchServer;
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

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Handshake-bound: as {@link ConcurrentDownloads} (N downloads at once, all complete, same
 * consumer and counters), but the server answers every download with {@code Connection: close}
 * and closes the connection after the body ({@link Fixtures#closingMediaSid}). No client can
 * reuse a connection, so every download pays a TCP connect and, over TLS, a full handshake (or a
 * resumed one, where a client resumes sessions: the server counts both and the teardown prints
 * them). Each client keeps its ordinary configuration (laml: one client, pool as large as the
 * concurrency), which is what an application meeting such a server would have. Read the
 * {@code downloads} counter (downloads/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class NewConnections {

    @Param({"1024"})
    public int concurrency;

    @Param({"65536"})
    public int size;

    @Param({"true", "false"})
    public boolean tls;

    @Param({"laml", "lamlJdkTls", "reactorNettyCopy", "jdkHttpClient"})
    public String client;

    private BenchServer server;
    private Downloader downloader;
    private String sid;
    private long[] statsAtStart;
    private long downloads;

    @Setup(Level.Trial)
    public void setUp() {
        String unsupported = Downloader.unsupported(client, tls);
        if (unsupported != null) {
            throw new ConcurrentDownloads.SkipException(unsupported + ": skipped");
        }
        server = BenchServer.start(false, tls ? BenchServer.Tls.ON : BenchServer.Tls.OFF);
        downloader = Downloader.create(client, server.baseUrl(), concurrency, server.trust());
        sid = Fixtures.closingMediaSid(size);
        downloader.downloadAll(concurrency, sid, size); // checks the wiring
        statsAtStart = server.stats();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (server != null && statsAtStart != null) {
                long[] s = server.stats();
                long conns = s[1] - statsAtStart[1]; // the stats client opened its connection before statsAtStart
                System.out.printf(Locale.ROOT, "%n[NewConnections] %s tls=%s: %d downloads, %d new connections (%.3f per download),"
                                + " %d TLS handshakes, %d of them resumed%n", client, tls, downloads, conns,
                        downloads == 0 ? 0.0 : conns / (double) downloads, s[2] - statsAtStart[2], s[3] - statsAtStart[3]);
            }
        } finally {
            if (downloader != null) {
                downloader.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Benchmark
    public void download(ConcurrentDownloads.Counters counters, Blackhole bh) {
        long serverCpu = server.cpuNanos();
        long cpu = ConcurrentDownloads.processCpuNanos();
        bh.consume(downloader.downloadAll(concurrency, sid, size));
        counters.add(cpu, server, serverCpu, (long) concurrency * size, concurrency);
        downloads += concurrency;
    }
}
