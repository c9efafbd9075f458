package dev.laml.recordings.cli.internal;

import dev.laml.recordings.Recording;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code recordings demo}: the client against the embedded testkit, end to end, checking every byte.
 *
 * <p>Created and run once, on one thread (the downloads themselves run on the client's event loops); not
 * thread-safe. {@code --dir} is null unless given.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Try the client offline: download synthetic recordings from a local server "
        + "and verify them.",
        descriptionHeading = "%n",
        description = {"Starts the testkit (a local stand-in for the SignalWire recordings API) with N generated "
                + "recordings, fetches each one's metadata, downloads all the audio concurrently and checks every "
                + "file's SHA-256. Needs no account and no network. Progress goes to stderr, the summary to stdout.",
                "It runs over HTTPS, as the real API does: the server's certificate is generated at start, and the "
                        + "client trusts that certificate and nothing else, with host names verified. --plain-http "
                        + "shows what TLS costs.",
                "Exit code 0 only if every recording was verified, 1 if any failed."},
        optionListHeading = "%nOptions:%n")
final class DemoCommand implements Callable<Integer> {

    private static final int MAX_RECORDINGS = 1000;

    private final Session session;

    @Option(names = "--recordings", paramLabel = "N", defaultValue = "24",
            description = "How many recordings (1 s to 10 min long: a few KiB to several MiB each; the server keeps "
                    + "them in memory). Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "8",
            description = "Recordings in flight at once. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--format", paramLabel = "wav|mp3", defaultValue = "wav",
            description = "Audio format. Default: ${DEFAULT-VALUE}.")
    Fmt format;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Save the files into DIR (created if needed). Default: hash the audio as it streams and "
                    + "write nothing to disk.")
    Path dir;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "2024",
            description = "Seed of the generated recordings: the same seed gives the same ids and bytes. "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--plain-http",
            description = "Serve and fetch over plain HTTP instead of HTTPS, for comparison.")
    boolean plainHttp;

    DemoCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        if (count < 1 || count > MAX_RECORDINGS) {
            throw new InvalidInputException("--recordings must be between 1 and " + MAX_RECORDINGS + ", got " + count);
        }
        if (concurrency < 1 || concurrency > 1024) {
            throw new InvalidInputException("--concurrency must be between 1 and 1024, got " + concurrency);
        }
        if (dir != null) {
            Files.createDirectories(dir);
        }
        session.note("starting a local testkit server with " + count + " synthetic recordings ...");
        // No request log: nobody reads it here, and it would keep a copy of every request's headers.
        RecordingsServer.Builder serverBuilder = RecordingsServer.builder().requestLogCapacity(0);
        if (!plainHttp) {
            serverBuilder.tls();
        }
        Path certificate = null;
        try (RecordingsServer server = serverBuilder.start()) {
            RecordingsClient.Builder clientBuilder = RecordingsClient.builder()
                    .baseUrl(server.baseUrl())
                    .credentials(server.projectId(), server.apiToken());
            if (server.isTls()) {
                // Trust exactly this server's certificate, as a user trusts a private CA: the demo shows the real
                // path (verification and host name checks included), never a "trust everything" shortcut.
                certificate = server.writeCertificatePem(Files.createTempFile("recordings-demo-ca-", ".pem"));
                clientBuilder.trustedCertificates(certificate);
            }
            try (RecordingsClient client = clientBuilder.build()) {
                return run(server, client);
            }
        } finally {
            if (certificate != null) {
                Files.deleteIfExists(certificate);
            }
        }
    }

    private int run(RecordingsServer server, RecordingsClient client) {
        PrintStream out = session.out;
        List<TestRecording> recordings = generate(server);
        long totalBytes = 0;
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        for (TestRecording r : recordings) {
            long size = r.size(format.testkit);
            totalBytes += size;
            smallest = Math.min(smallest, size);
            largest = Math.max(largest, size);
        }
        out.printf(Locale.ROOT, "Demo: %d synthetic recordings (%s, %s to %s, %s in all),%n", count, format,
                Units.size(smallest), Units.size(largest), Units.size(totalBytes));
        if (server.isTls()) {
            out.printf(Locale.ROOT, "served by a local testkit server at %s%n", server.baseUrl());
            out.printf(Locale.ROOT, "(TLS: %s, trusting only this demo's certificate).%n", engines(server, client));
        } else {
            out.printf(Locale.ROOT, "served by a local testkit server at %s.%n", server.baseUrl());
        }
        out.printf(Locale.ROOT, "Each is fetched (metadata), downloaded (%d at a time) and checked (SHA-256);%n",
                concurrency);
        out.println(dir == null ? "the audio is hashed as it streams, nothing is written to disk."
                : "the files are saved in " + dir + ".");
        out.println();
        out.flush();

        List<Outcome> outcomes;
        long nanos;
        try (Progress progress = new Progress(session.err, session.errIsTerminal, count, totalBytes)) {
            long started = System.nanoTime();
            outcomes = Flux.fromIterable(recordings)
                    .flatMap(r -> verify(client, r, progress), concurrency)
                    .collectList()
                    .block();
            nanos = System.nanoTime() - started;
        }
        return summarize(outcomes == null ? List.of() : outcomes, nanos);
    }

    /** "OpenSSL", or "OpenSSL client, JDK server" in the rare case that only one side could load it. */
    private static String engines(RecordingsServer server, RecordingsClient client) {
        // The testkit names its engine in words; the client's is an enum.
        String clientEngine = client.tlsEngine() == TlsEngine.OPENSSL ? "OpenSSL" : "JDK";
        return clientEngine.equals(server.tlsEngine()) ? clientEngine
                : clientEngine + " client, " + server.tlsEngine() + " server";
    }

    private List<TestRecording> generate(RecordingsServer server) {
        try {
            return server.addRecordings(count, seed);
        } catch (OutOfMemoryError e) {
            // The server keeps every file off-heap; a clear message beats a JVM error on a memory-tight machine.
            throw new InvalidInputException("not enough memory for " + count + " recordings; try fewer, or raise "
                    + "-XX:MaxDirectMemorySize", e);
        }
    }

    /** One recording's check; never fails: a failure becomes an {@link Outcome} so the others carry on. */
    private Mono<Outcome> verify(RecordingsClient client, TestRecording r, Progress progress) {
        String expectedHash = r.sha256(format.testkit);
        long expectedSize = r.size(format.testkit);
        return client.fetch(r.accountSid(), r.sid())
                .flatMap(meta -> {
                    String problem = metadataProblem(meta, r);
                    if (problem != null) {
                        return Mono.just(Outcome.failed(r.sid(), "metadata: " + problem));
                    }
                    return audio(client, r, progress).map(h -> {
                        if (h.bytes != expectedSize) {
                            return Outcome.failed(r.sid(), "received " + Units.count(h.bytes) + " bytes, expected "
                                    + Units.count(expectedSize));
                        }
                        String actual = h.hex();
                        return actual.equals(expectedHash) ? Outcome.ok(r.sid(), h.bytes)
                                : Outcome.failed(r.sid(), "SHA-256 " + actual + ", expected " + expectedHash);
                    });
                })
                .onErrorResume(e -> {
                    Throwable t = Failures.unwrap(e);
                    return Mono.just(Outcome.failed(r.sid(), Failures.describe(t, Failures.exitCode(t))));
                })
                .doOnNext(o -> progress.recordingDone());
    }

    /** The audio's SHA-256: hashed buffer by buffer as it arrives, or from the file {@code downloadTo} wrote. */
    private Mono<Sha256> audio(RecordingsClient client, TestRecording r, Progress progress) {
        if (dir == null) {
            return client.download(r.accountSid(), r.sid(), format.audio)
                    .reduceWith(Sha256::new, (h, buffer) -> {
                        progress.addBytes(buffer.remaining());
                        return h.update(buffer);
                    });
        }
        Path file = dir.resolve(r.sid() + format.audio.extension());
        return client.downloadTo(r.accountSid(), r.sid(), format.audio, file)
                // Reading the file back is blocking I/O: keep it off the event loops.
                .flatMap(written -> Mono.fromCallable(() -> Sha256.ofFile(file)).subscribeOn(Schedulers.boundedElastic()))
                .doOnNext(h -> progress.addBytes(h.bytes));
    }

    private static String metadataProblem(Recording meta, TestRecording r) {
        if (!meta.sid().equalsIgnoreCase(r.sid())) {
            return "sid " + meta.sid();
        }
        if (meta.duration() == null || meta.duration().getSeconds() != r.durationSeconds()) {
            return "duration " + meta.duration() + ", expected " + r.durationSeconds() + " s";
        }
        if (meta.channels() != r.channels()) {
            return "channels " + meta.channels() + ", expected " + r.channels();
        }
        return meta.isCompleted() ? null : "status " + meta.rawStatus() + ", expected completed";
    }

    private int summarize(List<Outcome> outcomes, long nanos) {
        PrintStream out = session.out;
        long bytes = 0;
        List<Outcome> failed = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.ok) {
                bytes += o.bytes;
            } else {
                failed.add(o);
            }
        }
        // Below the progress lines when stdout and stderr share a terminal or a log.
        out.println();
        for (Outcome o : failed) {
            out.println("FAILED  " + o.sid + "  " + o.reason);
        }
        if (!failed.isEmpty()) {
            out.println();
        }
        String[] header = {"recordings", "verified", "bytes", "time", "MB/s", "failures"};
        String[] row = {Integer.toString(outcomes.size()), Integer.toString(outcomes.size() - failed.size()),
                Units.count(bytes), Units.elapsed(nanos), Units.mbPerSecond(bytes, nanos),
                Integer.toString(failed.size())};
        StringBuilder h = new StringBuilder();
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < header.length; i++) {
            int width = Math.max(header[i].length(), row[i].length());
            String gap = i == 0 ? "  " : "   ";
            h.append(gap).append(" ".repeat(width - header[i].length())).append(header[i]);
            v.append(gap).append(" ".repeat(width - row[i].length())).append(row[i]);
        }
        out.println(h);
        out.println(v);
        out.println();
        if (failed.isEmpty()) {
            out.printf(Locale.ROOT, "All %d recordings verified: metadata as served, every byte as expected.%n",
                    outcomes.size());
        } else {
            out.printf(Locale.ROOT, "%d of %d recordings failed.%n", failed.size(), outcomes.size());
        }
        // Honest about what the numbers mean.
        out.println("(MB = 10^6 bytes. Client and server share this machine over loopback, so the time");
        out.println("measures CPU and JVM warm-up, not a network.)");
        out.flush();
        return failed.isEmpty() ? Failures.OK : Failures.FAILED;
    }

    /** A recording's result. Immutable. */
    private record Outcome(String sid, boolean ok, long bytes, String reason) {
        static Outcome ok(String sid, long bytes) {
            return new Outcome(sid, true, bytes, null);
        }

        static Outcome failed(String sid, String reason) {
            return new Outcome(sid, false, 0, reason);
        }
    }

    /** A running SHA-256 and byte count. Confined to one subscription (Reactor serializes its signals). */
    private static final class Sha256 {
        private final MessageDigest digest;
        private long bytes;

        Sha256() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }

        Sha256 update(ByteBuffer buffer) {
            bytes += buffer.remaining();
            digest.update(buffer);
            return this;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        static Sha256 ofFile(Path file) throws IOException {
            Sha256 h = new Sha256();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (channel.read(buffer.clear()) >= 0) {
                    h.update(buffer.flip());
                }
            }
            return h;
        }
    }
}
