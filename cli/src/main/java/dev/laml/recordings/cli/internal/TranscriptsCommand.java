package dev.laml.recordings.cli.internal;

import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionQuery;
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
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code recordings transcripts}: the account's transcriptions (or one recording's), newest first, as their text or
 * as JSON lines, printed as the API's pages arrive.
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "transcripts", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Print transcriptions, newest first: their text, or one JSON object per line.",
        descriptionHeading = "%n",
        description = {"Needs your project id and API token (see 'Credentials' below).",
                "",
                "Without --sid, the account's transcriptions; with --sid, those of that recording. Each "
                        + "transcription's text is printed on its own line (a transcription without text, as a failed "
                        + "one, is reported on stderr); with --json, one JSON object per line with the API's fields.",
                "",
                "--since includes its bound, to the second (the API's precision).",
                "",
                "Examples (with the variables below set):",
                "  recordings transcripts --sid SID",
                "  recordings transcripts --since 7d --json | jq -r .transcription_text"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class TranscriptsCommand implements Callable<Integer> {

    private static final int PAGE_SIZE = 100;

    private final Session session;

    @Option(names = "--sid", paramLabel = "SID", description = "Only the transcriptions of this recording (a UUID).")
    String sid;

    @Option(names = "--since", paramLabel = "WHEN",
            description = {"Only transcriptions created at or after WHEN: " + When.FORMS + ". A date means from "
                    + "00:00:00 UTC."})
    String since;

    @Option(names = "--json", description = "One JSON object per line (JSON Lines) instead of the text.")
    boolean json;

    @Mixin
    ApiOptions api;

    TranscriptsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        OffsetDateTime after = When.range(since, null, Clock.systemUTC()).after();
        long printed;
        try (RecordingsClient client = api.client(session, true, false)) {
            String account = api.account(session);
            Flux<Transcription> transcriptions;
            if (sid != null) {
                try {
                    transcriptions = client.recordingTranscriptions(account, sid);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--sid " + ApiOptions.stripPrefix(e.getMessage(), "recordingSid "), e);
                }
                if (after != null) {
                    // The recording's list has no date filter: applied here, at the API's precision (the second).
                    transcriptions = transcriptions.filter(t -> t.dateCreated() != null && !t.dateCreated().isBefore(after));
                }
            } else {
                transcriptions = client.transcriptions(account, TranscriptionQuery.all().pageSize(PAGE_SIZE)
                        .createdAfter(after));
            }
            session.debug("transcriptions of " + (sid != null ? "recording " + sid : "account " + account)
                    + (after == null ? "" : " since " + after));
            printed = print(transcriptions);
        }
        if (printed == 0) {
            session.note(sid != null ? "no transcriptions of recording " + sid
                    : since != null ? "no transcriptions match" : "no transcriptions");
        }
        return Failures.OK;
    }

    /** Prints each transcription as it arrives; a failure is thrown after everything received before it. */
    private long print(Flux<Transcription> transcriptions) throws IOException {
        PrintStream out = session.out;
        long count = 0;
        try (Stream<Signal<Transcription>> stream = transcriptions.materialize().toStream(PAGE_SIZE)) {
            for (Iterator<Signal<Transcription>> it = stream.iterator(); it.hasNext(); ) {
                Signal<Transcription> signal = it.next();
                if (signal.isOnError()) {
                    throw Exceptions.propagate(signal.getThrowable());
                }
                if (!signal.isOnNext()) {
                    break;
                }
                Transcription t = signal.get();
                if (json) {
                    out.print(json(t));
                } else if (t.transcriptionText() == null) {
                    session.note("transcription " + t.sid() + " has no text (status "
                            + (t.rawStatus() != null ? t.rawStatus() : "unknown") + ")");
                } else {
                    out.println(t.transcriptionText());
                }
                out.flush();
                if (out.checkError()) {
                    throw new IOException("cannot write to stdout (was the pipe closed?)");
                }
                count++;
            }
        }
        return count;
    }

    /** One line of JSON with the API's field names ({@link Transcription#toJson()}), ended by a line break. */
    static String json(Transcription t) {
        return t.toJson() + System.lineSeparator();
    }
}
