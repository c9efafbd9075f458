package dev.laml.recordings.cli;

import dev.laml.recordings.cli.internal.Cli;
import dev.laml.recordings.cli.internal.LibraryWarnings;

import java.io.PrintStream;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code recordings} command: {@code demo}, {@code metadata}, {@code list}, {@code transcripts}, {@code download}, {@code delete},
 * {@code archive} and {@code serve}. Run {@code java -jar recordings.jar --help} for the usage.
 *
 * <p>{@link #main(String[])} is the only method that ends the JVM; {@link #run(String[], PrintStream, PrintStream,
 * Map)} does the same work against the streams and environment it is given and returns the exit code, so that the
 * command can be embedded and tested in-process. A run on other streams than the process's own has no terminal to
 * ask at, so {@code delete} needs {@code --yes} there.
 *
 * <p>Exit codes: 0 success; 1 the demo found failures, an archive run had mixed failures, or an unexpected error; 2 usage or invalid input; 3 not found;
 * 4 authentication failed; 5 any other error answer from the API; 6 transfer or network failure.
 *
 * <p>Thread-safety: stateless; concurrent {@code run} calls are independent, though {@code serve} registers a JVM
 * shutdown hook while it runs. Nullability: no parameter may be null.
 */
public final class RecordingsCli {

    private RecordingsCli() {
    }

    /** Runs the command against {@code System.out}, {@code System.err} and the process environment, then exits. */
    public static void main(String[] args) {
        oneLineLibraryWarnings();
        int code = run(args, System.out, System.err, System.getenv());
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * The libraries' own warnings stay visible, one line each, and nothing below WARNING: SLF4J's records go to the
     * jar's provider ({@code LibraryWarnings}, found by SLF4J itself), and {@code java.util.logging}'s to the same
     * one-line format instead of its two-line console handler. Only the real process does this: an application
     * embedding {@link #run} keeps its own logging.
     */
    private static void oneLineLibraryWarnings() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.setLevel(Level.WARNING);
        root.addHandler(LibraryWarnings.julHandler());
    }

    /**
     * Runs the command once and returns its exit code; never calls {@link System#exit(int)}.
     *
     * @param args the command line, e.g. {@code {"download", "--sid", "…", "-o", "-"}}
     * @param out  standard output: results, and with {@code -o -} the audio bytes and nothing else
     * @param err  standard error: progress and messages
     * @param env  the environment variables to read ({@code SIGNALWIRE_SPACE}, {@code SIGNALWIRE_BASE_URL},
     *             {@code SIGNALWIRE_PROJECT_ID},
     *             {@code SIGNALWIRE_API_TOKEN}, {@code SIGNALWIRE_CA_FILE}, {@code https_proxy}/{@code HTTPS_PROXY},
     *             {@code no_proxy}/{@code NO_PROXY}); not modified, and the only environment read: the proxy
     *             settings of the JVM's system properties are not consulted either
     * @return the exit code (see the class documentation)
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return Cli.execute(args, out, err, env);
    }
}
