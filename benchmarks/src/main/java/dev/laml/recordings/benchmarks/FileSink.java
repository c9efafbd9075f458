package dev.laml.recordings.benchmarks;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.clients.NettyClients;
import dev.laml.recordings.benchmarks.server.BenchServer;
import dev.laml.recordings.reactor.RecordingsClient;
import io.netty.buffer.ByteBuf;
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
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One operation = {@code N} recordings of {@code S} bytes downloaded into {@code N} files at once
 * ({@code shape} = {@code NxS}); the files are deleted after each operation, outside the timing.
 * <ul>
 *   <li>{@code laml}: {@code downloadTo(...)}: the inbound {@link ByteBuf}s, retained (no copy),
 *       written through their own NIO views by an AsynchronousFileChannel paced one buffer at a
 *       time, into a temp file; {@code force(true)}; atomic move.</li>
 *   <li>{@code lamlNoFsync}: the same with {@code durableFiles(false)}: no {@code force}, still
 *       temp file and atomic move; the like-for-like rival of {@code reactorNetty}.</li>
 *   <li>{@code reactorNetty}: the baseline the issue asks for: bare Reactor Netty writing each
 *       inbound {@link ByteBuf} straight to a {@link FileChannel} on the event loop (no copy, no
 *       fsync), closed at the end.</li>
 *   <li>{@code reactorNettyForce}: the same plus {@code force(true)} before closing (off the event
 *       loop), i.e. the adapter's durability without its temp file and rename.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class FileSink {

    @Param({"16x16777216", "256x1048576"})
    public String shape;

    @Param({"laml", "lamlNoFsync", "reactorNetty", "reactorNettyForce"})
    public String client;

    private int concurrency;
    private int size;
    private String sid;
    private Path dir;
    private BenchServer server;
    private RecordingsClient laml;
    private ConnectionProvider pool;
    private HttpClient http;
    private String url;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String[] parts = shape.split("x");
        concurrency = Integer.parseInt(parts[0]);
        size = Integer.parseInt(parts[1]);
        sid = Fixtures.mediaSid(size);
        String tmp = System.getProperty("bench.tmpdir");
        dir = tmp == null ? Files.createTempDirectory("laml-bench-") : Files.createTempDirectory(Path.of(tmp), "laml-bench-");
        server = BenchServer.start(false);
        url = server.baseUrl().resolve(Fixtures.mediaPath(sid)).toString();
        switch (client) {
            case "laml", "lamlNoFsync" -> laml = RecordingsClient.builder().baseUrl(server.baseUrl())
                    .maxConnections(concurrency).durableFiles(!"lamlNoFsync".equals(client)).build();
            case "reactorNetty", "reactorNettyForce" -> {
                pool = NettyClients.pool("bench-file", concurrency);
                http = NettyClients.http(pool);
            }
            default -> throw new IllegalArgumentException("unknown client " + client);
        }
        download();
        deleteFiles();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (laml != null) {
            laml.close();
        }
        if (pool != null) {
            pool.dispose();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            deleteFiles();
            Files.deleteIfExists(dir);
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Benchmark
    public long downloadToFiles(Counters counters) {
        long total = download();
        counters.bytes += total;
        return total;
    }

    /** Deletes the operation's files; not timed. Invocation-level is fine here: one op moves 256 MiB. */
    @TearDown(Level.Invocation)
    public void deleteFiles() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.delete(f);
            }
        }
    }

    private long download() {
        List<Mono<Long>> all = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            Path target = dir.resolve("rec-" + i + ".mp3");
            if (laml != null) {
                all.add(laml.downloadTo(Fixtures.ACCOUNT, sid, AudioFormat.MP3, target));
            } else {
                all.add(bare(target, "reactorNettyForce".equals(client)));
            }
        }
        List<Long> written = Mono.zip(all, results -> {
            List<Long> out = new ArrayList<>(results.length);
            for (Object r : results) {
                out.add((Long) r);
            }
            return out;
        }).block(Duration.ofMinutes(5));
        long total = 0;
        for (Long w : written) {
            if (w != size) {
                throw new IllegalStateException("wrote " + w + " bytes, expected " + size);
            }
            total += w;
        }
        return total;
    }

    private Mono<Long> bare(Path target, boolean force) {
        return Mono.using(
                () -> FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                ch -> http.get().uri(url).response((res, body) -> {
                            if (res.status().code() != 200) {
                                return Mono.<Void>error(new IllegalStateException("HTTP " + res.status()));
                            }
                            return body.doOnNext(buf -> write(ch, buf)).then();
                        })
                        .then(Mono.fromCallable(() -> {
                            if (force) {
                                ch.force(true);
                            }
                            return ch.position();
                        }).subscribeOn(force ? Schedulers.boundedElastic() : Schedulers.immediate())),
                ch -> {
                    try {
                        ch.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void write(FileChannel ch, ByteBuf buf) {
        try {
            for (ByteBuffer b : buf.nioBuffers()) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
