package dev.laml.recordings.cli.internal;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3AsyncClient;


import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code recordings archive}: every recording of an account (or of a date range, or of one shard) into a directory or
 * S3, resumably, with a sidecar per file; optionally deleting the remote copies once the archived ones are verified.
 *
 * <p>Exit code: 0 when nothing failed; otherwise the code of the failures' kind ({@link Failures#exitCode}) when they
 * all share one, or 1 when they differ. A recording that is not completed counts as a failure (5, an API answer the
 * command cannot use).
 *
 * <p>Created and run once, on one thread (the downloads run on the client's threads); not thread-safe. Option fields
 * are null until picocli sets them.
 */
@Command(name = "archive", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Archive recordings into a directory or S3, resumably; can delete them.",
        descriptionHeading = "%n",
        description = {"Lists the account's recordings (newest first, optionally only --since/--until) and downloads "
                + "each completed one to DIR/yyyy/MM/dd/SID.wav (by creation date, UTC), with SID.json beside it: its "
                + "metadata, size and SHA-256. Files are written under temporary names and renamed when complete; the "
                + "sidecar is written after the audio.",
                "",
                "Run it again at any time: recordings whose file matches its sidecar (size and SHA-256, checked by "
                        + "reading the file) are skipped; missing, short or damaged files are downloaded again. An "
                        + "interrupted run loses nothing and leaves no partial file.",
                "",
                "With --delete-after-verify, a recording is deleted from SignalWire only after its file and sidecar "
                        + "are written and the file on disk was read back and matched. Recordings that are not "
                        + "completed (in progress, absent, failed) are reported as failures and never deleted.",
                "",
                "Progress goes to stderr, the summary to stdout. Exit code: 0 if nothing failed; else the code of "
                        + "the failures below when they all share one, 1 when they differ.",
                "",
                "With --to s3://BUCKET/PREFIX the same layout goes into S3 (or, with --s3-endpoint, an "
                        + "S3-compatible store): each copy is checked with one HEAD against its sidecar (--verify-remote "
                        + "reads it back), and an upload that fails is aborted, leaving no parts. The store checks what it "
                        + "receives: S3's SHA-256 checksums where it implements them, else (said once) Content-MD5 "
                        + "(--s3-checksum).",
                "",
                "Examples (with the variables below set):",
                "  recordings archive --dir archive --since 2026-01-01",
                "  recordings archive --to s3://my-bucket/recordings --shard 0/4",
                "  recordings archive --dir archive --until 2026-03-31 --dry-run",
                "  recordings archive --dir archive --until 2026-03-31 --delete-after-verify"},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class ArchiveCommand implements Callable<Integer> {

    /** Recordings per list request: fewer requests than the API's default of 50, pages still small. */
    private static final int PAGE_SIZE = 100;

    private final Session session;
    /** Where the archive goes, for messages: the directory as given, or s3://bucket/prefix. */
    private String where;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "The archive's directory; created if needed. Run again with the same DIR to resume. "
                    + "Exactly one of --dir and --to.")
    Path dir;

    @Mixin
    StoreOptions store;

    @Option(names = "--since", paramLabel = "WHEN",
            description = {"Only recordings created at or after WHEN: a date (2026-03-01, from 00:00:00 UTC), an "
                    + "ISO-8601 date-time (2026-03-01T12:00:00Z or with an offset; without one, UTC) or a time "
                    + "ago (90m, 12h, 7d, 2w: now minus that)."})
    String since;

    @Option(names = "--until", paramLabel = "WHEN",
            description = "Only recordings created at or before WHEN: a date (the whole day, to 23:59:59 UTC), a "
                    + "date-time or a time ago, as for --since.")
    String until;

    @Option(names = "--format", paramLabel = "wav|mp3", defaultValue = "wav",
            description = "Audio format. Default: ${DEFAULT-VALUE}.")
    Fmt format;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Recordings in flight at once, 1 to " + ArchiveOptions.MAX_CONCURRENCY
                    + ". Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--delete-after-verify",
            description = "Delete each recording from SignalWire once its file and sidecar are written and the file "
                    + "was read back and verified.")
    boolean deleteAfterVerify;

    @Option(names = "--dry-run",
            description = "Only show what would be downloaded and deleted: checks the files already in DIR, but "
                    + "downloads, writes and deletes nothing.")
    boolean dryRun;

    @Option(names = "--shard", paramLabel = "K/N",
            description = {"Archive only shard K of N (0 <= K < N): the listed recordings whose sid hashes to K. N "
                    + "workers given the same query and target, K = 0..N-1, archive disjoint sets that together cover "
                    + "the listing; each stays resumable on its own. Hash: first 8 bytes of SHA-256(lowercase sid), "
                    + "unsigned, mod N."})
    String shard;

    @Option(names = "--verify-remote",
            description = "Check stored copies by reading them back and hashing them, instead of by their recorded "
                    + "size and checksum (matters for object storage; a directory is always read back).")
    boolean verifyRemote;

    @Option(names = "--transcripts",
            description = "Also store each recording's transcripts beside its audio, as {sid}.transcript.json (a "
                    + "recording without one gets none and is no failure).")
    boolean transcripts;

    @Option(names = "--media-auth",
            description = "Send the project id and token with the media requests too, for spaces that require it.")
    boolean mediaAuth;

    @Mixin
    ApiOptions api;

    ArchiveCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (concurrency < 1 || concurrency > ArchiveOptions.MAX_CONCURRENCY) {
            throw new InvalidInputException("--concurrency must be between 1 and " + ArchiveOptions.MAX_CONCURRENCY
                    + ", got " + concurrency);
        }
        When.Range range = When.range(since, until, Clock.systemUTC());
        if ((dir == null) != store.s3()) {
            throw new InvalidInputException("give exactly one of --dir DIR and --to s3://BUCKET[/PREFIX]");
        }
        S3Destination s3 = store.check(deleteAfterVerify, verifyRemote);
        if (s3 == null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidInputException("--dir " + dir + " exists and is not a directory");
        }
        RecordingQuery query = range.applyTo(RecordingQuery.all().pageSize(PAGE_SIZE));
        ArchiveOptions options = ArchiveOptions.defaults().format(format.audio).concurrency(concurrency)
                .deleteAfterVerify(deleteAfterVerify).dryRun(dryRun).verifyRemote(verifyRemote)
                .transcripts(transcripts);
        if (shard != null) {
            int[] kn = parseShard(shard);
            options = options.shard(kn[0], kn[1]);
        }

        List<ArchiveEvent.Failed> failures = new ArrayList<>();
        AtomicReference<ArchiveEvent.Summary> summary = new AtomicReference<>();
        try (RecordingsClient client = api.client(session, true, mediaAuth);
             S3AsyncClient s3Client = s3 == null ? null : store.client(session)) {
            ArchiveTarget target = s3 == null ? ArchiveTarget.directory(dir)
                    : store.target(s3, s3Client, session, deleteAfterVerify, verifyRemote);
            where = target.toString();
            String account = api.account(session);
            session.debug("archiving " + query + " of account " + account + " into " + where + " with " + options);
            try (ArchiveProgress progress = new ArchiveProgress(session.err, session.errIsTerminal, session.verbose,
                    where)) {
                client.archive(account, query, target, options)
                        .doOnNext(event -> {
                            progress.on(event);
                            if (event instanceof ArchiveEvent.Failed f) {
                                synchronized (failures) {
                                    failures.add(f);
                                }
                            } else if (event instanceof ArchiveEvent.Summary s) {
                                summary.set(s);
                            }
                        })
                        .blockLast();
            }
        }
        ArchiveEvent.Summary s = summary.get();
        if (s == null) {
            // archive() always ends with a summary; completing without one would be a library bug.
            throw new IllegalStateException("the archive completed without a summary");
        }
        List<ArchiveEvent.Failed> failed;
        synchronized (failures) {
            failed = List.copyOf(failures);
        }
        printSummary(s, failed);
        return exitCode(failed);
    }

    /** {@code K/N} with {@code 0 <= K < N <= 65536}; anything else is the caller's mistake (exit 2). */
    static int[] parseShard(String value) {
        String v = value.trim();
        int slash = v.indexOf('/');
        String why = "--shard must be K/N with 0 <= K < N <= 65536 (e.g. 0/4), got '" + printable(value) + "'";
        if (slash <= 0 || slash == v.length() - 1) {
            throw new InvalidInputException(why);
        }
        try {
            int k = Integer.parseInt(v.substring(0, slash).trim());
            int n = Integer.parseInt(v.substring(slash + 1).trim());
            if (n < 1 || n > 65_536 || k < 0 || k >= n) {
                throw new InvalidInputException(why);
            }
            return new int[] {k, n};
        } catch (NumberFormatException e) {
            throw new InvalidInputException(why);
        }
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }

    /** 0 without failures; the failures' common exit code; 1 when they differ. */
    static int exitCode(List<ArchiveEvent.Failed> failed) {
        Set<Integer> codes = new LinkedHashSet<>();
        for (ArchiveEvent.Failed f : failed) {
            codes.add(Failures.exitCode(Failures.unwrap(f.error())));
        }
        if (codes.isEmpty()) {
            return Failures.OK;
        }
        return codes.size() == 1 ? codes.iterator().next() : Failures.FAILED;
    }

    private void printSummary(ArchiveEvent.Summary s, List<ArchiveEvent.Failed> failed) {
        PrintStream out = session.out;
        long nanos = s.elapsed().toNanos();
        String[] header;
        String[] row;
        if (dryRun) {
            header = new String[] {"listed", "would download", "skipped", "failed", "would delete", "time"};
            row = new String[] {Units.count(s.listed()), Units.count(s.wouldDownload()), Units.count(s.skipped()),
                    Units.count(s.failed()), Units.count(s.wouldDelete()), Units.elapsed(nanos)};
        } else {
            header = new String[] {"listed", "downloaded", "skipped", "failed", "deleted", "bytes", "time", "MB/s"};
            row = new String[] {Units.count(s.listed()), Units.count(s.downloaded()), Units.count(s.skipped()),
                    Units.count(s.failed()), Units.count(s.deleted()), Units.count(s.bytes()), Units.elapsed(nanos),
                    Units.mbPerSecond(s.bytes(), nanos)};
        }
        StringBuilder h = new StringBuilder();
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < header.length; i++) {
            int width = Math.max(header[i].length(), row[i].length());
            String gap = i == 0 ? "  " : "   ";
            h.append(gap).append(" ".repeat(width - header[i].length())).append(header[i]);
            v.append(gap).append(" ".repeat(width - row[i].length())).append(row[i]);
        }
        out.println();
        out.println(h);
        out.println(v);
        out.println();
        for (ArchiveEvent.Failed f : failed) {
            out.println("FAILED  " + (f.sid() == null ? "(listing)" : f.sid()) + "  " + f.reason());
        }
        if (!failed.isEmpty()) {
            out.println();
        }
        if (dryRun) {
            out.printf(Locale.ROOT, "Dry run: %d of %d recordings would be downloaded%s; nothing was downloaded, "
                            + "written or deleted.%n", s.wouldDownload(), s.listed(),
                    deleteAfterVerify ? ", " + s.wouldDelete() + " deleted" : "");
        } else if (failed.isEmpty()) {
            out.printf(Locale.ROOT, "All %d recordings are archived in %s (%d downloaded, %d already there)%s.%n",
                    s.listed(), where, s.downloaded(), s.skipped(),
                    deleteAfterVerify ? "; " + s.deleted() + " deleted from the server" : "");
        } else {
            out.printf(Locale.ROOT, "%d failure%s; %d of %d recordings are archived in %s%s. Run again to retry.%n",
                    failed.size(), failed.size() == 1 ? "" : "s", s.downloaded() + s.skipped(), s.listed(), where,
                    deleteAfterVerify ? " (" + s.deleted() + " deleted from the server)" : "");
        }
        out.flush();
    }
}
