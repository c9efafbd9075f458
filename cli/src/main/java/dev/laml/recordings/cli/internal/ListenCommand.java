package dev.laml.recordings.cli.internal;

import dev.laml.recordings.events.RecordingEvents;
import dev.laml.recordings.events.RecordingEventsServer;
import dev.laml.recordings.events.RecordingInbox;
import dev.laml.recordings.events.RecordingWorkers;
import dev.laml.recordings.events.WorkerEvent;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.webhooks.WebhookSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code recordings listen}: receives SignalWire's signed recording status callbacks, stores each in a durable inbox
 * before answering 204, and archives the recordings into a directory or S3 as they complete.
 *
 * <p>Created and run once, on one thread (the server and the workers run on their own threads); not thread-safe.
 */
@Command(name = "listen", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Archive recordings as they complete, driven by SignalWire's status callbacks.",
        descriptionHeading = "%n",
        description = {"Serves PATH on --bind:--port. Point the recording status callback of your calls at the "
                + "public URL of this endpoint (recordingStatusCallback, with the events 'in-progress completed "
                + "absent'). Every callback's signature is checked against --public-url with the project's signing "
                + "key; a valid one is stored in the inbox (SQLite file, or a shared PostgreSQL database for several "
                + "instances) before it is answered, and archived once, as 'recordings archive' would, into --dir or "
                + "--to. One line per stored recording goes to stdout.",
                "",
                "The signing key comes from --signing-key-file or $SIGNALWIRE_SIGNING_KEY, never from an option "
                        + "value (a command line is visible to every user of the machine).",
                "",
                "Ctrl-C or SIGTERM: new callbacks are answered 503 (SignalWire tries again), what is being archived "
                        + "finishes (or stays in the inbox for the next start), and the command exits 0.",
                "",
                "Examples:",
                "  recordings listen --port 8080 --dir archive --public-url https://hooks.example.com/recordings/events",
                "  recordings listen --port 8080 --to s3://bucket/recordings --inbox jdbc:postgresql://db/recordings "
                        + "--reconcile-every 15m"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class ListenCommand implements Callable<Integer> {

    static final String ENV_SIGNING_KEY = "SIGNALWIRE_SIGNING_KEY";
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private final Session session;

    @Option(names = "--port", paramLabel = "N", required = true,
            description = "The port to listen on; 0 picks a free one (printed at start).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE} (behind "
                    + "a reverse proxy on this machine).")
    String bind;

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "/recordings/events",
            description = "The path served. Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(names = "--public-url", paramLabel = "URL",
            description = {"The URL SignalWire was given for the callbacks, which the signature covers (behind a "
                    + "proxy or load balancer it differs from this server's own). Never rebuilt from Host or "
                    + "X-Forwarded-* headers.",
                    "Default: http://127.0.0.1:PORT/PATH (local tests with 'recordings serve --callback-url')."})
    URI publicUrl;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Archive into this directory (as 'recordings archive --dir'). Exactly one of --dir and --to.")
    Path dir;

    @Mixin
    StoreOptions store;

    @Option(names = "--inbox", paramLabel = "FILE|jdbc:postgresql://...", defaultValue = "recordings-inbox.db",
            description = {"Where accepted callbacks wait: a SQLite file (one instance), or a PostgreSQL URL shared "
                    + "by several instances (user and password from the URL or $PGUSER / $PGPASSWORD).",
                    "Default: ${DEFAULT-VALUE} in the current directory."})
    String inbox;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Recordings archived at once. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--reconcile-every", paramLabel = "DURATION",
            description = "Also list the account every DURATION (30s, 15m, 1h, PT15M) from the last finished sweep, "
                    + "to archive recordings whose callback was lost. Default: off.")
    String reconcileEvery;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "2m",
            description = {"How long a claimed recording stays this instance's without a heartbeat: with a shared "
                    + "PostgreSQL inbox, the entries of an instance that died are taken over by another after this "
                    + "long. Renewed every third of it while the instance runs. Default: ${DEFAULT-VALUE}."})
    String lease;

    @Option(names = "--delete-after-verify",
            description = "Delete each recording from SignalWire once its stored copy is verified.")
    boolean deleteAfterVerify;

    @Option(names = "--format", paramLabel = "wav|mp3", defaultValue = "wav",
            description = "Audio format. Default: ${DEFAULT-VALUE}.")
    Fmt format;

    @Option(names = "--signing-key-file", paramLabel = "FILE",
            description = "A file holding the project's signing key (first line); else $" + ENV_SIGNING_KEY + ". "
                    + "A second line, if any, is the previous key, accepted during a rotation.")
    Path signingKeyFile;

    @Option(names = "--media-auth",
            description = "Send the project id and token with the media requests too, for spaces that require it.")
    boolean mediaAuth;

    @Mixin
    ApiOptions api;

    ListenCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be between 0 and 65535, got " + port);
        }
        if (concurrency < 1 || concurrency > ArchiveOptions.MAX_CONCURRENCY) {
            throw new InvalidInputException("--concurrency must be between 1 and " + ArchiveOptions.MAX_CONCURRENCY
                    + ", got " + concurrency);
        }
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new InvalidInputException("--path must start with / and hold no query, got " + path);
        }
        if ((dir == null) != store.s3()) {
            throw new InvalidInputException("give exactly one of --dir DIR and --to s3://BUCKET[/PREFIX]");
        }
        S3Destination s3 = store.check(deleteAfterVerify, false);
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidInputException("--dir " + dir + " exists and is not a directory");
        }
        if (publicUrl != null && (publicUrl.getHost() == null || publicUrl.getScheme() == null
                || !publicUrl.getScheme().matches("(?i)https?"))) {
            throw new InvalidInputException("--public-url must be an http(s) URL with a host, got " + publicUrl);
        }
        Duration reconcile = reconcileEvery == null ? null : duration("--reconcile-every", reconcileEvery);
        // Parsed before the signing key and the inbox, so that a bad value exits 2 without touching either.
        Duration leaseFor = duration("--lease", lease);
        WebhookSignature signature = signature();
        ArchiveOptions options = ArchiveOptions.defaults().format(format.audio).deleteAfterVerify(deleteAfterVerify);

        try (RecordingsClient client = api.client(session, true, mediaAuth);
             S3AsyncClient s3Client = s3 == null ? null : store.client(session);
             RecordingInbox box = openInbox()) {
            String account = api.account(session);
            ArchiveTarget target = s3 == null ? ArchiveTarget.directory(dir)
                    : store.target(s3, s3Client, session, deleteAfterVerify, false);
            String where = s3 == null ? dir.toString() : store.to;
            if (dir != null) {
                createDirectory(dir);
            }
            checkStore(target, where);
            RecordingWorkers.Builder wb = RecordingWorkers.builder().client(client).inbox(box).target(target)
                    .options(options).concurrency(concurrency).lease(leaseFor);
            if (reconcile != null) {
                wb.reconcile(account, reconcile);
            }
            RecordingWorkers workers = wb.build();
            RecordingEvents.Builder eb = RecordingEvents.builder().signature(signature).apiBaseUrl(client.baseUrl())
                    .accountSid(account).inbox(box).onAccepted(e -> workers.wake());
            RecordingEventsServer server = bindServer(eb);
            RecordingEvents events = lastEvents;
            try {
                session.note("listening on http://" + hostForUrl(bind) + ":" + server.port() + path + " (signed URL "
                        + events.publicUrl() + "), inbox " + box.describe() + ", archiving into " + where);
                Disposable running = workers.run().subscribe(this::print,
                        e -> session.note("the workers stopped: " + e.getMessage()));
                awaitStop();
                session.note("stopping: new callbacks are answered 503; finishing what is in flight");
                events.stopAccepting();
                workers.shutdown(Duration.ofSeconds(20)).block(Duration.ofSeconds(30));
                running.dispose();
            } finally {
                server.close();
            }
        }
        return Failures.OK;
    }

    /** The receiver last built by {@link #bindServer}: its public URL needs the port bound. */
    private RecordingEvents lastEvents;

    private RecordingEventsServer bindServer(RecordingEvents.Builder eb) {
        try {
            if (publicUrl != null || port != 0) {
                URI url = publicUrl != null ? publicUrl : URI.create("http://127.0.0.1:" + port + path);
                lastEvents = eb.publicUrl(url).build();
                return RecordingEventsServer.start(lastEvents, path, bind, port);
            }
            // Port 0 without a public URL: the default URL names the port, known only once bound. The receiver is
            // rebuilt once the port is known; nothing can have been signed for the unknown port before.
            RecordingEvents placeholder = eb.publicUrl(URI.create("http://127.0.0.1:1" + path)).build();
            RecordingEventsServer probe = RecordingEventsServer.start(placeholder, path, bind, 0);
            int bound = probe.port();
            probe.close();
            lastEvents = eb.publicUrl(URI.create("http://127.0.0.1:" + bound + path)).build();
            return RecordingEventsServer.start(lastEvents, path, bind, bound);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException || t.getClass().getSimpleName().equals("ChannelBindException")) {
                    throw new InvalidInputException("cannot listen on " + bind + ":" + port + " ("
                            + (t.getCause() != null ? t.getCause().getMessage() : t.getMessage()) + ")");
                }
            }
            throw e;
        }
    }

    private void print(WorkerEvent e) {
        switch (e.kind()) {
            case ARCHIVED -> {
                session.out.println("stored " + e.recordingSid() + " " + e.detail());
                session.out.flush();
            }
            case ABSENT -> session.note(e.recordingSid() + ": absent, nothing to fetch");
            case RETRY -> session.note(e.recordingSid() + ": attempt " + e.attempts() + " failed, will retry: "
                    + e.detail());
            case FAILED -> session.note(e.recordingSid() + ": FAILED: " + e.detail());
            case RECONCILED -> session.note("reconcile sweep: " + e.detail());
            default -> { }
        }
    }

    private RecordingInbox openInbox() {
        if (inbox.startsWith("jdbc:") && !inbox.startsWith("jdbc:postgresql:")) {
            throw new InvalidInputException("--inbox takes a SQLite file or a jdbc:postgresql: URL, got " + inbox);
        }
        // An inbox that cannot be opened is an UncheckedIOException naming it: exit 6.
        return inbox.startsWith("jdbc:postgresql:")
                ? RecordingInbox.postgres(inbox, session.env("PGUSER"), session.env("PGPASSWORD"))
                : RecordingInbox.sqlite(Path.of(inbox));
    }

    /** A directory target is created at start, so that one that cannot be is reported now (exit 6). */
    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileAlreadyExistsException ? e.getMessage() + " is in the way"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied on " + e.getMessage()
                    : e.getMessage();
            throw new UncheckedIOException(new IOException("the store " + dir + " cannot be created: " + why, e));
        }
    }

    /** Fails (exit 6) unless the store can be opened now, rather than on the first callback. */
    private static void checkStore(ArchiveTarget target, String where) {
        try {
            target.open().block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            Throwable t = Failures.unwrap(e);
            throw new UncheckedIOException(new IOException("the store " + where + " cannot be used: "
                    + (t.getMessage() == null ? "unreachable" : t.getMessage()), t));
        }
    }

    private WebhookSignature signature() throws IOException {
        String text;
        if (signingKeyFile != null) {
            if (!Files.isRegularFile(signingKeyFile)) {
                throw new InvalidInputException("--signing-key-file " + signingKeyFile + " is not a readable file");
            }
            text = Files.readString(signingKeyFile, StandardCharsets.UTF_8);
        } else {
            text = session.env(ENV_SIGNING_KEY);
            if (text == null || text.isBlank()) {
                throw new InvalidInputException("no signing key: pass --signing-key-file FILE or set $"
                        + ENV_SIGNING_KEY + " (the project's signing key, from the SignalWire dashboard)");
            }
        }
        String[] lines = text.strip().split("\\R");
        String current = lines[0].strip();
        if (current.isEmpty()) {
            throw new InvalidInputException("the signing key is empty");
        }
        return lines.length > 1 && !lines[1].isBlank() ? WebhookSignature.of(current, lines[1].strip())
                : WebhookSignature.of(current);
    }

    static Duration duration(String option, String value) {
        Matcher m = SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new InvalidInputException(option + " must be a duration such as 30s, 15m, 1h or PT15M, got "
                        + value);
            }
        }
        if (d.isZero() || d.isNegative()) {
            throw new InvalidInputException(option + " must be positive, got " + value);
        }
        return d;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * Waits for SIGTERM or SIGINT (or an interrupt, when embedded). The signals get a handler of their own so that
     * the JVM does not start its shutdown: the graceful stop runs here, and the command returns 0. Where the JDK has
     * no {@code sun.misc.Signal}, a shutdown hook stands in (the exit code is then the signal's).
     */
    private void awaitStop() {
        CountDownLatch stop = new CountDownLatch(1);
        Runnable restore = Signals.onTermOrInt(stop::countDown);
        try {
            stop.await();
        } catch (InterruptedException e) {
            // Embedded (a test): stop as for a signal, and keep the interrupt for the caller after closing.
            Thread.interrupted();
        } finally {
            restore.run();
        }
    }

    /** {@code sun.misc.Signal}, reached reflectively: it is in every HotSpot JDK but not in the Java SE API. */
    static final class Signals {
        private Signals() {
        }

        static Runnable onTermOrInt(Runnable action) {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
                Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                        (InvocationHandler) (proxy, method, args) -> {
                            if (method.getName().equals("handle")) {
                                action.run();
                            }
                            return null;
                        });
                java.lang.reflect.Method handle = signal.getMethod("handle", signal, handlerType);
                Object term = signal.getConstructor(String.class).newInstance("TERM");
                Object interrupt = signal.getConstructor(String.class).newInstance("INT");
                Object oldTerm = handle.invoke(null, term, handler);
                Object oldInt = handle.invoke(null, interrupt, handler);
                return () -> {
                    try {
                        handle.invoke(null, term, oldTerm);
                        handle.invoke(null, interrupt, oldInt);
                    } catch (ReflectiveOperationException ignored) {
                        // the process is ending
                    }
                };
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
                Thread hook = new Thread(action, "recordings-listen-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                return () -> {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running
                    }
                };
            }
        }
    }
}
