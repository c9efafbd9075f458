package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Mono;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code recordings delete}: deletes one recording from SignalWire, after a confirmation typed at the terminal or
 * given as {@code --yes}.
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Delete a recording from SignalWire (asks first, unless --yes).",
        descriptionHeading = "%n",
        description = {"Needs your project id and API token (see 'Credentials' below). There is no undo: the audio "
                + "and the metadata are gone for good.",
                "",
                "At a terminal, asks 'Delete recording SID? [y/N]' and deletes only on y or yes. Without a terminal "
                        + "(a script, a pipe, cron) there is no one to ask: it refuses (exit 2) unless --yes is "
                        + "given, and sends nothing.",
                "",
                "Examples (with the variables below set):",
                "  recordings delete --sid SID",
                "  recordings list --until 90d --json | jq -r .sid \\",
                "    | xargs -n 1 recordings delete --yes --sid"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class DeleteCommand implements Callable<Integer> {

    private final Session session;

    @Option(names = "--sid", required = true, paramLabel = "SID", description = "The recording's id (a UUID).")
    String sid;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking (required when stdin is not a terminal).")
    boolean yes;

    @Mixin
    ApiOptions api;

    DeleteCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try (RecordingsClient client = api.client(session, true, false)) {
            // Built before asking, sent only after: the client checks both ids when the request is made (exit 2 for
            // a bad one), so nobody is asked to confirm a delete that could never be sent.
            Mono<Void> deletion = client.delete(api.account(session), sid);
            if (!yes && !confirmed()) {
                session.note("not deleted: " + sid);
                return Failures.OK;
            }
            deletion.block();
        }
        session.out.println("deleted recording " + sid);
        session.out.flush();
        return Failures.OK;
    }

    /**
     * Asks at the terminal; only {@code y} or {@code yes} (any case) is a yes. End of input is a no.
     *
     * @throws InvalidInputException when there is no terminal to ask at
     */
    private boolean confirmed() {
        if (session.prompt == null) {
            throw new InvalidInputException("not deleting " + sid + ": stdin is not a terminal, so no one can "
                    + "confirm; pass --yes to delete without asking");
        }
        String answer = session.prompt.ask("Delete recording " + sid + "? [y/N] ");
        if (answer == null) {
            session.err.println(); // Ctrl-D left the cursor after the question
            return false;
        }
        String a = answer.strip().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }
}
