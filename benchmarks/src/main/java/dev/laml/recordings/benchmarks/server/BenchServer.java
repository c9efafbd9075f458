package dev.laml.recordings.benchmarks.server;

import dev.laml.recordings.benchmarks.clients.Trust;

import java.net.URI;
import java.util.Locale;

/**
 * The loopback server a benchmark talks to. {@link #start(boolean)} forks it as a separate JVM
 * by default ({@code -Dbench.server=fork}), so its CPU time, allocation and GC never mix with
 * the client JVM's (which matters for {@code -prof gc}); {@code -Dbench.server=inprocess} runs
 * it in the benchmark JVM on event loops of its own instead.
 */
public interface BenchServer extends AutoCloseable {

    /** Whether the server speaks TLS, and with which certificate. */
    enum Tls {
        /** Plain HTTP/1.1. */
        OFF,
        /** HTTPS (OpenSSL), a certificate generated at start for 127.0.0.1 and localhost; ALPN h2 and http/1.1. */
        ON,
        /** As {@link #ON}, but the certificate names only {@code elsewhere.invalid}: hostname verification must fail. */
        WRONG_NAME;

        static Tls parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        String arg() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://…} with TLS. */
    URI baseUrl();

    /** The server certificate's PEM; null for plain HTTP. */
    String certificatePem();

    /** What a client must trust to talk to this server: exactly its certificate; null for plain HTTP. */
    default Trust trust() {
        String pem = certificatePem();
        return pem == null ? null : Trust.of(pem);
    }

    /**
     * {bytes the server's socket writes completed (counted only when started with
     * {@code countWrites}), connections accepted, TLS handshakes completed, handshakes that
     * resumed a session}.
     */
    long[] stats();

    /** TLS handshakes so far by protocol, cipher suite, ALPN protocol and resumption, one {@code "<count> <what>"} a line. */
    String tlsSummary();

    /** Bytes the server's socket writes completed (counted only when started with {@code countWrites}). */
    default long bytesWritten() {
        return stats()[0];
    }

    /** Connections the server accepted so far. */
    default long connectionsAccepted() {
        return stats()[1];
    }

    /**
     * CPU time the server process has used so far, in nanoseconds; -1 when it cannot be told
     * (in-process server). With the server and the client on the same cores, throughput depends
     * on both: this shows the server's share.
     */
    default long cpuNanos() {
        return -1;
    }

    @Override
    void close();

    /** A plain-HTTP server, see {@link #start(boolean, Tls)}. */
    static BenchServer start(boolean countWrites) {
        return start(countWrites, Tls.OFF);
    }

    /** Starts the server as configured by {@code bench.server} ({@code fork}, the default, or {@code inprocess}). */
    static BenchServer start(boolean countWrites, Tls tls) {
        String mode = System.getProperty("bench.server", "fork");
        int threads = Integer.getInteger("bench.server.threads", Runtime.getRuntime().availableProcessors());
        switch (mode) {
            case "fork":
                return ForkedServer.start(threads, countWrites, tls);
            case "inprocess":
                return LoopbackServer.start(threads, countWrites, tls);
            default:
                throw new IllegalArgumentException("bench.server must be fork or inprocess, got " + mode);
        }
    }
}
