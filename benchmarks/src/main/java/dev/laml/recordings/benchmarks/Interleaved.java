package dev.laml.recordings.benchmarks;

import dev.laml.recordings.benchmarks.clients.Downloader;
import dev.laml.recordings.benchmarks.server.BenchServer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Not JMH: a noise-robust A/B cross-check of ConcurrentDownloads for a shared, busy machine.
 * All clients live in one JVM and take turns: each round runs every client (in a fresh random
 * order) for {@code --turn-ms} of whole operations, so a burst of outside load hits neighbouring
 * turns of different clients alike. Reported per client: median over rounds of MiB/s, client CPU
 * ns per payload byte, and the median over rounds of the per-round ratio laml ÷ client (both
 * measured within seconds of each other).
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp benchmarks.jar dev.laml.recordings.benchmarks.Interleaved \
 *      --concurrency 256 --size 1048576 --rounds 15 --turn-ms 2000 [--clients laml,reactorNettyCopy,...] \
 *      [--tls] [--new-connections] [--reference laml]
 * </pre>
 * {@code --reference}: the client the ratio column divides by the others (default laml).
 * {@code --tls}: the server speaks HTTPS and every client trusts exactly its certificate, as
 * {@code ConcurrentDownloads} with {@code tls=true}. {@code --new-connections}: the server closes
 * every connection after its body, as in {@link NewConnections} (then read downloads/s).
 * Caveat: one JVM for all clients means shared JIT profiles, heap and event loops (the Reactor
 * Netty based clients share the default event loop group, as they would in an application).
 */
public final class Interleaved {

    private Interleaved() {
    }

    public static void main(String[] args) {
        int concurrency = 256;
        int size = 1 << 20;
        int rounds = 15;
        long turnNanos = 2_000_000_000L;
        String clients = "laml,reactorNettyRaw,reactorNettyCopy,jdkHttpClient,webClientByteBuffer,webClient,rawSocket";
        boolean tls = false;
        boolean newConnections = false;
        String reference = "laml";
        if (args.length > 0 && args[0].equals("--metadata")) {
            metadata(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("--filesink")) {
            fileSink(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--turn-ms" -> turnNanos = Long.parseLong(args[++i]) * 1_000_000L;
                case "--clients" -> clients = args[++i];
                case "--tls" -> tls = true;
                case "--new-connections" -> newConnections = true;
                case "--reference" -> reference = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<String> names = new ArrayList<>(Arrays.asList(clients.split(",")));
        for (String n : names) {
            String why = Downloader.unsupported(n, tls);
            if (why != null) {
                throw new IllegalArgumentException(why + " (tls " + (tls ? "on" : "off") + ")");
            }
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String sid = newConnections ? Fixtures.closingMediaSid(size) : Fixtures.mediaSid(size);
        long opBytes = (long) concurrency * size;
        Map<String, Downloader> ds = new LinkedHashMap<>();
        Map<String, List<double[]>> samples = new LinkedHashMap<>(); // {bytes/s, cpu ns per byte, server cpu ns per byte}
        try (BenchServer server = BenchServer.start(false, tls ? BenchServer.Tls.ON : BenchServer.Tls.OFF)) {
            dev.laml.recordings.benchmarks.clients.Trust trust = server.trust();
            for (String n : names) {
                ds.put(n, Downloader.create(n, server.baseUrl(), concurrency, trust));
                samples.put(n, new ArrayList<>());
            }
            // Warm-up: two turns each.
            for (int w = 0; w < 2; w++) {
                for (String n : names) {
                    turn(ds.get(n), concurrency, sid, size, turnNanos, os);
                }
            }
            Random random = new Random(42);
            List<Map<String, Double>> perRound = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, random);
                Map<String, Double> rate = new LinkedHashMap<>();
                for (String n : order) {
                    long s0 = server.cpuNanos();
                    long[] t = turn(ds.get(n), concurrency, sid, size, turnNanos, os);
                    long s1 = server.cpuNanos();
                    double bytes = (double) t[0] * opBytes;
                    double bps = bytes / (t[1] / 1e9);
                    samples.get(n).add(new double[] {bps, t[2] / bytes, s0 < 0 ? Double.NaN : (s1 - s0) / bytes});
                    rate.put(n, bps);
                }
                perRound.add(rate);
                System.err.printf(Locale.ROOT, "round %d/%d done%n", r + 1, rounds);
            }
            System.out.printf(Locale.ROOT, "%nInterleaved %d x %d bytes%s%s, %d rounds of %d ms turns%n", concurrency, size,
                    tls ? ", TLS" : "", newConnections ? ", a new connection per download" : "", rounds, turnNanos / 1_000_000);
            System.out.println("| client | MiB/s (median) | MiB/s (min..max) | downloads/s (median) | client CPU ns/byte (median) | "
                    + "server CPU ns/byte (median) | " + reference + " ÷ client, per-round median (min..max) |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|");
            for (String n : names) {
                double[] rates = samples.get(n).stream().mapToDouble(s -> s[0] / (1 << 20)).sorted().toArray();
                double[] cpu = samples.get(n).stream().mapToDouble(s -> s[1]).sorted().toArray();
                double[] serverCpu = samples.get(n).stream().mapToDouble(s -> s[2]).sorted().toArray();
                String ratio = "";
                if (samples.containsKey(reference)) {
                    String ref = reference;
                    double[] rs = perRound.stream().mapToDouble(m -> m.get(ref) / m.get(n)).sorted().toArray();
                    ratio = String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median(rs), rs[0], rs[rs.length - 1]);
                }
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f..%.0f | %.0f | %.2f | %.2f | %s |%n", n, median(rates), rates[0],
                        rates[rates.length - 1], median(rates) * (1 << 20) / size, median(cpu), median(serverCpu), ratio);
            }
        } finally {
            ds.values().forEach(Downloader::close);
        }
    }

