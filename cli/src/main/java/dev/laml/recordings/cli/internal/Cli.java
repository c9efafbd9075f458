package dev.laml.recordings.cli.internal;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the picocli command tree for one run and executes it. Internal: the supported entry points are
 * {@code dev.laml.recordings.cli.RecordingsCli.main} and {@code run}.
 *
 * <p>Thread-safety: stateless; each call builds its own commands. Nullability: no argument may be null.
 */
public final class Cli {

    /** Shared by every usage text: where the credentials come from. Lines fit 80 columns (picocli wraps them). */
    static final String CREDENTIALS_HELP = "Credentials (metadata, list, download, delete, archive):%n"
            + "  SIGNALWIRE_SPACE       your space: 'example' for example.signalwire.com%n"
            + "  SIGNALWIRE_BASE_URL    or a server's URL instead (say, 'recordings serve')%n"
            + "  SIGNALWIRE_PROJECT_ID  your project id%n"
            + "  SIGNALWIRE_API_TOKEN   your API token%n"
            + "  or --space (--base-url), --project and --token-file PATH. The token is never%n"
            + "  accepted on the command line, where other users of the machine could see it.";

    /** Shared by the usage texts of the commands that reach the API: trust and proxies. Lines fit 80 columns. */
    static final String NETWORK_HELP = "HTTPS and proxies (metadata, list, download, delete, archive):%n"
            + "  SIGNALWIRE_CA_FILE     trust only the certificates in this PEM file%n"
            + "  https_proxy            the proxy for https, as in curl (else HTTPS_PROXY)%n"
            + "  no_proxy               hosts reached directly, comma-separated (else NO_PROXY)%n"
            + "  or --ca-file PATH and --proxy URL. 'recordings serve --tls' writes a CA file.";

    /** Shared by every usage text: the exit codes scripts can rely on. */
    static final String EXIT_CODES_HELP = "Exit codes:%n"
            + "  0  ok                                4  authentication failed%n"
            + "  1  mixed failures, or a bug          5  any other error from the API%n"
            + "  2  usage or invalid input            6  transfer or network failure%n"
            + "  3  not found%n";

    private Cli() {
    }

    /**
     * Parses {@code args}, runs the command and returns its exit code. Progress bars, terminal checks and
     * confirmation prompts apply only when the streams are the process's own and a terminal is attached.
     */
    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        boolean terminal = Prompt.terminalConsole() != null;
        boolean ownStreams = out == System.out && err == System.err;
        return execute(args, out, err, env, terminal, terminal && ownStreams ? Prompt.systemTerminal() : null);
    }

    /**
     * As {@link #execute(String[], PrintStream, PrintStream, Map)}, with {@code prompt} standing in for the person at
     * the terminal: null for a run that cannot ask (as when stdin is redirected), so that commands needing a
     * confirmation require {@code --yes}. For tests and embedders; the streams are then never treated as a terminal.
     *
     * @param prompt may be null
     */
    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
            Prompt prompt) {
        return execute(args, out, err, env, false, prompt);
    }

    private static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
            boolean terminal, Prompt prompt) {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(env, "env");
        Session session = new Session(out, err, env, terminal && err == System.err, terminal && out == System.out,
                prompt);

        CommandLine cmd = new CommandLine(new RootCommand(session))
                .addSubcommand(new DemoCommand(session))
                .addSubcommand(new MetadataCommand(session))
                .addSubcommand(new ListCommand(session))
                .addSubcommand(new TranscriptsCommand(session))
                .addSubcommand(new DownloadCommand(session))
                .addSubcommand(new DeleteCommand(session))
                .addSubcommand(new ArchiveCommand(session))
                .addSubcommand(new ServeCommand(session))
                .addSubcommand(new ListenCommand(session))
                .addSubcommand(RecordCommand.create(session));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(
                session.outIsTerminal ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
        cmd.setParameterExceptionHandler((e, a) -> Failures.reportUsage(e, a, session));
        cmd.setExecutionExceptionHandler((e, c, parsed) -> Failures.report(e, session));
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
