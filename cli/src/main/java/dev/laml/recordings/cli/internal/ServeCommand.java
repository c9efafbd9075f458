package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.internal.TargetFile;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.ChannelBindException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code recordings serve}: the testkit as a standalone server, for testing code in any language against it.
 *
 * <p>Created and run once; {@link #call()} blocks until Ctrl-C/SIGTERM (a JVM shutdown hook) or, when embedded, until
 * its thread is interrupted. Not thread-safe otherwise. {@code --project} and {@code --ca-out} are null unless given.
 *
 * <p>With {@code --tls} and no {@code --ca-out}, the certificate goes to a new file in the temporary directory rather
 * than, say, {@code ./recordings-ca.pem}: it changes at every start, two servers must not overwrite each other's, and
 * a command that was not asked to write into the working directory should not. It is deleted when the server stops.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Run a local stand-in for the SignalWire recordings API until Ctrl-C.",
        descriptionHeading = "%n",
        description = {"Serves synthetic recordings on 127.0.0.1 exactly where the real API has them: "
                + "/api/laml/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}(.wav|.mp3|.json). Audio needs no "
                + "credentials; .json needs HTTP Basic project:token, printed at start. Point any client at the "
                + "printed base URL. The same --recordings and --project give the same ids on every run; the token "
                + "is new each time.",
                "",
                "With --tls it serves HTTPS instead, with a certificate generated at each start (for 127.0.0.1, ::1 "
                        + "and localhost) by a certificate authority made for this run alone. Clients trust it "
                        + "through the CA file written at start: --ca-file for this tool, --cacert for curl."},
        optionListHeading = "%nOptions:%n")
final class ServeCommand implements Callable<Integer> {

    /** Fixed, so that the recording ids stay the same from one run to the next. */
    private static final long SEED = 2024;

    private final Session session;

    @Option(names = "--port", paramLabel = "P", defaultValue = "0",
            description = "Port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--recordings", paramLabel = "N", defaultValue = "5",
            description = "How many synthetic recordings to serve. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--project", paramLabel = "ID",
            description = "The project id to accept (also the account sid when it is a UUID). Default: a random "
                    + "UUID.")
    String project;

    @Option(names = "--tls",
            description = "Serve HTTPS (https://127.0.0.1:P) with a certificate generated at start.")
    boolean tls;

    @Option(names = "--ca-out", paramLabel = "FILE",
            description = {"With --tls: write the certificate to trust (PEM) to FILE, replaced if it exists (a "
                    + "symlink is followed, a device or FIFO written into) and left there after the server stops.",
                    "Default: a new file in the temporary directory, printed at start and deleted when the server "
                            + "stops."})
    Path caOut;

    ServeCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be between 0 and 65535, got " + port);
        }
        if (count < 0 || count > 1000) {
            throw new InvalidInputException("--recordings must be between 0 and 1000, got " + count);
        }
        if (caOut != null && !tls) {
            throw new InvalidInputException("--ca-out needs --tls: a plain HTTP server has no certificate");
        }
        if (caOut != null) {
            Path dir = caOut.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new InvalidInputException("directory " + dir + " does not exist (for --ca-out " + caOut + ")");
            }
            if (Files.isDirectory(caOut)) {
                throw new InvalidInputException("--ca-out " + caOut + " is a directory; name a file");
            }
        }
        RecordingsServer server = start();
        // Only a file we chose is ours to delete; one named with --ca-out is the user's to keep.
        Path temporaryCa = null;
        boolean interrupted = false;
        try {
            Path ca = null;
            if (tls) {
                if (caOut == null) {
                    temporaryCa = Files.createTempFile("recordings-serve-ca-", ".pem");
                }
                ca = writeCertificate(server, caOut != null ? caOut : temporaryCa);
            }
            List<TestRecording> recordings = server.addRecordings(count, SEED);
            printWelcome(server, recordings, ca);

            CountDownLatch stopped = new CountDownLatch(1);
            Path deleteAtExit = temporaryCa;
            Thread hook = new Thread(() -> {
                session.note("stopping");
                server.close();
                deleteQuietly(deleteAtExit);
                stopped.countDown();
            }, "recordings-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // Stopped by whoever embeds us (a test, an IDE): undo the hook so it does not outlive this run.
                interrupted = true;
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running anyway
                }
                session.note("stopping");
            }
        } finally {
            // Before the interrupt flag is restored: closing blocks, and Reactor refuses to block when interrupted.
            server.close();
            deleteQuietly(temporaryCa);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return Failures.OK;
    }

    private RecordingsServer start() throws IOException {
        RecordingsServer.Builder builder = RecordingsServer.builder().port(port);
        if (tls) {
            builder.tls();
        }
        if (project != null) {
            if (project.isBlank() || project.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ':')) {
                throw new InvalidInputException("--project must be non-empty, without ':' or control characters");
            }
            builder.credentials(project, newToken());
        }
        try {
            return builder.start();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException || t instanceof ChannelBindException) {
                    Throwable reason = t.getCause() != null ? t.getCause() : t;
                    throw new IOException("cannot listen on 127.0.0.1:" + port + " (" + reason.getMessage() + ")", e);
                }
            }
            throw e;
        }
    }

    private void printWelcome(RecordingsServer server, List<TestRecording> recordings, Path ca) {
        PrintStream out = session.out;
        // Every command printed below must work when pasted, so the CA file goes into each of them (into the exports
        // for this tool).
        String curl = ca == null ? "curl" : "curl --cacert " + shellWord(ca.toString());
        out.println("Testkit recordings server running at " + server.baseUrl() + "  (Ctrl-C to stop)");
        out.println();
        out.println("  base URL      " + server.baseUrl());
        if (ca != null) {
            out.println("  TLS           " + server.tlsEngine() + ", a certificate for 127.0.0.1, ::1 and localhost, "
                    + "new at each start");
            out.println("  CA file       " + ca + (caOut == null ? "   (trust this; deleted when the server stops)"
                    : "   (trust this)"));
        }
        out.println("  account sid   " + server.accountSid());
        out.println("  project id    " + server.projectId());
        out.println("  API token     " + server.apiToken() + "   (valid for this server only)");
        out.println();
        if (recordings.isEmpty()) {
            out.println("  no recordings (--recordings 0): every recording URL answers 404");
        } else {
            out.printf(Locale.ROOT, "  %-36s  %8s  %12s  %12s%n", "recording sid", "duration", "wav bytes",
                    "mp3 bytes");
            for (TestRecording r : recordings) {
                out.printf(Locale.ROOT, "  %-36s  %6d s  %12s  %12s%n", r.sid(), r.durationSeconds(),
                        Units.count(r.size(Format.WAV)), Units.count(r.size(Format.MP3)));
            }
            TestRecording first = recordings.get(0);
            out.println();
            out.println("Try it:");
            out.println("  " + curl + " -fo recording.wav " + first.url(Format.WAV));
            out.println("  " + curl + " -f -u " + server.projectId() + ":" + server.apiToken() + " "
                    + first.jsonUrl());
            out.println();
            out.println("or with this tool, from another terminal:");
            out.println("  export SIGNALWIRE_BASE_URL=" + server.baseUrl()
                    + (ca == null ? "" : " SIGNALWIRE_CA_FILE=" + shellWord(ca.toString())));
            out.println("  export SIGNALWIRE_PROJECT_ID=" + server.projectId() + " SIGNALWIRE_API_TOKEN="
                    + server.apiToken());
            String tool = launcher(ServeCommand.class.getProtectionDomain().getCodeSource());
            // The account defaults to the project id, as on SignalWire; named only when --project made them differ.
            String account = server.accountSid().equals(server.projectId()) ? "" : " --account " + server.accountSid();
            out.println("  " + tool + " metadata" + account + " --sid " + first.sid());
            out.println("  " + tool + " download" + account + " --sid " + first.sid() + " -o recording.wav");
            out.println("  " + tool + " list" + account + " --json");
        }
        out.flush();
    }

    /**
     * How to run this tool again from a shell: {@code java -jar /absolute/path/recordings.jar} when it runs from a jar
     * (the README's way: there is no {@code recordings} command on the PATH unless the user made one), else, embedded
     * or in an IDE, {@code recordings}.
     *
     * @param source where this class was loaded from; may be null
     */
    static String launcher(CodeSource source) {
        try {
            if (source != null && source.getLocation() != null
                    && "file".equalsIgnoreCase(source.getLocation().getProtocol())) {
                Path location = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
                if (Files.isRegularFile(location) && location.getFileName().toString().endsWith(".jar")) {
                    return "java -jar " + shellWord(location.toString());
                }
            }
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            // Not a plain file URL: fall through to the plain name.
        }
        return "recordings";
    }

    /** {@code s} as one shell word: as is when it holds nothing a shell would split or expand, else single-quoted. */
    static String shellWord(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:@%+=,-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Writes the PEM as every file the CLI writes (see {@code RecordingsClient#downloadTo}): a symlink followed, a
     * device or FIFO written into, a new file with the umask's mode, a replaced one keeping its own; ending with a
     * newline, as a text file does.
     */
    private static Path writeCertificate(RecordingsServer server, Path file) throws IOException {
        String pem = server.certificatePem();
        if (!pem.endsWith("\n")) {
            pem += "\n";
        }
        TargetFile.write(file, pem.getBytes(StandardCharsets.US_ASCII), false, null);
        return file.toAbsolutePath().normalize();
    }

    private void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A public certificate left in the temporary directory harms nobody; say so and carry on stopping.
            session.note("could not delete " + file + ": " + e.getMessage());
        }
    }

    /** Shaped like a SignalWire API token; only ever valid for this server. */
    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "PT" + HexFormat.of().formatHex(bytes);
    }
}
