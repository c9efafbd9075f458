package dev.laml.recordings.cli.internal;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.netty.ChannelBindException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
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
 * its thread is interrupted. Not thread-safe otherwise. {@code --project} is null unless given.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Run a local stand-in for the SignalWire recordings API until Ctrl-C.",
        descriptionHeading = "%n",
        description = {"Serves synthetic recordings on 127.0.0.1 exactly where the real API has them: "
                + "/api/laml/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}(.wav|.mp3|.json). Audio needs no "
                + "credentials; .json needs HTTP Basic project:token, printed at start. Point any client at the "
                + "printed base URL. The same --recordings and --project give the same ids on every run; the token "
                + "is new each time."},
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
        RecordingsServer server = start();
        boolean interrupted = false;
        try {
            List<TestRecording> recordings = server.addRecordings(count, SEED);
            printWelcome(server, recordings);

            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                session.note("stopping");
                server.close();
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
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return Failures.OK;
    }

    private RecordingsServer start() throws IOException {
        RecordingsServer.Builder builder = RecordingsServer.builder().port(port);
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

    private void printWelcome(RecordingsServer server, List<TestRecording> recordings) {
        PrintStream out = session.out;
        out.println("Testkit recordings server running at " + server.baseUrl() + "  (Ctrl-C to stop)");
        out.println();
        out.println("  base URL      " + server.baseUrl());
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
            out.println("  curl -fo recording.wav " + first.url(Format.WAV));
            out.println("  curl -f -u " + server.projectId() + ":" + server.apiToken() + " " + first.jsonUrl());
            out.println();
            out.println("or with this tool, from another terminal:");
            out.println("  export SIGNALWIRE_PROJECT_ID=" + server.projectId() + " SIGNALWIRE_API_TOKEN="
                    + server.apiToken());
            out.println("  recordings metadata --base-url " + server.baseUrl() + " --account " + first.accountSid()
                    + " --sid " + first.sid());
        }
        out.flush();
    }

    /** Shaped like a SignalWire API token; only ever valid for this server. */
    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "PT" + HexFormat.of().formatHex(bytes);
    }
}
