package dev.laml.recordings.reactor.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.Transcription;
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
import dev.laml.recordings.reactor.ArchiveTarget;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The archive job behind {@code RecordingsClient.archive}, written once for every {@link ArchiveTarget}: lists lazily
 * (only this worker's {@link ArchiveOptions#shard shard}), and for each recording checks the stored copy against its
 * sidecar, streams the audio into the target while hashing it, records the sidecar {@code {sid}.json} after the
 * audio is stored, and with delete-after-verify deletes the remote recording only when the stored copy is proven to
 * be what was received.
 *
 * <p>It depends on the operations it needs ({@link Source}), not on the client, and on the target's
 * {@link ArchiveTarget.Session}; the layout (keys) and the sidecar's format are its own, so every target has the same.
 *
 * <p>Stateless; each subscription to {@link #archive} gets its own run, session and counters.
 */
public final class Archiver {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int MAX_SIDECAR_BYTES = 64 * 1024;
    /** Transcripts are text, a few KiB an hour of speech: 4 MiB is far beyond any, and bounds what is read back. */
    private static final int MAX_TRANSCRIPT_BYTES = 4 * 1024 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    /** What the archive job needs from the API. */
    public interface Source {
        Flux<Recording> list(String accountSid, RecordingQuery query);

        Flux<ByteBuffer> download(String accountSid, String recordingSid, AudioFormat format);

        Mono<Void> delete(String accountSid, String recordingSid);

        /** The recording's transcriptions, for {@link ArchiveOptions#transcripts()}. */
        Flux<Transcription> transcriptions(String accountSid, String recordingSid);
    }

    private Archiver() {
    }

    /**
     * The events of one archive run per subscription; see {@code RecordingsClient.archive}.
     *
     * @throws IllegalArgumentException at call time for an invalid account id, or a null query, target or options
     */
    public static Flux<ArchiveEvent> archive(Source source, String accountSid, RecordingQuery query,
            ArchiveTarget target, ArchiveOptions options) {
        Flux<Recording> listing = source.list(accountSid, query); // validates the id and the query, sends nothing
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        return target.open().flatMapMany(session -> new Run(source, accountSid, listing, session, options).events());
    }

    /** One subscription's state: counters. Thread-safe. */
    private static final class Run {
        private final Source source;
        private final String accountSid;
        private final Flux<Recording> listing;
        private final ArchiveTarget.Session target;
        private final ArchiveOptions options;
        private final AudioFormat format;
        private final long startNanos = System.nanoTime();
        private final AtomicReference<Throwable> listError = new AtomicReference<>();
        private final AtomicLong listed = new AtomicLong();
        private final AtomicLong downloaded = new AtomicLong();
        private final AtomicLong skipped = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong deleted = new AtomicLong();
        private final AtomicLong wouldDownload = new AtomicLong();
        private final AtomicLong wouldDelete = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();

        Run(Source source, String accountSid, Flux<Recording> listing, ArchiveTarget.Session target,
                ArchiveOptions options) {
            this.source = source;
            this.accountSid = accountSid;
            this.listing = listing;
            this.target = target;
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
                    // Other workers' shards are not this run's business: not even listed.
                    .filter(r -> r.sid() == null || options.inShard(r.sid()))
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
            if (r.sid() == null || !UUID.matcher(r.sid()).matches()) {
                // Never let a server-supplied id near a key.
                IllegalArgumentException e = new IllegalArgumentException("the listing gave a recording id that is "
                        + "not a UUID");
                return Flux.just(new Listed(r, null), new Failed(r, "invalid sid: " + e.getMessage(), e));
            }
            Layout keys = layout(r);
            URI location = target.location(keys.audio);
            Listed listedEvent = new Listed(r, location);
            if (!r.isCompleted()) {
                String status = printable(r.rawStatus() != null ? r.rawStatus() : String.valueOf(r.status().wireValue()));
                String reason = "not completed (status " + status + ")";
                return Flux.just(listedEvent, new Failed(r, reason,
                        new RecordingNotReadyException("recording " + r.sid() + " is " + reason, r.status(), r.errorCode())));
            }
            Mono<Outcome> outcome = verified(r, keys)
                    .map(v -> new Outcome(new Skipped(r, location, v.size, v.sha256), null, v.check))
                    .switchIfEmpty(Mono.defer(() -> options.dryRun()
                            ? Mono.just(new Outcome(new WouldDownload(r, location), null, null))
                            : download(r, keys, location)))
                    .onErrorResume(e -> Mono.just(new Outcome(failed(r, e), null, null)))
                    .flatMap(o -> withTranscript(r, keys, o));
            return Flux.concat(Mono.just(listedEvent), outcome.flatMapMany(o -> afterOutcome(r, keys, location, o)));
        }

        /**
         * With {@link ArchiveOptions#transcripts()}, once the audio is stored or found verified: the recording's
         * transcripts into {@code {sid}.transcript.json}, before any delete. None is no failure; a failure to list or
         * store them fails the recording (the audio stays, nothing is deleted, the next run tries again).
         */
        private Mono<Outcome> withTranscript(Recording r, Layout keys, Outcome o) {
            if (!options.transcripts() || options.dryRun()
                    || !(o.event instanceof Skipped || o.event instanceof Downloaded)) {
                return Mono.just(o);
            }
            return source.transcriptions(accountSid, r.sid())
                    .collectList()
                    // The recording was listed a moment ago: its transcriptions being unknown means it has none.
                    .onErrorResume(NotFoundException.class, gone -> Mono.just(java.util.List.of()))
                    .flatMap(list -> list.isEmpty() ? Mono.<Void>empty() : storeTranscript(r, keys, list))
                    .thenReturn(o)
                    .onErrorResume(e -> Mono.just(new Outcome(failed(r, new StageFailure("transcript", e)), null, null)));
        }

        /** Writes the transcript document unless the stored one already says the same. */
        private Mono<Void> storeTranscript(Recording r, Layout keys, java.util.List<Transcription> list) {
            return Mono.fromCallable(() -> transcript(r, list))
                    .flatMap(json -> target.read(keys.transcript, MAX_TRANSCRIPT_BYTES + 1)
                            .map(stored -> java.util.Arrays.equals(stored, json))
                            .defaultIfEmpty(false)
                            .flatMap(same -> same ? Mono.<Void>empty()
                                    : target.put(keys.transcript, json, "application/json")));
        }

        /** The transcript document: deterministic (no time of writing), so that an unchanged one is not rewritten. */
        private byte[] transcript(Recording r, java.util.List<Transcription> list) throws IOException {
            ByteArrayOutputStream json = new ByteArrayOutputStream(1024);
            try (JsonGenerator g = JSON.createGenerator(json)) {
                // As the sidecar, but a transcription per line: each is Transcription.toJson(), compact.
                g.setPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                        .withArrayIndenter(com.fasterxml.jackson.core.util.DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));
                g.writeStartObject();
                g.writeStringField("recording_sid", r.sid());
                g.writeStringField("account_sid", r.accountSid() != null ? r.accountSid() : accountSid);
                g.writeArrayFieldStart("transcriptions");
                for (Transcription t : list) {
                    // As the CLI's transcripts --json writes each one: one writer, in core.
                    g.writeRawValue(t.toJson());
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            json.write('\n');
            if (json.size() > MAX_TRANSCRIPT_BYTES) {
                throw new IOException("the transcripts of recording " + r.sid() + " are larger than "
                        + MAX_TRANSCRIPT_BYTES + " bytes");
            }
            return json.toByteArray();
        }

        private Flux<ArchiveEvent> afterOutcome(Recording r, Layout keys, URI location, Outcome o) {
            ArchiveEvent outcome = o.event;
            if (!options.deleteAfterVerify() || outcome instanceof Failed) {
                return Flux.just(outcome);
            }
            if (options.dryRun()) {
                return Flux.just(outcome, new WouldDelete(r, location));
            }
            if ("none".equals(o.check) && !options.verifyRemote()) {
                // The store checked nothing on arrival, and a HEAD proves only a length and the store's own ETag:
                // nothing but reading the copy back proves it before the recording is gone for good.
                return Flux.just(outcome, failed(r, new StageFailure("verify", new IOException("the store of "
                        + location + " checked nothing on upload; deleting needs the copy read back (verify "
                        + "remote)"))));
            }
            // Skipped: the copy was just checked against its sidecar. Downloaded: prove the stored copy now.
            Mono<Void> verifiedCopy = outcome instanceof Downloaded d ? confirm(keys, location, d, o.fingerprint)
                    : Mono.empty();
            Mono<ArchiveEvent> delete = verifiedCopy
                    .then(Mono.defer(() -> source.delete(accountSid, r.sid())
                            .onErrorMap(e -> new StageFailure("delete", e))))
                    .then(Mono.<ArchiveEvent>fromCallable(() -> new Deleted(r, location)))
                    .onErrorResume(e -> Mono.just(failed(r, e)));
            return Flux.concat(Mono.just(outcome), delete);
        }

        /**
         * The stored copy, when its sidecar can be read, is this recording's in this format, and the target holds
         * exactly the size and SHA-256 it records; else empty. Any failure to check means "not verified": storing
         * again replaces whatever is there (or fails with the reason).
         */
        private Mono<Verified> verified(Recording r, Layout keys) {
            return target.read(keys.sidecar, MAX_SIDECAR_BYTES)
                    .map(Archiver::parseSidecar)
                    .filter(sc -> r.sid().equalsIgnoreCase(sc.sid) && extension().equals(sc.format)
                            && sc.sha256 != null && sc.size >= 0)
                    .flatMap(sc -> target.holds(keys.audio, sc.size, sc.sha256, sc.fingerprint, options.verifyRemote())
                            .filter(Boolean::booleanValue)
                            .map(ok -> new Verified(sc.size, sc.sha256, sc.check)))
                    .onErrorResume(unreadable -> Mono.empty());
        }

        /** Streams the audio into the target, hashing it as it passes, then stores the sidecar. */
        private Mono<Outcome> download(Recording r, Layout keys, URI location) {
            return Mono.defer(() -> {
                long started = System.nanoTime();
                MessageDigest digest = Sha256.create();
                AtomicLong hashed = new AtomicLong();
                // Tagged here, where it is known to be the download's: a target may wrap what its input signals.
                Flux<ByteBuffer> body = source.download(accountSid, r.sid(), format)
                        .doOnNext(buffer -> {
                            hashed.addAndGet(buffer.remaining());
                            digest.update(buffer.duplicate()); // the target still writes the buffer from its position
                        })
                        .onErrorMap(e -> new StageFailure("download", e));
                return target.write(keys.audio, body, -1, format.mediaType(), metadata(r))
                        .onErrorMap(e -> stageOf(e) != null ? e : new StageFailure("write", e))
                        .flatMap(stored -> {
                            if (stored.size() != hashed.get()) {
                                return Mono.error(new StageFailure("write", new IOException("stored " + stored.size()
                                        + " bytes but received " + hashed.get())));
                            }
                            String sha256 = HexFormat.of().formatHex(digest.digest());
                            // The sidecar goes after the audio, so a sidecar always describes a complete copy.
                            return Mono.fromCallable(() -> sidecar(r, keys, stored, sha256))
                                    .flatMap(json -> target.put(keys.sidecar, json, "application/json"))
                                    .onErrorMap(e -> new StageFailure("write", e))
                                    .then(Mono.fromCallable(() -> new Outcome(new Downloaded(r, location, stored.size(),
                                            sha256, Duration.ofNanos(System.nanoTime() - started)), stored.fingerprint(),
                                            stored.check())));
                        });
            });
        }

        /** Fails unless the target holds what was received: before a delete, nothing is taken on trust. */
        private Mono<Void> confirm(Layout keys, URI location, Downloaded d, String fingerprint) {
            return target.holds(keys.audio, d.bytes(), d.sha256(), fingerprint, options.verifyRemote())
                    .flatMap(ok -> ok ? Mono.<Void>empty() : Mono.error(new IOException("the copy at " + location
                            + " does not match what was received (" + d.bytes() + " bytes, SHA-256 " + d.sha256() + ")")))
                    .onErrorMap(e -> new StageFailure("verify", e))
                    .then();
        }

        /** Metadata a store may keep beside the audio: printable, small, and never anything secret. */
        private Map<String, String> metadata(Recording r) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("sid", r.sid());
            if (r.callSid() != null) {
                m.put("call-sid", printable(r.callSid()));
            }
            if (r.dateCreated() != null) {
                m.put("date-created", iso(r.dateCreated()));
            }
            if (r.duration() != null) {
                m.put("duration", String.valueOf(r.duration().toSeconds()));
            }
            return m;
        }

        private Layout layout(Recording r) {
            OffsetDateTime created = r.dateCreated();
            String dir;
            if (created == null) {
                dir = "undated";
            } else {
                OffsetDateTime utc = created.withOffsetSameInstant(ZoneOffset.UTC);
                dir = String.format(Locale.ROOT, "%04d/%02d/%02d", utc.getYear(), utc.getMonthValue(),
                        utc.getDayOfMonth());
            }
            return new Layout(dir + "/" + r.sid() + format.extension(), dir + "/" + r.sid() + ".json",
                    dir + "/" + r.sid() + ".transcript.json");
        }

        private String extension() {
            return format.extension().substring(1);
        }

        /** The sidecar's JSON: what the archive knows of the recording and of its stored copy. */
        private byte[] sidecar(Recording r, Layout keys, ArchiveTarget.Stored stored, String sha256) throws IOException {
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
                g.writeStringField("file", keys.audio.substring(keys.audio.lastIndexOf('/') + 1));
                g.writeNumberField("size", stored.size());
                g.writeStringField("sha256", sha256);
                if (stored.fingerprint() != null) {
                    g.writeStringField("stored_fingerprint", stored.fingerprint());
                }
                if (stored.check() != null) {
                    g.writeStringField("store_check", stored.check());
                }
                g.writeStringField("archived_at", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
                g.writeEndObject();
            }
            json.write('\n');
            return json.toByteArray();
        }
    }

    /** One recording's outcome, and for a store just made, the fingerprint the target gave it (else null). */
    private record Outcome(ArchiveEvent event, String fingerprint, String check) {
    }

    /** The fields of a sidecar that verification needs; empty fields when it is not a sidecar this class wrote. */
    private static Sidecar parseSidecar(byte[] bytes) {
        String sid = null;
        String format = null;
        String sha256 = null;
        String fingerprint = null;
        String check = null;
        long size = -1;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Sidecar.NONE;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "sid" -> sid = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "format" -> format = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "sha256" -> sha256 = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "stored_fingerprint" -> fingerprint = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "store_check" -> check = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "size" -> size = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException malformed) {
            return Sidecar.NONE;
        }
        return new Sidecar(sid, format, size, sha256, fingerprint, check);
    }

    private static String iso(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** The step a failure was tagged with, anywhere in its cause chain; null when untagged. */
    private static StageFailure stageOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StageFailure s) {
                return s;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static Failed failed(Recording r, Throwable e) {
        Throwable t = unwrap(e);
        StageFailure s = stageOf(t);
        if (s != null) {
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

    /** Where a recording goes: the keys of its audio, of its sidecar and of its transcripts. */
    private record Layout(String audio, String sidecar, String transcript) {
    }

    private record Verified(long size, String sha256, String check) {
    }

    private record Sidecar(String sid, String format, long size, String sha256, String fingerprint, String check) {
        static final Sidecar NONE = new Sidecar(null, null, -1, null, null, null);
    }
}
