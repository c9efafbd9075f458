package dev.laml.recordings.benchmarks.server;

import java.net.URI;

/**
 * The loopback server a benchmark talks to. {@link #start(boolean)} forks it as a separate JVM
 * by default ({@code -Dbench.server=fork}), so its CPU time, allocation and GC never mix with
 * the client JVM's (which matters for {@code -prof gc}); {@code -Dbench.server=inprocess} runs
 * it in the benchmark JVM on event loops of its own instead.
 */
public interface BenchServer extends AutoCloseable {

    /** {@code http://127.0.0.1:<port>}. */
    URI baseUrl();

    /** Bytes the server's socket writes completed (counted only when started with {@code countWrites}). */
    long bytesWritten();

    /** Connections the server accepted so far. */
    long connectionsAccepted();

    @Override
    void close();

    /** Starts the server as configured by {@code bench.server} ({@code fork}, the default, or {@code inprocess}). */
    static BenchServer start(boolean countWrites) {
        String mode = System.getProperty("bench.server", "fork");
        int threads = Integer.getInteger("bench.server.threads", Runtime.getRuntime().availableProcessors());
        switch (mode) {
            case "fork":
                return ForkedServer.start(threads, countWrites);
            case "inprocess":
                return LoopbackServer.start(threads, countWrites);
            default:
                throw new IllegalArgumentException("bench.server must be fork or inprocess, got " + mode);
        }
    }
}