    /**
     * {@code --metadata [--concurrency 64] [--rounds 10] [--turn-ms 1500] [--clients ...]}: the
     * same interleaving over MetadataFetch's clients (each set up as the JMH benchmark does it,
     * with a loopback server process of its own). Reports fetches/s.
     */
    private static void metadata(String[] args) throws RuntimeException {
        int concurrency = 64;
        int rounds = 10;
        long turnNanos = 1_500_000_000L;
        String clients = "laml,reactorNettyJackson,twilio";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--turn-ms" -> turnNanos = Long.parseLong(args[++i]) * 1_000_000L;
                case "--clients" -> clients = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<String> names = new ArrayList<>(Arrays.asList(clients.split(",")));
        Map<String, MetadataFetch> benches = new LinkedHashMap<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try {
            for (String n : names) {
                MetadataFetch b = new MetadataFetch();
                b.concurrency = concurrency;
                b.client = n;
                b.setUp();
                benches.put(n, b);
                rates.put(n, new ArrayList<>());
            }
            for (int w = 0; w < 3; w++) {
                for (String n : names) {
                    fetchTurn(benches.get(n), turnNanos);
                }
            }
            Random random = new Random(42);
            List<Map<String, Double>> perRound = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, random);
                Map<String, Double> rate = new LinkedHashMap<>();
                for (String n : order) {
                    double fetchesPerSecond = fetchTurn(benches.get(n), turnNanos) * concurrency;
                    rates.get(n).add(fetchesPerSecond);
                    rate.put(n, fetchesPerSecond);
                }
                perRound.add(rate);
            }
            System.out.printf(Locale.ROOT, "%nInterleaved MetadataFetch, concurrency %d, %d rounds of %d ms turns%n",
                    concurrency, rounds, turnNanos / 1_000_000);
            System.out.println("| client | fetches/s (median) | fetches/s (min..max) | laml ÷ client, per-round median (min..max) |");
            System.out.println("|---|---:|---:|---:|");
            for (String n : names) {
                double[] rs = rates.get(n).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                String ratio = "";
                if (benches.containsKey("laml")) {
                    double[] q = perRound.stream().mapToDouble(m -> m.get("laml") / m.get(n)).sorted().toArray();
                    ratio = String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median(q), q[0], q[q.length - 1]);
                }
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f..%.0f | %s |%n", n, median(rs), rs[0], rs[rs.length - 1], ratio);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            benches.values().forEach(MetadataFetch::tearDown);
        }
    }

    /**
     * {@code --filesink [--shape 16x16777216] [--rounds 8] [--turn-ms 3000] [--clients ...]}: the
     * same interleaving over FileSink's clients (files deleted after every operation, untimed).
     */
    private static void fileSink(String[] args) {
        String shape = "16x16777216";
        int rounds = 8;
        long turnNanos = 3_000_000_000L;
        String clients = "laml,lamlNoFsync,reactorNetty,reactorNettyForce";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> shape = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--turn-ms" -> turnNanos = Long.parseLong(args[++i]) * 1_000_000L;
                case "--clients" -> clients = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<String> names = new ArrayList<>(Arrays.asList(clients.split(",")));
        Map<String, FileSink> benches = new LinkedHashMap<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        FileSink.Counters counters = new FileSink.Counters();
        try {
            for (String n : names) {
                FileSink b = new FileSink();
                b.shape = shape;
                b.client = n;
                b.setUp();
                benches.put(n, b);
                rates.put(n, new ArrayList<>());
            }
            for (String n : names) {
                sinkTurn(benches.get(n), counters, turnNanos);
            }
            Random random = new Random(42);
            List<Map<String, Double>> perRound = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, random);
                Map<String, Double> rate = new LinkedHashMap<>();
                for (String n : order) {
                    double mibs = sinkTurn(benches.get(n), counters, turnNanos);
                    rates.get(n).add(mibs);
                    rate.put(n, mibs);
                }
                perRound.add(rate);
            }
            System.out.printf(Locale.ROOT, "%nInterleaved FileSink %s, %d rounds of %d ms turns%n", shape, rounds, turnNanos / 1_000_000);
            System.out.println("| client | MiB/s to disk (median) | (min..max) | laml ÷ client, per-round median (min..max) |");
            System.out.println("|---|---:|---:|---:|");
            for (String n : names) {
                double[] rs = rates.get(n).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                String ratio = "";
                if (benches.containsKey("laml")) {
                    double[] q = perRound.stream().mapToDouble(m -> m.get("laml") / m.get(n)).sorted().toArray();
                    ratio = String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median(q), q[0], q[q.length - 1]);
                }
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f..%.0f | %s |%n", n, median(rs), rs[0], rs[rs.length - 1], ratio);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            for (FileSink b : benches.values()) {
                try {
                    b.tearDown();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        }
    }

    /** MiB/s written over one turn of at least {@code nanos}; deleting the files is not timed. */
    private static double sinkTurn(FileSink b, FileSink.Counters counters, long nanos) throws Exception {
        long bytes = 0;
        long timed = 0;
        do {
            long t0 = System.nanoTime();
            bytes += b.downloadToFiles(counters);
            timed += System.nanoTime() - t0;
            b.deleteFiles();
        } while (timed < nanos);
        return bytes / (double) (1 << 20) / (timed / 1e9);
    }

    /** Operations per second over one turn of at least {@code nanos}. */
    private static double fetchTurn(MetadataFetch b, long nanos) throws Exception {
        long t0 = System.nanoTime();
        long ops = 0;
        do {
            b.fetch();
            ops++;
        } while (System.nanoTime() - t0 < nanos);
        return ops / ((System.nanoTime() - t0) / 1e9);
    }

    /** Runs whole operations for at least {@code nanos}; returns {ops, wall ns, cpu ns}. */
    private static long[] turn(Downloader d, int n, String sid, int size, long nanos,
            com.sun.management.OperatingSystemMXBean os) {
        long t0 = System.nanoTime();
        long c0 = os.getProcessCpuTime();
        long ops = 0;
        long acc = 0;
        do {
            acc ^= d.downloadAll(n, sid, size);
            ops++;
        } while (System.nanoTime() - t0 < nanos);
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - c0;
        if (acc == 42) {
            System.err.print(""); // keep the fold alive
        }
        return new long[] {ops, wall, cpu};
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
