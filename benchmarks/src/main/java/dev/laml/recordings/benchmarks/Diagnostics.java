package dev.laml.recordings.benchmarks;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.clients.NettyClients;
import dev.laml.recordings.benchmarks.server.BenchServer;
import dev.laml.recordings.reactor.RecordingsClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.util.LongSummaryStatistics;

/**
 * Diagnostics (not benchmarks), {@code java -cp benchmarks.jar dev.laml.recordings.benchmarks.Diagnostics}:
 * <ol>
 *   <li>how many buffers, of what sizes, one 16 MiB download delivers through the adapter and
 *       through bare Reactor Netty with the default and with a larger {@code maxChunkSize};</li>
 *   <li>how many TCP connections the server accepts for 200 sequential requests of each kind,
 *       i.e. whether the client reuses pooled connections.</li>
 * </ol>
 * {@code --tls} instead: for every client over TLS, the protocol, cipher suite and ALPN protocol
 * the server saw, and the buffers one 16 MiB download delivers; then, against a server whose
 * certificate names another host, that every TLS client refuses it (hostname verification on).
 */
public final class Diagnostics {

    private Diagnostics() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--tls")) {
            tls();
            return;
        }
        int size = 16 << 20;
        try (BenchServer server = BenchServer.start(false)) {
            String sid = Fixtures.mediaSid(size);
            String url = server.baseUrl().resolve(Fixtures.mediaPath(sid)).toString();
            connectionReuse(server);
            concurrentFetches(server, 64, 50);
            if (args.length > 0 && args[0].equals("--reuse-only")) {
                return;
            }
            for (int round = 0; round < 2; round++) {
                try (RecordingsClient laml = RecordingsClient.builder().baseUrl(server.baseUrl()).build()) {
                    LongSummaryStatistics s = new LongSummaryStatistics();
                    laml.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3).doOnNext(b -> s.accept(b.remaining())).blockLast();
                    print("laml download", s);
                }
                for (int chunk : new int[] {0, 65536, 1 << 20}) {
                    ConnectionProvider pool = NettyClients.pool("sizes", 1);
                    HttpClient http = NettyClients.http(pool);
                    if (chunk > 0) {
                        http = http.httpResponseDecoder(d -> d.maxChunkSize(chunk));
                    }
                    LongSummaryStatistics s = new LongSummaryStatistics();
                    http.get().uri(url).responseContent().doOnNext(b -> s.accept(b.readableBytes())).blockLast();
                    print("reactor netty, maxChunkSize " + (chunk == 0 ? "default" : chunk), s);
                    pool.dispose();
                }
            }
        }
    }

    private static void connectionReuse(BenchServer server) {
        int n = 200;
        server.connectionsAccepted(); // the stats client's own connection, opened once
        try (RecordingsClient laml = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(Fixtures.PROJECT_ID, Fixtures.API_TOKEN).build()) {
            long before = server.connectionsAccepted();
            for (int i = 0; i < n; i++) {
                laml.fetch(Fixtures.ACCOUNT, Fixtures.METADATA_SID).block();
            }
            System.out.printf("laml fetch x %d:            %d new connections%n", n, server.connectionsAccepted() - before);
            String sid = Fixtures.mediaSid(65536);
            before = server.connectionsAccepted();
            for (int i = 0; i < n; i++) {
                laml.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3).blockLast();
            }
            System.out.printf("laml download x %d:         %d new connections%n", n, server.connectionsAccepted() - before);
        }
        ConnectionProvider pool = NettyClients.pool("reuse", 1);
        HttpClient http = NettyClients.http(pool).headers(h -> h.set("Authorization", Fixtures.LAML_AUTHORIZATION));
        String url = server.baseUrl().resolve(Fixtures.metadataPath()).toString();
        long before = server.connectionsAccepted();
        for (int i = 0; i < n; i++) {
            http.get().uri(url).responseSingle((res, body) -> body.asByteArray()).block();
        }
        System.out.printf("reactor netty fetch x %d:   %d new connections%n", n, server.connectionsAccepted() - before);
        before = server.connectionsAccepted();
        for (int i = 0; i < n; i++) {
            http.get().uri(url).response((res, body) -> body.aggregate().asByteArray()).next().block();
        }
        System.out.printf("reactor netty .response(..).next() x %d: %d new connections%n", n, server.connectionsAccepted() - before);
        pool.dispose();
    }

    /** {@code rounds} rounds of {@code n} concurrent laml fetches: time per round and new connections. */
    private static void concurrentFetches(BenchServer server, int n, int rounds) {
        try (RecordingsClient laml = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(Fixtures.PROJECT_ID, Fixtures.API_TOKEN).maxConnections(n).build()) {
            for (int pass = 0; pass < 3; pass++) {
                long before = server.connectionsAccepted();
                long t0 = System.nanoTime();
                long c0 = cpu();
                for (int r = 0; r < rounds; r++) {
                    java.util.List<reactor.core.publisher.Mono<dev.laml.recordings.Recording>> all = new java.util.ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        all.add(laml.fetch(Fixtures.ACCOUNT, Fixtures.METADATA_SID));
                    }
                    reactor.core.publisher.Mono.when(all).block();
                }
                System.out.printf("laml fetch, %d rounds of %d at once: %.2f ms per round, %.2f ms CPU per round, %d new connections%n",
                        rounds, n, (System.nanoTime() - t0) / 1e6 / rounds, (cpu() - c0) / 1e6 / rounds,
                        server.connectionsAccepted() - before);
            }
        }
    }

    private static final String[] TLS_CLIENTS = {"laml", "lamlJdkTls", "reactorNettyRaw", "reactorNettyCopy",
            "reactorNettyCopyJdkTls", "webClientByteBuffer", "webClient", "jdkHttpClient", "reactorNettyH2"};

    private static void tls() {
        int size = 16 << 20;
        String sid = Fixtures.mediaSid(size);
        try (BenchServer server = BenchServer.start(false, BenchServer.Tls.ON)) {
            dev.laml.recordings.benchmarks.clients.Trust trust = server.trust();
            String before = server.tlsSummary();
            for (String name : TLS_CLIENTS) {
                try (dev.laml.recordings.benchmarks.clients.Downloader d =
                             dev.laml.recordings.benchmarks.clients.Downloader.create(name, server.baseUrl(), 1, trust)) {
                    d.downloadAll(1, sid, size); // warm
                    String after = server.tlsSummary();
                    System.out.printf("%-24s server saw: %s%n", name, diff(before, after));
                    before = after;
                }
            }
            // Buffers per 16 MiB download over TLS, as the subscriber sees them.
            for (String engine : new String[] {"AUTO", "JDK"}) {
                try (RecordingsClient laml = RecordingsClient.builder().baseUrl(server.baseUrl())
                        .trustedCertificates(trust.file()).tlsEngine(dev.laml.recordings.reactor.TlsEngine.valueOf(engine)).build()) {
                    for (int round = 0; round < 2; round++) {
                        LongSummaryStatistics s = new LongSummaryStatistics();
                        laml.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3).doOnNext(b -> s.accept(b.remaining())).blockLast();
                        if (round == 1) {
                            print("laml download, TLS " + laml.tlsEngine(), s);
                        }
                    }
                }
            }
            String url = server.baseUrl().resolve(Fixtures.mediaPath(sid)).toString();
            for (boolean jdk : new boolean[] {false, true}) {
                for (int chunk : new int[] {0, 65536}) {
                    ConnectionProvider pool = NettyClients.pool("sizes", 1);
                    HttpClient http = NettyClients.secure(NettyClients.http(pool), trust, jdk);
                    if (chunk > 0) {
                        http = http.httpResponseDecoder(d -> d.maxChunkSize(chunk));
                    }
                    for (int round = 0; round < 2; round++) {
                        LongSummaryStatistics s = new LongSummaryStatistics();
                        http.get().uri(url).responseContent().doOnNext(b -> s.accept(b.readableBytes())).blockLast();
                        if (round == 1) {
                            print("reactor netty, TLS " + (jdk ? "JDK" : "OpenSSL") + ", maxChunkSize "
                                    + (chunk == 0 ? "default" : chunk), s);
                        }
                    }
                    pool.dispose();
                }
            }
        }
        // Hostname verification: the server's certificate is trusted but names elsewhere.invalid.
        try (BenchServer wrong = BenchServer.start(false, BenchServer.Tls.WRONG_NAME)) {
            dev.laml.recordings.benchmarks.clients.Trust trust = wrong.trust();
            for (String name : TLS_CLIENTS) {
                String outcome;
                try (dev.laml.recordings.benchmarks.clients.Downloader d =
                             dev.laml.recordings.benchmarks.clients.Downloader.create(name, wrong.baseUrl(), 1, trust)) {
                    d.downloadAll(1, Fixtures.mediaSid(1024), 1024);
                    outcome = "ACCEPTED a certificate for another host: hostname verification is OFF";
                } catch (RuntimeException e) {
                    Throwable root = e;
                    while (root.getCause() != null && root.getCause() != root) {
                        root = root.getCause();
                    }
                    String m = String.valueOf(root.getMessage());
                    outcome = "refused (" + root.getClass().getSimpleName() + ": " + (m.length() > 110 ? m.substring(0, 110) + "…" : m) + ")";
                }
                System.out.printf("%-24s certificate for elsewhere.invalid at 127.0.0.1: %s%n", name, outcome);
            }
        }
    }

    /** Lines of {@code after} whose count grew since {@code before}, with the growth. */
    private static String diff(String before, String after) {
        java.util.Map<String, Long> b = new java.util.HashMap<>();
        for (String line : before.split("\n")) {
            if (!line.isBlank()) {
                int sp = line.indexOf(' ');
                b.put(line.substring(sp + 1), Long.parseLong(line.substring(0, sp)));
            }
        }
        StringBuilder out = new StringBuilder();
        for (String line : after.split("\n")) {
            if (!line.isBlank()) {
                int sp = line.indexOf(' ');
                String key = line.substring(sp + 1);
                long grew = Long.parseLong(line.substring(0, sp)) - b.getOrDefault(key, 0L);
                if (grew > 0) {
                    out.append(out.length() == 0 ? "" : "; ").append(grew).append(" x ").append(key);
                }
            }
        }
        return out.toString();
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void print(String what, LongSummaryStatistics s) {
        System.out.printf("%-40s buffers %6d  avg %8.0f  max %7d  bytes %d%n", what, s.getCount(), s.getAverage(), s.getMax(), s.getSum());
    }
}
