package dev.laml.recordings.cli.internal;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UpdateRecording;
import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code recordings record start|pause|resume|stop}: controls the recording of a live call (or a conference's), and
 * prints the recording as the API answers, as {@code metadata} prints one (a listing, or one JSON line with
 * {@code --json}).
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        headerHeading = "%n", header = "Start, pause, resume or stop the recording of a live call or conference.",
        synopsisHeading = "%nUsage: ",
        commandListHeading = "%nCommands:%n",
        descriptionHeading = "%n",
        description = {"Needs your project id and API token (see 'Credentials' below).",
                "",
                "Examples (with the variables below set):",
                "  recordings record start --call CALL_SID --channels dual \\",
                "    --status-callback https://example.com/recording-events --status-callback-event in-progress,completed",
                "  recordings record pause --call CALL_SID --sid SID --pause-behavior skip",
                "  recordings record resume --call CALL_SID --sid SID",
                "  recordings record stop --conference CONFERENCE_SID --sid SID --json",
                "",
                "Each prints the recording as the API answers (as 'metadata' does; --json: one JSON line).",
                "",
                "A start, pause, resume or stop is sent again only when it certainly did not reach SignalWire (the "
                        + "connection was refused, or a 429 said when to come back); never after a timeout, a broken "
                        + "connection or a 5xx, since it may have been carried out: the message then says so, and "
                        + "'recordings list --call SID' shows where things stand."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class RecordCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    CommandSpec spec;

    private RecordCommand(Session session) {
        this.session = session;
    }

    /** {@code record} with its four subcommands. */
    static CommandLine create(Session session) {
        return new CommandLine(new RecordCommand(session))
                .addSubcommand(new Start(session))
                .addSubcommand(new Pause(session))
                .addSubcommand(new Resume(session))
                .addSubcommand(new Stop(session));
    }

    /** Without a subcommand there is nothing to do: show the usage and fail like any usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(session.err, CommandLine.Help.Ansi.OFF);
        return Failures.USAGE;
    }

    /** Options every subcommand has. */
    static final class Output {
        @Option(names = "--json", description = "Print the recording as one JSON line instead of a listing.")
        boolean json;
    }

    /** {@code --call SID} or {@code --conference SID}: exactly one. */
    static final class Owner {
        @Option(names = "--call", required = true, paramLabel = "SID", description = "The call's id (a UUID).")
        String call;

        @Option(names = "--conference", required = true, paramLabel = "SID",
                description = "The conference's id (a UUID), in place of --call.")
        String conference;

        RecordingOwner owner() {
            return call != null ? RecordingOwner.call(call) : RecordingOwner.conference(conference);
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            sortOptions = false,
            headerHeading = "%n", header = "Start recording a live call.",
            descriptionHeading = "%n",
            description = {"Options left out are the API's defaults: mono, both tracks, no status callback, not "
                    + "trimmed. (A conference is recorded from its cXML; its recordings are paused, resumed and "
                    + "stopped here.)"},
            optionListHeading = "%nOptions:%n",
            footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
    static final class Start implements Callable<Integer> {

        private final Session session;

        @Option(names = "--call", required = true, paramLabel = "SID", description = "The call's id (a UUID).")
        String call;

        @Option(names = "--channels", paramLabel = "mono|dual",
                description = "mono: both legs in one channel; dual: each leg in its own.")
        String channels;

        @Option(names = "--track", paramLabel = "inbound|outbound|both", description = "Which audio to record.")
        String track;

        @Option(names = "--status-callback", paramLabel = "URL",
                description = "Where SignalWire reports the recording's status (say, 'recordings listen').")
        String statusCallback;

        @Option(names = "--status-callback-event", paramLabel = "EVENT", split = ",",
                description = "The statuses reported, comma-separated: in-progress, completed, absent "
                        + "(SignalWire's default: completed).")
        List<String> events = new ArrayList<>();

        @Option(names = "--status-callback-method", paramLabel = "GET|POST",
                description = "How the status callback is requested (SignalWire's default: POST).")
        String method;

        @Option(names = "--trim", description = "Cut leading and trailing silence.")
        boolean trim;

        @Mixin
        Output output = new Output();

        @Mixin
        ApiOptions api;

        Start(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws IOException {
            try (RecordingsClient client = api.client(session, true, false)) {
                StartRecording start = StartRecording.of(api.account(session), call);
                if (channels != null) {
                    start = start.channels(choose("--channels", channels, StartRecording.Channels.values(),
                            StartRecording.Channels::wireValue));
                }
                if (track != null) {
                    start = start.track(choose("--track", track, StartRecording.Track.values(),
                            StartRecording.Track::wireValue));
                }
                if (statusCallback != null) {
                    start = start.statusCallback(url(statusCallback));
                }
                if (!events.isEmpty()) {
                    List<StartRecording.CallbackEvent> chosen = new ArrayList<>();
                    for (String e : events) {
                        chosen.add(choose("--status-callback-event", e, StartRecording.CallbackEvent.values(),
                                StartRecording.CallbackEvent::wireValue));
                    }
                    start = start.statusCallbackEvents(chosen);
                }
                if (method != null) {
                    start = start.statusCallbackMethod(choose("--status-callback-method", method,
                            StartRecording.CallbackMethod.values(), StartRecording.CallbackMethod::wireValue));
                }
                if (trim) {
                    start = start.trim(true);
                }
                if (start.statusCallback() == null && (start.statusCallbackMethod() != null
                        || !start.statusCallbackEvents().isEmpty())) {
                    throw new InvalidInputException("--status-callback-event and --status-callback-method need "
                            + "--status-callback URL");
                }
                return print(session, output, send(client.startRecording(start), "start"));
            }
        }
    }

    /**
     * What {@code pause}, {@code resume} and {@code stop} share: the recording named, the change sent, and the
     * {@code @Command} attributes of their help, which picocli applies from this superclass before each subclass's own
     * (its name and header).
     */
    @Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
            headerHeading = "%n", optionListHeading = "%nOptions:%n",
            footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
    abstract static class Change implements Callable<Integer> {

        private final Session session;
        private final UpdateRecording.Action action;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Owner owner;

        @Option(names = "--sid", required = true, paramLabel = "SID", description = "The recording's id (a UUID).")
        String sid;

        @Mixin
        Output output = new Output();

        @Mixin
        ApiOptions api;

        Change(Session session, UpdateRecording.Action action) {
            this.session = session;
            this.action = action;
        }

        /** The {@code --pause-behavior} given, or null: only {@code pause} has the option. */
        String pauseBehavior() {
            return null;
        }

        @Override
        public Integer call() throws IOException {
            try (RecordingsClient client = api.client(session, true, false)) {
                UpdateRecording update = UpdateRecording.of(api.account(session), owner.owner(), sid, action);
                if (pauseBehavior() != null) {
                    update = update.pauseBehavior(choose("--pause-behavior", pauseBehavior(),
                            UpdateRecording.PauseBehavior.values(), UpdateRecording.PauseBehavior::wireValue));
                }
                return print(session, output, send(client.updateRecording(update), verb(action)));
            }
        }
    }

    @Command(name = "pause", header = "Pause a live recording (say, while a card number is read).")
    static final class Pause extends Change {

        @Option(names = "--pause-behavior", paramLabel = "skip|silence",
                description = "skip: leave the paused time out of the recording; silence: fill it with silence "
                        + "(SignalWire's default).")
        String pauseBehavior;

        Pause(Session session) {
            super(session, UpdateRecording.Action.PAUSE);
        }

        @Override
        String pauseBehavior() {
            return pauseBehavior;
        }
    }

    @Command(name = "resume", header = "Resume a paused recording.")
    static final class Resume extends Change {
        Resume(Session session) {
            super(session, UpdateRecording.Action.RESUME);
        }
    }

    @Command(name = "stop", header = "Stop a recording: it completes and becomes available.")
    static final class Stop extends Change {
        Stop(Session session) {
            super(session, UpdateRecording.Action.STOP);
        }
    }

    /** The subcommand's name for {@code action}. */
    static String verb(UpdateRecording.Action action) {
        return action.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Blocks for the answer. A failure after which the request may have been carried out says so, in words: the
     * library did not repeat it (see the write-retry rule), and the person should look before trying again.
     */
    private static Recording send(Mono<Recording> write, String what) {
        return write.onErrorMap(e -> (e instanceof TransferException t && t.requestMayHaveReachedServer())
                        || e instanceof ServerException,
                e -> {
                    String more = "; the " + what + " may have reached SignalWire, so it was not sent again: "
                            + "check the recording (recordings list --call SID) before trying again";
                    if (e instanceof ServerException s) {
                        return new ServerException(s.getMessage() + more, s.httpStatus(), s.code(), s.serverMessage(),
                                s.moreInfo());
                    }
                    return new TransferException(e.getMessage() + more, e);
                })
                .blockOptional()
                // A write emits exactly one recording or fails; an empty completion would be a library bug.
                .orElseThrow(() -> new IllegalStateException("the client completed without a recording"));
    }

    private static int print(Session session, Output output, Recording recording) throws IOException {
        session.out.print(output.json ? MetadataCommand.json(recording, false) : MetadataCommand.listing(recording));
        session.out.flush();
        return Failures.OK;
    }

    /** The constant whose wire value is {@code value} (any case), else an input error listing the choices. */
    static <E extends Enum<E>> E choose(String option, String value, E[] choices, Function<E, String> wire) {
        String v = value.strip();
        List<String> names = new ArrayList<>();
        for (E e : choices) {
            if (wire.apply(e).equalsIgnoreCase(v)) {
                return e;
            }
            names.add(wire.apply(e));
        }
        throw new InvalidInputException(option + " must be one of " + String.join(", ", names) + ", got '" + v + "'");
    }

    private static URI url(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new InvalidInputException("--status-callback must be an absolute http or https URL, got '" + value
                    + "' (" + e.getReason() + ")");
        }
    }
}
