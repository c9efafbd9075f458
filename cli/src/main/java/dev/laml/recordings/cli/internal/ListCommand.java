package dev.laml.recordings.cli.internal;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Signal;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * {@code recordings list}: an account's recordings, newest first, as a table or as JSON lines, printed as the API's
 * pages arrive.
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "List recordings, newest first: a table, or one JSON object per line.",
        descriptionHeading = "%n",
        description = {"Needs your project id and API token (see 'Credentials' below).",
                "",
                "Rows are printed as the API's pages arrive, never held back for the whole listing. With --limit N "
                        + "the listing stops after N recordings, and no page beyond them is requested.",
                "",
                "--since and --until both include their bound, to the second (the API's precision).",
                "",
                "Examples (with the variables below set):",
                "  recordings list --since 7d",
                "  recordings list --call SID --limit 5",
                "  recordings list --since 2026-03-01 --json | jq -r .sid"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class ListCommand implements Callable<Integer> {

    /** Recordings per list request, as archive asks: fewer requests than the API's default of 50, pages small. */
    static final int PAGE_SIZE = 100;

    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);
    /** Fixed widths, so that rows can be printed as they come: every sid is a UUID, every date the same length. */
    private static final String ROW = "%-36s  %-19s  %8s  %2s  %-11s  %s%n";

    private final Session session;

    @Option(names = "--since", paramLabel = "WHEN",
            description = {"Only recordings created at or after WHEN: " + When.FORMS + ". A date means from "
                    + "00:00:00 UTC."})
    String since;

    @Option(names = "--until", paramLabel = "WHEN",
            description = {"Only recordings created at or before WHEN, as for --since. A date means the whole day, "
                    + "to 23:59:59 UTC."})
    String until;

    @Option(names = "--call", paramLabel = "SID", description = "Only the recordings of this call (a UUID).")
    String call;

    @Option(names = "--conference", paramLabel = "SID",
            description = "Only the recordings of this conference (a UUID).")
    String conference;

    @Option(names = "--limit", paramLabel = "N",
            description = "At most N recordings: the newest N that match. Default: all of them.")
    Integer limit;

    @Option(names = "--json",
            description = "One JSON object per line (JSON Lines), with the fields of 'metadata --json', instead of "
                    + "a table.")
    boolean json;

    @Mixin
    ApiOptions api;

    ListCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        if (limit != null && limit < 1) {
            throw new InvalidInputException("--limit must be at least 1, got " + limit);
        }
        // A page no larger than the limit: --limit 3 asks for 3 recordings, not for a page of 100 to show 3.
        int pageSize = limit == null ? PAGE_SIZE : Math.min(limit, PAGE_SIZE);
        RecordingQuery query = When.range(since, until, Clock.systemUTC()).applyTo(RecordingQuery.all()
                .pageSize(pageSize));
        query = filter(query, "--call", call, "callSid ", RecordingQuery::callSid);
        query = filter(query, "--conference", conference, "conferenceSid ", RecordingQuery::conferenceSid);

        long printed;
        try (RecordingsClient client = api.client(session, true, false)) {
            String account = api.account(session);
            session.debug("listing " + query + " of account " + account
                    + (limit == null ? "" : ", at most " + limit));
            Flux<Recording> recordings = client.list(account, query);
            if (limit != null) {
                // take(n) also caps the demand sent upstream at n, and the client's list requests a page only on
                // demand: so no page past the limit is ever asked for.
                recordings = recordings.take(limit);
            }
            printed = print(recordings);
        }
        if (printed == 0 && !json) {
            boolean filtered = since != null || until != null || call != null || conference != null;
            // On stderr: stdout stays a table (here, an empty one) that a script can read.
            session.note(filtered ? "no recordings match" : "no recordings");
        }
        return Failures.OK;
    }

    /** The query with one sid filter; the client's message for a bad sid, but naming the option the user typed. */
    private static RecordingQuery filter(RecordingQuery query, String option, String sid, String parameter,
            BiFunction<RecordingQuery, String, RecordingQuery> apply) {
        if (sid == null) {
            return query;
        }
        try {
            return apply.apply(query, sid);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(option + " " + ApiOptions.stripPrefix(e.getMessage(), parameter), e);
        }
    }

    /**
     * Prints each recording as soon as it arrives, on this (blocking) thread: at most a page waits in memory, and a
     * slow reader of stdout slows the paging down. Returns how many were printed; a failure is thrown only after every
     * recording received before it was printed.
     */
    private long print(Flux<Recording> recordings) throws IOException {
        PrintStream out = session.out;
        long count = 0;
        // Materialized: a blocking iterator throws an error as soon as it arrives, dropping the recordings still
        // queued before it (up to a page, received but never shown); as a signal, the error waits its turn.
        // Closing the stream cancels the listing if we stop early (a write failed).
        try (Stream<Signal<Recording>> stream = recordings.materialize().toStream(PAGE_SIZE)) {
            for (Iterator<Signal<Recording>> it = stream.iterator(); it.hasNext(); ) {
                Signal<Recording> signal = it.next();
                if (signal.isOnError()) {
                    throw Exceptions.propagate(signal.getThrowable());
                }
                if (!signal.isOnNext()) {
                    break; // onComplete
                }
                Recording r = signal.get();
                if (count == 0 && !json) {
                    out.print(header());
                }
                out.print(json ? MetadataCommand.json(r, false) : row(r));
                // Per row: whoever reads the other end (a pager, jq, a person) sees each one as it comes.
                out.flush();
                // A PrintStream swallows write errors; a reader that went away must stop the paging.
                if (out.checkError()) {
                    throw new IOException("cannot write to stdout (was the pipe closed?)");
                }
                count++;
            }
        }
        return count;
    }

    static String header() {
        return String.format(Locale.ROOT, ROW, "SID", "CREATED (UTC)", "DURATION", "CH", "STATUS",
                "CALL / CONFERENCE");
    }

    /** One table row; absent values as {@code -}. */
    static String row(Recording r) {
        OffsetDateTime created = r.dateCreated();
        String call = r.callSid() != null ? r.callSid()
                : r.conferenceSid() != null ? r.conferenceSid() + " (conference)" : "-";
        return String.format(Locale.ROOT, ROW, r.sid(),
                created == null ? "-" : created.withOffsetSameInstant(ZoneOffset.UTC).format(CREATED),
                length(r.duration()), r.channels(),
                r.rawStatus() != null ? r.rawStatus() : r.status().wireValue(), call);
    }

    /** {@code 0:07}, {@code 12:34}, {@code 1:02:03}; {@code -} while in progress (the API's -1) or unknown. */
    static String length(Duration d) {
        if (d == null || d.isNegative()) {
            return "-";
        }
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
