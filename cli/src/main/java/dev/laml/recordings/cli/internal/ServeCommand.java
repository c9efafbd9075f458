package dev.laml.recordings.cli.internal;

import dev.laml.recordings.testkit.CallbackDelivery;
import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.ChannelBindException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URISyntaxException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
                        + "through the CA file written at start: --ca-file for this tool, --cacert for curl.",
                "",
                "With --callback-url it also pushes, as SignalWire does: each recording's signed status callback is "
                        + "POSTed to URL when the recording is added and again when it completes, a failed delivery "
                        + "tried twice more; one line per delivery. --new-recording-every keeps adding recordings, "
                        + "for a live stream of calls."},
        optionListHeading = "%nOptions:%n")
final class ServeCommand implements Callable<Integer> {

    /** Fixed, so that the recording ids stay the same from one run to the next. */
    private static final long SEED = 2024;
    private static final String ENV_SIGNING_KEY = "SIGNALWIRE_SIGNING_KEY";
    /** Recordings added over time that are kept; older ones are removed. */
    private static final int LIVE_KEPT = 1000;

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

    @Option(names = "--callback-url", paramLabel = "URL",
            description = {"POST SignalWire's recording status callback (form-encoded, signed in "
                    + "X-SignalWire-Signature) to URL for every recording: 'in-progress' when a recording that is still "
                    + "being recorded is added, its final status when it completes. A failed delivery is tried twice "
                    + "more, a second apart. Needs the signing key (--signing-key-file or $SIGNALWIRE_SIGNING_KEY)."})
    URI callbackUrl;

    @Option(names = "--signing-key-file", paramLabel = "PATH",
            description = {"With --callback-url: the file holding the signing key to sign callbacks with (surrounding "
                    + "white space ignored), the key the receiver checks them with.",
                    "Default: $SIGNALWIRE_SIGNING_KEY. Never an option value: it would show in ps."})
    Path signingKeyFile;

    @Option(names = "--new-recording-every", paramLabel = "DURATION",
            description = {"Keep adding a new recording every DURATION (e.g. 2s, 500ms, 1m): a call of 1 to 20 s, "
                    + "created now, in progress for 1 to 5 s before it completes. With --callback-url each is "
                    + "announced twice (in-progress, completed). The latest 1,000 are kept.",
                    "Default: none (only the --recordings at start)."})
    String newRecordingEvery;

    @Option(names = "--callback-faults", paramLabel = "FAULT=SHARE", split = ",",
            description = {"With --callback-url: give this share of callbacks a fault, drawn at random but the same on "
                    + "every run: duplicate (sent twice), wrong-signature (signed with another key), drop (never "
                    + "sent). E.g. duplicate=5%,wrong-signature=2%,drop=1%."})
    List<String> callbackFaults;

