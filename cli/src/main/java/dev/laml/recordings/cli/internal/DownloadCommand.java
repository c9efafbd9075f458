package dev.laml.recordings.cli.internal;

import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.MediaHosts;
import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code recordings download}: a recording's audio to a file (atomically; a symlink followed, a device or FIFO written
 * into, as the library's {@code downloadTo} does) or to stdout (streamed).
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Download a recording's audio (WAV or MP3) to a file or to stdout.",
        descriptionHeading = "%n",
        description = {"Media URLs need no credentials: a space (or --base-url) and the ids are enough.",
                "",
                "A file is written under a temporary name and renamed once complete: a failed download leaves no "
                        + "partial file, and an existing file untouched. As with curl, a symlink is written through "
                        + "(the file it points to is replaced, the link stays), and a device or FIFO (-o /dev/null, "
                        + "a named pipe) is written straight into, never replaced. A new file gets the mode your "
                        + "umask gives (0644 under 022); a replaced file keeps its own. With '-o -' the audio streams to stdout "
                        + "(never held whole in memory) and every message goes to stderr; if the transfer fails "
                        + "midway, the bytes already written stay written, so check the exit code.",
                "",
                "A media URL (a status callback's RecordingUrl) is fetched only from the space's host (or "
                        + "--base-url's) and from hosts named with --media-host, so that a URL from elsewhere cannot "
                        + "point the command at an internal address.",
                "",
                "Examples (with the variables below set):",
                "  recordings download --sid SID                   # writes SID.wav here",
                "  recordings download --sid SID --format mp3 -o - | ffplay -nodisp -",
                "  recordings download --url URL --media-host '*.signalwire.com' -o call.mp3"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class DownloadCommand implements Callable<Integer> {

    /** Buffers queued between the socket and stdout: enough to keep both busy, small enough to stay a stream. */
    private static final int STDOUT_PREFETCH = 8;

    private final Session session;

    /** What to download: exactly one of a recording id and a media URL. */
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** {@code --sid} or {@code --url}; picocli sets one of them. */
    static final class Source {
        @Option(names = "--sid", required = true, paramLabel = "SID", description = "The recording's id (a UUID).")
        String sid;

        @Option(names = "--url", required = true, paramLabel = "URL",
                description = {"Or a media URL, as a status callback's RecordingUrl names it: https, on the space's "
                        + "host (or --base-url's) or a host allowed by --media-host. The URL decides the format."})
        URI url;
    }

    @Option(names = "--format", paramLabel = "wav|mp3", defaultValue = "wav",
            description = "Audio format, with --sid. Default: ${DEFAULT-VALUE}.")
    Fmt format;

    @Option(names = "--media-host", paramLabel = "PATTERN",
            description = {"Also fetch --url from this host: an exact name or address (media.example.com), or "
                    + "*.DOMAIN for every name under DOMAIN (*.signalwire.com). Repeatable. Default: only the "
                    + "space's host, or --base-url's."})
    List<String> mediaHosts = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = {"Where to write: a file, a directory (for SID.wav in it), a device or FIFO, or '-' for "
                    + "stdout.",
                    "Default: SID.wav (or .mp3) in the current directory. An existing file is replaced (a symlink is "
                            + "followed); a read-only file is not."})
    String output;

    @Option(names = "--media-auth",
            description = "Send the project id and token with the media request too, for spaces that require it "
                    + "(they are never sent to another host).")
    boolean mediaAuth;

    @Mixin
    ApiOptions api;

    DownloadCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        boolean toStdout = "-".equals(output);
        if (toStdout && session.outIsTerminal) {
            throw new InvalidInputException("refusing to write audio to a terminal: redirect stdout "
                    + "(... -o - > call.wav) or pass -o FILE");
        }
        MediaHosts allowed;
        try {
            allowed = MediaHosts.of(mediaHosts);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--media-host: " + e.getMessage());
        }
        try (RecordingsClient client = api.client(session, false, mediaAuth, allowed.patterns())) {
            MediaRequest request = request(client, allowed);
            if (toStdout) {
                long bytes = toStdout(client, request);
                session.debug("wrote " + Units.count(bytes) + " bytes to stdout");
            } else {
                Path target = target();
                long started = System.nanoTime();
                Long bytes = client.downloadTo(request, target).block();
                long nanos = System.nanoTime() - started;
                session.note("saved " + target + " (" + Units.count(bytes == null ? 0 : bytes) + " bytes, "
                        + Units.elapsed(nanos) + ")");
            }
        }
        return Failures.OK;
    }

    /**
     * Streams the audio to stdout on this (blocking) thread: at most {@link #STDOUT_PREFETCH} buffers wait in memory,
     * and a slow reader on the other end of the pipe slows the download down instead of filling the heap.
     */
    private long toStdout(RecordingsClient client, MediaRequest request) throws IOException {
        long written = 0;
        WritableByteChannel channel = Channels.newChannel(session.out);
        // Closing the stream cancels the download if we stop early (for example, stdout was closed).
        try (Stream<ByteBuffer> buffers = client.download(request).toStream(STDOUT_PREFETCH)) {
            for (Iterator<ByteBuffer> it = buffers.iterator(); it.hasNext(); ) {
                ByteBuffer buffer = it.next();
                while (buffer.hasRemaining()) {
                    written += channel.write(buffer);
                }
                // A PrintStream swallows write errors; a reader that went away must stop the download.
                if (session.out.checkError()) {
                    throw new IOException("cannot write to stdout (was the pipe closed?)");
                }
            }
        }
        session.out.flush();
        if (session.out.checkError()) {
            throw new IOException("cannot write to stdout (was the pipe closed?)");
        }
        return written;
    }

    /**
     * The recording by id, or the media URL after checking its host here, so that a refusal names this command's
     * options rather than the library's setting.
     */
    private MediaRequest request(RecordingsClient client, MediaHosts allowed) {
        if (source.url == null) {
            return MediaRequest.of(api.account(session), source.sid, format.audio);
        }
        MediaRequest request;
        try {
            request = MediaRequest.of(source.url);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--url: " + e.getMessage());
        }
        if (!allowed.allows(ApiEndpoint.of(client.baseUrl(), true), source.url)) {
            String host = source.url.getHost();
            throw new InvalidInputException("--url: refusing host " + host + ": media URLs are fetched only from "
                    + client.baseUrl().getScheme() + "://" + client.baseUrl().getRawAuthority() + (mediaHosts.isEmpty() ? "" : " and --media-host " + String.join(", ", mediaHosts))
                    + "; pass --media-host " + host + " if media may come from there");
        }
        return request;
    }

    /** The file name a download gets by default: {@code SID.ext}, or the media URL's last path segment. */
    private String fileName() {
        if (source.url == null) {
            return source.sid + format.audio.extension();
        }
        String path = source.url.getPath() == null ? "" : source.url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new InvalidInputException("--url " + source.url.getHost() + " names no file: pass -o FILE");
        }
        return name;
    }

    /** The file to write: {@code -o} as given, {@link #fileName()} inside it when it is a directory, or in the cwd. */
    private Path target() {
        String fileName = fileName();
        Path target;
        try {
            target = output == null ? Path.of(fileName) : Path.of(output);
        } catch (InvalidPathException e) {
            throw new InvalidInputException("-o " + output + " is not a usable path: " + e.getReason());
        }
        if (Files.isDirectory(target)) {
            target = target.resolve(fileName);
        }
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new InvalidInputException("directory " + dir + " does not exist (for -o " + target + ")");
        }
        return target;
    }
}
