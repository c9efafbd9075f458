package dev.laml.recordings.cli.internal;

import java.io.PrintStream;
import java.util.Map;

/**
 * What one run of the command works against: its streams, its environment and whether they are terminals. Passed to
 * every command instead of {@code System.out}/{@code System.getenv()}, so that a run can be embedded and tested.
 *
 * <p>Confined to the run's thread, except {@link #err}, which the demo's progress reporter also writes to (under its
 * own lock). Nothing is null except {@link #prompt}.
 */
final class Session {

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    /** True only for the process's own stderr attached to a terminal: progress bars, not progress lines. */
    final boolean errIsTerminal;
    /** True only for the process's own stdout attached to a terminal: no binary output there. */
    final boolean outIsTerminal;
    /** Who can confirm a destructive command; null when no one can be asked (stdin is not a terminal). */
    final Prompt prompt;
    /** Set by {@code --verbose} while the command line is parsed; read when reporting. */
    volatile boolean verbose;

    Session(PrintStream out, PrintStream err, Map<String, String> env, boolean errIsTerminal, boolean outIsTerminal,
            Prompt prompt) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
        this.errIsTerminal = errIsTerminal;
        this.outIsTerminal = outIsTerminal;
        this.prompt = prompt;
    }

    /** The variable's value, or null when it is unset or blank (an empty export is treated as no value). */
    String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /**
     * The variable's value exactly as set, empty included, or null when it is unset. For the few variables where curl
     * gives "set but empty" a meaning of its own ({@code https_proxy=} turns the proxy off).
     */
    String envAsSet(String name) {
        return env.get(name);
    }

    /** A line on stderr, prefixed like every message of this command. */
    void note(String message) {
        err.println("recordings: " + message);
    }

    /** A line on stderr, only with {@code --verbose}. */
    void debug(String message) {
        if (verbose) {
            err.println("recordings: " + message);
        }
    }
}
