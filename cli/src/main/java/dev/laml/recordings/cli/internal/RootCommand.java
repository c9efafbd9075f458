package dev.laml.recordings.cli.internal;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code recordings} itself: holds the subcommands and the options every one of them accepts.
 *
 * <p>Created and run once, on one thread; not thread-safe.
 */
@Command(name = "recordings", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        headerHeading = "%n",
        header = "List, fetch and delete SignalWire call recordings, or try the client offline.",
        synopsisHeading = "%nUsage: ",
        commandListHeading = "%nCommands:%n",
        descriptionHeading = "%n",
        description = "New here? Run 'recordings demo': it needs no account and no network.",
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class RootCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    CommandSpec spec;

    RootCommand(Session session) {
        this.session = session;
    }

    // A setter, not a field: picocli copies inherited options into every subcommand, and the setter sends each copy's
    // value to the one place the error reporter reads.
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Explain more, and print stack traces on errors (credentials are never printed).")
    void verbose(boolean verbose) {
        if (verbose) {
            session.verbose = true;
        }
    }

    /** Without a subcommand there is nothing to do: show the usage and fail like any usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(session.err, CommandLine.Help.Ansi.OFF);
        return Failures.USAGE;
    }
}