    /** Delivery lines printed before the welcome wait here, so that the welcome comes first; null once printed. */
    private List<String> earlyLines = new ArrayList<>();
    private final Object printLock = new Object();

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
        Duration every = newRecordingEvery == null ? null : interval(newRecordingEvery);
        if (callbackUrl == null && (signingKeyFile != null || callbackFaults != null)) {
            throw new InvalidInputException((signingKeyFile != null ? "--signing-key-file" : "--callback-faults")
                    + " needs --callback-url: there is nowhere to send callbacks");
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
        ScheduledExecutorService adder = null;
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
            printLiveSettings(every);
            ScheduledExecutorService liveAdder = every == null ? null : startAdding(server, every);
            adder = liveAdder;

            CountDownLatch stopped = new CountDownLatch(1);
            Path deleteAtExit = temporaryCa;
            Thread hook = new Thread(() -> {
                session.note("stopping");
                if (liveAdder != null) {
                    liveAdder.shutdownNow();
                }
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
            if (adder != null) {
                adder.shutdownNow();
            }
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
        if (callbackUrl != null) {
            configureCallbacks(builder);
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

    private void configureCallbacks(RecordingsServer.Builder builder) {
        String key = signingKey();
        try {
            builder.statusCallback(callbackUrl, key);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--callback-url must be an absolute http(s) URL with a host, got "
                    + callbackUrl);
        }
        if (callbackFaults != null) {
            for (String spec : callbackFaults) {
                int eq = spec.indexOf('=');
                CallbackFault fault = eq < 0 ? null : switch (spec.substring(0, eq).strip().toLowerCase(Locale.ROOT)) {
                    case "duplicate" -> CallbackFault.DUPLICATE;
                    case "wrong-signature" -> CallbackFault.WRONG_SIGNATURE;
                    case "drop" -> CallbackFault.DROP;
                    default -> null;
                };
                if (fault == null) {
                    throw new InvalidInputException("--callback-faults takes duplicate=SHARE, wrong-signature=SHARE or "
                            + "drop=SHARE, got " + spec);
                }
                try {
                    builder.statusCallbackFaultRate(fault, share(spec.substring(eq + 1).strip()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--callback-faults " + spec + ": the shares must be from 0% to "
                            + "100% and add up to 100% at most");
                }
            }
        }
        builder.statusCallbackListener(this::printDelivery);
    }

    /** The key from the file or the environment; its value never appears in a message. */
    private String signingKey() {
        String key;
        if (signingKeyFile != null) {
            try {
                key = Files.readString(signingKeyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new InvalidInputException("cannot read --signing-key-file " + signingKeyFile + ": "
                        + Failures.describe(e, Failures.TRANSFER), e);
            }
            if (key.isEmpty()) {
                throw new InvalidInputException("--signing-key-file " + signingKeyFile + " is empty");
            }
            return key;
        }
        key = session.env(ENV_SIGNING_KEY);
        if (key == null) {
            throw new InvalidInputException("--callback-url needs the signing key: set " + ENV_SIGNING_KEY
                    + " or pass --signing-key-file PATH");
        }
        return key;
    }

    /** {@code 5%} or {@code 0.05}. */
    private static double share(String text) {
        try {
            return text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1).strip()) / 100
                    : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}; at least 10 ms. */
    static Duration interval(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)")
                .matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidInputException("--new-recording-every takes a number and a unit (ms, s, m or h), "
                    + "e.g. 2s, got " + text);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(Duration.ofMillis(10)) < 0) {
            throw new InvalidInputException("--new-recording-every must be at least 10ms, got " + text);
        }
        return d;
    }

    /**
     * Adds a recording every {@code every} on a daemon thread: a short call created now that completes a few seconds
     * later, so that a receiver sees it in progress and then completed. Only the latest {@link #LIVE_KEPT} are kept,
     * so that a demo left running does not fill the memory.
     */
    private ScheduledExecutorService startAdding(RecordingsServer server, Duration every) {
        ScheduledExecutorService adder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "recordings-serve-new-recordings");
            t.setDaemon(true);
            return t;
        });
        SplittableRandom random = new SplittableRandom(SEED + 1);
        ArrayDeque<String> live = new ArrayDeque<>();
        String[] sources = {"RecordVerb", "DialVerb", "Conference", "StartCallRecordingAPI"};
        adder.scheduleAtFixedRate(() -> {
            if (adder.isShutdown()) {
                return;
            }
            try {
                int seconds = 1 + random.nextInt(20);
                long completesIn = 1000 + random.nextInt(4000);
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
                TestRecording r = server.addRecording(RecordingSpec.create()
                        .seed(random.nextLong())
                        .durationSeconds(seconds)
                        .channels(random.nextInt(5) == 0 ? 2 : 1)
                        .source(sources[random.nextInt(sources.length)])
                        .dateCreated(now)
                        .completesAfter(Duration.ofMillis(completesIn)));
                live.addLast(r.sid());
                if (live.size() > LIVE_KEPT) {
                    server.removeRecording(live.removeFirst());
                }
                line(String.format(Locale.ROOT, "new recording  %s  %2d s, completes in %.1f s", r.sid(), seconds,
                        completesIn / 1000.0));
            } catch (RuntimeException e) {
                // Thrown out of here, it would end the schedule silently: say so, unless we are stopping anyway.
                if (!adder.isShutdown()) {
                    session.note("no more new recordings: " + e.getMessage());
                }
                throw e;
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return adder;
    }

    private void printLiveSettings(Duration every) {
        PrintStream out = session.out;
        if (callbackUrl != null) {
            out.println();
            out.println("Status callbacks go to " + callbackUrl + ", signed with the key from "
                    + (signingKeyFile != null ? signingKeyFile : "$" + ENV_SIGNING_KEY) + "; one line per delivery:");
        }
        if (every != null) {
            out.println((callbackUrl == null ? "\n" : "") + "A new recording every " + newRecordingEvery.strip() + ".");
        }
        out.flush();
        synchronized (printLock) {
            earlyLines.forEach(out::println);
            earlyLines = null;
            out.flush();
        }
    }

    private void printDelivery(CallbackDelivery d) {
        String what = switch (d.outcome()) {
            case DELIVERED -> "-> " + d.attemptStatuses().get(d.attemptStatuses().size() - 1)
                    + (d.attemptStatuses().size() > 1 ? " (attempt " + d.attemptStatuses().size() + ")" : "");
            case FAILED -> "failed after " + d.attemptStatuses().size() + " attempts: " + d.failure();
            case DROPPED -> "dropped, never sent";
        };
        String fault = d.fault() == null ? "" : switch (d.fault()) {
            case DUPLICATE -> "duplicate ";
            case WRONG_SIGNATURE -> "wrongly signed ";
            case DROP -> "";
        };
        line(String.format(Locale.ROOT, "callback  %-11s  %s  %s%s", d.status(), d.recordingSid(), fault, what));
    }

    private void line(String text) {
        synchronized (printLock) {
            if (earlyLines != null) {
                earlyLines.add(text);
            } else {
                session.out.println(text);
            }
        }
    }

    /** {@code s} as one shell word: as is when it holds nothing a shell would split or expand, else single-quoted. */
    static String shellWord(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:@%+=,-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Writes the PEM as curl's {@code -o} would: a symlink followed, a device or FIFO written into, a new file with the
     * umask's mode, a replaced one keeping its own; ending with a newline, as a text file does. A plain write, not the
     * client's temporary-file-and-rename: the file is complete before {@code serve} prints the lines that name it, so
     * no reader sees it partial, and the CLI uses only the client's public API (its file writer is internal).
     */
    private static Path writeCertificate(RecordingsServer server, Path file) throws IOException {
        String pem = server.certificatePem();
        if (!pem.endsWith("\n")) {
            pem += "\n";
        }
        Files.write(file, pem.getBytes(StandardCharsets.US_ASCII));
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
