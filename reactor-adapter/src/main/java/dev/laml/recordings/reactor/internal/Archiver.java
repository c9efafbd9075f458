package dev.laml.recordings.reactor.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.reactor.ArchiveEvent;
import dev.laml.recordings.reactor.ArchiveEvent.Deleted;
import dev.laml.recordings.reactor.ArchiveEvent.Downloaded;
import dev.laml.recordings.reactor.ArchiveEvent.Failed;
import dev.laml.recordings.reactor.ArchiveEvent.Listed;
import dev.laml.recordings.reactor.ArchiveEvent.Skipped;
import dev.laml.recordings.reactor.ArchiveEvent.Summary;
import dev.laml.recordings.reactor.ArchiveEvent.WouldDelete;
import dev.laml.recordings.reactor.ArchiveEvent.WouldDownload;
import dev.laml.recordings.reactor.ArchiveOptions;
import dev.laml.recordings.reactor.RecordingsClient;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The archive job behind {@code RecordingsClient.archive}: lists lazily, and for each recording checks the local copy,
 * downloads it (hashing while it streams) into {@code dir/yyyy/MM/dd/{sid}.{ext}}, writes the sidecar
 * {@code {sid}.json} after the audio is in place, and with delete-after-verify reads the file back and deletes the
 * remote recording only when the hashes agree.
 *
 * <p>Crash safety: audio goes through {@link FileSink} (hidden temp file, forced to disk, atomic move; always forced,
 * whatever {@code RecordingsClient.Builder#durableFiles} says, because delete-after-verify removes the server's copy
 * once this one is verified, so it must survive a power loss) and the sidecar through the same
 * temp-and-move, audio first, so a sidecar always describes a complete file. Whatever a killed run leaves behind is a
 * hidden {@code .*.part} file, removed the next time a run prepares that day's directory, or a complete file without
 * sidecar, which is downloaded again.
 *
 * <p>Every blocking file-system call (directories, sidecars, hashing a file) runs on
 * {@link Schedulers#boundedElastic()}; the streamed hash is updated on the thread that delivers each buffer.
 *
 * <p>Stateless; each subscription to {@link #archive} gets its own run and counters. Two runs writing the same
 * directory at once are not supported (one may remove the other's temporary files, failing that recording).
 */
public final class Archiver {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Temporary files of FileSink and of {@link #writeSidecar}: {@code .{name}.{random digits}.part}. */
    private static final Pattern TEMP = Pattern.compile("\\..+\\.(wav|mp3|json)\\.[0-9]+\\.part");
    private static final long MAX_SIDECAR_BYTES = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private Archiver() {
    }

    /**
     * The events of one archive run per subscription; see {@code RecordingsClient.archive}.
     *
     * @throws IllegalArgumentException at call time for an invalid account id, or a null query, dir or options
     */
    public static Flux<ArchiveEvent> archive(RecordingsClient client, String accountSid, RecordingQuery query, Path dir,
            ArchiveOptions options) {
        Flux<Recording> listing = client.list(accountSid, query); // validates the id and the query, sends nothing
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        Path root = dir.toAbsolutePath().normalize();
        return Flux.defer(() -> new Run(client, accountSid, listing, root, options).events());
    }

    /** One subscription's state: counters and the day directories already prepared. Thread-safe. */
    private static final class Run {
        private final RecordingsClient client;
        private final String accountSid;
        private final Flux<Recording> listing;
        private final Path root;
        private final ArchiveOptions options;
        private final AudioFormat format;
        private final long startNanos = System.nanoTime();
        private final ConcurrentHashMap<Path, Mono<Void>> preparedDirs = new ConcurrentHashMap<>();
        private final AtomicReference<Throwable> listError = new AtomicReference<>();
        private final AtomicLong listed = new AtomicLong();
        private final AtomicLong downloaded = new AtomicLong();
        private final AtomicLong skipped = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong deleted = new AtomicLong();
        private final AtomicLong wouldDownload = new AtomicLong();
        private final AtomicLong wouldDelete = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();

        Run(RecordingsClient client, String accountSid, Flux<Recording> listing, Path root, ArchiveOptions options) {
            this.client = client;
            this.accountSid = accountSid;
            this.listing = listing;
            this.root = root;
            this.options = options;
            this.format = options.format();
        }

        Flux<ArchiveEvent> events() {
            // A listing that breaks off ends the listing, not the run: what is in flight finishes, then the failure
            // is reported, then the summary.
            Flux<ArchiveEvent> work = listing
                    .onErrorResume(e -> {
                        listError.set(e);
                        return Flux.empty();
                    })
                    .flatMap(this::one, options.concurrency());
            Mono<ArchiveEvent> listFailure = Mono.defer(() -> {
                Throwable e = listError.get();
                return e == null ? Mono.empty() : Mono.just(new Failed(null, "list: " + describe(e), unwrap(e)));
            });
            return Flux.concat(work, listFailure)
                    .doOnNext(this::count)
                    .concatWith(Mono.fromCallable(this::summary));
        }

        private void count(ArchiveEvent event) {
            switch (event.kind()) {
                case LISTED -> listed.incrementAndGet();
                case SKIPPED -> skipped.incrementAndGet();
                case DOWNLOADED -> {
                    downloaded.incrementAndGet();
                    bytes.addAndGet(((Downloaded) event).bytes());
                }
                case WOULD_DOWNLOAD -> wouldDownload.incrementAndGet();
                case DELETED -> deleted.incrementAndGet();
                case WOULD_DELETE -> wouldDelete.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
                default -> { }
            }
        }

        private ArchiveEvent summary() {
            return new Summary(listed.get(), downloaded.get(), skipped.get(), failed.get(), deleted.get(),
                    wouldDownload.get(), wouldDelete.get(), bytes.get(), Duration.ofNanos(System.nanoTime() - startNanos));
        }

        /** Every event of one recording: listed, outcome, then the delete (or what a dry run would do). */
        private Flux<ArchiveEvent> one(Recording r) {
            if (!UUID.matcher(r.sid()).matches()) {
                // Never let a server-supplied id near a path.
                IllegalArgumentException e = new IllegalArgumentException("the listing gave a recording id that is "
                        + "not a UUID");
                return Flux.just(new Listed(r, null), new Failed(r, "invalid sid: " + e.getMessage(), e));
            }
            Layout files = layout(r);
            Listed listedEvent = new Listed(r, files.audio);
            if (!r.isCompleted()) {
                String status = printable(r.rawStatus() != null ? r.rawStatus() : String.valueOf(r.status().wireValue()));
                String reason = "not completed (status " + status + ")";
                return Flux.just(listedEvent, new Failed(r, reason,
                        new RecordingNotReadyException("recording " + r.sid() + " is " + reason, r.status(), r.errorCode())));
            }
            Mono<ArchiveEvent> outcome = prepare(files.dir)
                    .then(Mono.fromCallable(() -> verified(r, files)).subscribeOn(Schedulers.boundedElastic()))
                    .<ArchiveEvent>map(v -> new Skipped(r, files.audio, v.size, v.sha256))
                    .switchIfEmpty(Mono.defer(() -> options.dryRun()
                            ? Mono.just(new WouldDownload(r, files.audio)) : download(r, files)))
                    .onErrorResume(e -> Mono.just(failed(r, e)));
            return Flux.concat(Mono.just(listedEvent), outcome.flatMapMany(event -> afterOutcome(r, files, event)));
        }

        private Flux<ArchiveEvent> afterOutcome(Recording r, Layout files, ArchiveEvent outcome) {
            if (!options.deleteAfterVerify() || outcome instanceof Failed) {
                return Flux.just(outcome);
            }
            if (options.dryRun()) {
                return Flux.just(outcome, new WouldDelete(r, files.audio));
            }
            Mono<Void> verifiedOnDisk = outcome instanceof Downloaded d ? readBack(files.audio, d.bytes(), d.sha256())
                    : Mono.empty(); // Skipped: the file was just hashed and matched its sidecar
            Mono<ArchiveEvent> delete = verifiedOnDisk
                    .then(Mono.defer(() -> client.delete(accountSid, r.sid())
                            .onErrorMap(e -> new StageFailure("delete", e))))
                    .then(Mono.<ArchiveEvent>fromCallable(() -> new Deleted(r, files.audio)))
                    .onErrorResume(e -> Mono.just(failed(r, e)));
            return Flux.concat(Mono.just(outcome), delete);
        }

        /** Creates the day's directory and removes stale temporary files from it, once per run and directory. */
        private Mono<Void> prepare(Path dir) {
            if (options.dryRun()) {
                return Mono.empty();
            }
            return preparedDirs.computeIfAbsent(dir, d -> Mono.fromCallable(() -> {
                        Files.createDirectories(d);
                        removeStaleTemps(d);
                        return Boolean.TRUE;
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .onErrorMap(e -> new StageFailure("write", e))
                    .then()
                    // Every recording of the directory waits for this, so no temp file of this run is in it yet.
                    .cache());
        }

        /** The local copy, when its sidecar exists and it has the recorded format, size and SHA-256; else null. */
        private Verified verified(Recording r, Layout files) {
            try {
                if (!Files.isRegularFile(files.sidecar) || !Files.isRegularFile(files.audio)) {
                    return null;
                }
                Sidecar sidecar = readSidecar(files.sidecar);
                if (sidecar == null || !r.sid().equalsIgnoreCase(sidecar.sid) || !extension().equals(sidecar.format)
                        || sidecar.sha256 == null || sidecar.size < 0) {
                    return null;
                }
                long size = Files.size(files.audio);
                if (size != sidecar.size) {
                    return null; // short or grown: fetched again, without reading it
                }
                String sha256 = sha256(files.audio);
                return sha256.equalsIgnoreCase(sidecar.sha256) ? new Verified(size, sha256) : null;
            } catch (IOException | RuntimeException unreadable) {
                // Whatever is there is not a verified copy; downloading replaces it (or fails with the reason).
                return null;
            }
        }

        /** Streams the audio into place, hashing it as it passes, then writes the sidecar. */
        private Mono<ArchiveEvent> download(Recording r, Layout files) {
            return Mono.defer(() -> {
                long started = System.nanoTime();
                MessageDigest digest = newSha256();
                AtomicLong hashed = new AtomicLong();
                Flux<ByteBuffer> body = client.download(accountSid, r.sid(), format)
                        .doOnNext(buffer -> {
                            hashed.addAndGet(buffer.remaining());
                            digest.update(buffer.duplicate()); // the sink still writes the buffer from its position
                        });
                return FileSink.write(body, files.audio)
                        .onErrorMap(e -> new StageFailure(isLocalIoError(e) ? "write" : "download", e))
                        .flatMap(written -> {
                            if (written != hashed.get()) {
                                return Mono.error(new StageFailure("write", new IOException("wrote " + written
                                        + " bytes but received " + hashed.get())));
                            }
                            String sha256 = HexFormat.of().formatHex(digest.digest());
                            return Mono.fromCallable(() -> {
                                        writeSidecar(r, files, written, sha256);
                                        return (ArchiveEvent) new Downloaded(r, files.audio, written, sha256,
                                                Duration.ofNanos(System.nanoTime() - started));
                                    })
                                    .subscribeOn(Schedulers.boundedElastic())
                                    .onErrorMap(e -> new StageFailure("write", e));
                        });
            });
        }

        /** Reads the file back and fails unless it has the size and SHA-256 that were received. */
        private Mono<Void> readBack(Path file, long size, String sha256) {
            return Mono.fromCallable(() -> {
                        long actualSize = Files.size(file);
                        String actual = actualSize == size ? sha256(file) : null;
                        if (actual == null || !actual.equals(sha256)) {
                            throw new IOException("the file on disk does not match what was received ("
                                    + (actual == null ? actualSize + " bytes, expected " + size
                                    : "SHA-256 " + actual + ", expected " + sha256) + ")");
                        }
                        return Boolean.TRUE;
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .onErrorMap(e -> new StageFailure("verify", e))
                    .then();
        }

        private Layout layout(Recording r) {
            OffsetDateTime created = r.dateCreated();
            Path dir;
            if (created == null) {
                dir = root.resolve("undated");
            } else {
                OffsetDateTime utc = created.withOffsetSameInstant(ZoneOffset.UTC);
                dir = root.resolve(String.format(Locale.ROOT, "%04d", utc.getYear()))
                        .resolve(String.format(Locale.ROOT, "%02d", utc.getMonthValue()))
                        .resolve(String.format(Locale.ROOT, "%02d", utc.getDayOfMonth()));
            }
            return new Layout(dir, dir.resolve(r.sid() + format.extension()), dir.resolve(r.sid() + ".json"));
        }

        private String extension() {
            return format.extension().substring(1);
        }

        /**
         * The sidecar, written to a temporary file, forced to disk and moved over {@code {sid}.json} atomically: a
         * reader sees the previous sidecar or this one, never a part.
         */
        private void writeSidecar(Recording r, Layout files, long size, String sha256) throws IOException {
            ByteArrayOutputStream json = new ByteArrayOutputStream(1024);
            try (JsonGenerator g = JSON.createGenerator(json)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeStringField("sid", r.sid());
                g.writeStringField("account_sid", r.accountSid() != null ? r.accountSid() : accountSid);
                g.writeStringField("call_sid", r.callSid());
                g.writeStringField("conference_sid", r.conferenceSid());
                g.writeStringField("date_created", iso(r.dateCreated()));
                g.writeStringField("date_updated", iso(r.dateUpdated()));
                g.writeFieldName("duration");
                if (r.duration() == null) {
                    g.writeNull();
                } else if (r.duration().getNano() == 0) {
                    g.writeNumber(r.duration().getSeconds());
                } else {
                    g.writeNumber(new BigDecimal(r.duration().toNanos()).movePointLeft(9).stripTrailingZeros());
                }
                g.writeNumberField("channels", r.channels());
                g.writeStringField("status", r.rawStatus() != null ? r.rawStatus() : r.status().wireValue());
                g.writeStringField("source", r.rawSource() != null ? r.rawSource() : r.source().wireValue());
                g.writeStringField("format", extension());
                g.writeStringField("media_type", format.mediaType());
                g.writeStringField("file", files.audio.getFileName().toString());
                g.writeNumberField("size", size);
                g.writeStringField("sha256", sha256);
                g.writeStringField("archived_at", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
                g.writeEndObject();
            }
            json.write('\n');
            Path temp = Files.createTempFile(files.dir, "." + files.sidecar.getFileName() + ".", ".part");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(json.toByteArray());
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                Files.move(temp, files.sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp); // gone after the move; removes the part otherwise
            }
        }
    }

    /** Deletes the hidden temporary files a killed run left in {@code dir}. */
    private static void removeStaleTemps(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.part")) {
            for (Path entry : entries) {
                if (TEMP.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)) {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    /** The fields of a sidecar that verification needs; null when it is not a sidecar this class could have written. */
    private static Sidecar readSidecar(Path file) throws IOException {
        if (Files.size(file) > MAX_SIDECAR_BYTES) {
            return null;
        }
        String sid = null;
        String format = null;
        String sha256 = null;
        long size = -1;
        try (JsonParser p = JSON.createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "sid" -> sid = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "format" -> format = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "sha256" -> sha256 = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "size" -> size = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    default -> p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JacksonException malformed) {
            return null;
        }
        return new Sidecar(sid, format, size, sha256);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) >= 0) {
                digest.update(buffer.flip());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String iso(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** A file-system failure, as opposed to a transfer ({@link TransferException}) or API error. */
    private static boolean isLocalIoError(Throwable e) {
        Throwable t = unwrap(e);
        return (t instanceof IOException || t instanceof UncheckedIOException) && !(t instanceof TransferException);
    }

    private static Failed failed(Recording r, Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof StageFailure s) {
            Throwable cause = unwrap(s.getCause());
            return new Failed(r, s.stage + ": " + describe(cause), cause);
        }
        return new Failed(r, describe(t), t);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        while (t instanceof UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** One line: the message (the library's are redacted), or the type when there is none. */
    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        m = m.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return t instanceof java.nio.file.FileSystemException ? t.getClass().getSimpleName() + ": " + m : m;
    }

    /** A server-supplied string fit for a one-line reason: printable ASCII, at most 40 characters. */
    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }

    /** Tags a failure with the step it happened in; never escapes this class. */
    private static final class StageFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String stage;

        StageFailure(String stage, Throwable cause) {
            super(stage, cause, false, false);
            this.stage = stage;
        }
    }

    /** Where a recording goes: its day's directory, audio file and sidecar. */
    private record Layout(Path dir, Path audio, Path sidecar) {
    }

    private record Verified(long size, String sha256) {
    }

    private record Sidecar(String sid, String format, long size, String sha256) {
    }
}
