package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.HttpDates;
import dev.laml.recordings.testkit.internal.RecordingMetadata;
import dev.laml.recordings.testkit.internal.SyntheticAudio;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A recording held by a {@link RecordingsServer}: what it serves, so that tests can compare a download with the
 * expected bytes, hash, size and JSON.
 *
 * <p>Content is generated once when the recording is added and never changes; only the attached {@link Fault} is
 * mutable (through the server), and a recording {@link RecordingSpec#completesAfter(java.time.Duration) completing
 * later} changes from its in-progress JSON to its final one when the server's clock reaches
 * {@link #completesAt()}. Thread-safe. No method returns null.
 */
public final class TestRecording {

    private static final OffsetDateTime DEFAULT_CREATED = OffsetDateTime.of(2018, 9, 25, 23, 0, 0, 0, ZoneOffset.UTC);
    private static final int DEFAULT_DURATION = 4;
    /** What SignalWire reports for a recording that captured no audio. */
    private static final int ABSENT_ERROR_CODE = 13617;

    private final RecordingsServer server;
    private final RecordingMetadata metadata;
    private final ByteBuffer[] content;
    private final String[] sha256;
    private final String[] etags;
    private final String json;
    private final ByteBuffer jsonBytes;
    private final String inProgressJson;
    private final ByteBuffer inProgressJsonBytes;
    /** The server-clock instant from which the recording is complete. */
    private final Instant completesAt;
    private final boolean hasMedia;
    private final Instant lastModified;
    private final String lastModifiedHeader;

    private TestRecording(RecordingsServer server, RecordingMetadata metadata, ByteBuffer wav, ByteBuffer mp3,
                          Instant completesAt) {
        this.server = server;
        this.metadata = metadata;
        // Read-only: slices of these go to every client; nothing may write through them.
        this.content = new ByteBuffer[] {wav.asReadOnlyBuffer(), mp3.asReadOnlyBuffer()};
        this.sha256 = new String[] {sha256Hex(wav), sha256Hex(mp3)};
        // Strong validators from the content hash: equal bytes, equal ETag, across servers and runs.
        this.etags = new String[] {'"' + sha256[0] + '"', '"' + sha256[1] + '"'};
        this.json = ApiJson.recording(metadata);
        this.jsonBytes = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        this.inProgressJson = ApiJson.inProgress(metadata);
        this.inProgressJsonBytes = ByteBuffer.wrap(inProgressJson.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        this.completesAt = completesAt;
        this.hasMedia = !"absent".equals(metadata.status());
        this.lastModified = metadata.dateUpdated().toInstant().truncatedTo(ChronoUnit.SECONDS);
        this.lastModifiedHeader = HttpDates.httpDate(lastModified);
    }

    /** Applies the spec's defaults (see {@link RecordingSpec}) and generates the audio. */
    static TestRecording create(RecordingsServer server, RecordingSpec spec) {
        RecordingSpec.State s = spec.state();
        String accountSid = s.accountSid != null ? s.accountSid : server.accountSid();
        String sid = s.sid != null ? s.sid : s.seed != null ? seededUuid(s.seed) : UUID.randomUUID().toString();
        long audioSeed = s.seed != null ? s.seed : sid.toLowerCase(Locale.ROOT).hashCode() * 0x9E3779B97F4A7C15L;
        int channels = s.channels;
        int wav = Format.WAV.ordinal();
        int mp3 = Format.MP3.ordinal();

        long explicitWavBytes = s.payloads[wav] != null ? s.payloads[wav].length : s.sizes[wav];
        long duration;
        if (s.durationSeconds != null) {
            duration = s.durationSeconds;
        } else if (explicitWavBytes >= 0) {
            duration = Math.max(0, explicitWavBytes - SyntheticAudio.WAV_HEADER_BYTES)
                    / (SyntheticAudio.WAV_SAMPLE_RATE * 2L * channels);
        } else {
            duration = DEFAULT_DURATION;
        }

        ByteBuffer wavContent;
        if (s.payloads[wav] != null) {
            wavContent = direct(s.payloads[wav]);
        } else if (s.sizes[wav] >= 0) {
            if (s.sizes[wav] < SyntheticAudio.WAV_HEADER_BYTES) {
                throw new IllegalArgumentException("a WAV needs at least 44 bytes: " + s.sizes[wav]);
            }
            wavContent = SyntheticAudio.wav(audioSeed, channels, s.sizes[wav] - SyntheticAudio.WAV_HEADER_BYTES);
        } else {
            wavContent = SyntheticAudio.wav(audioSeed, channels, SyntheticAudio.wavDataBytes(duration, channels));
        }
        ByteBuffer mp3Content;
        if (s.payloads[mp3] != null) {
            mp3Content = direct(s.payloads[mp3]);
        } else if (s.sizes[mp3] >= 0) {
            mp3Content = SyntheticAudio.mp3OfSize(channels, s.sizes[mp3]);
        } else {
            mp3Content = SyntheticAudio.mp3(channels, SyntheticAudio.mp3FramesFor(duration));
        }

        OffsetDateTime created = s.dateCreated != null ? s.dateCreated : DEFAULT_CREATED;
        OffsetDateTime updated = s.dateUpdated != null ? s.dateUpdated : created;
        OffsetDateTime end = s.endTimeSet ? s.endTime : created;
        OffsetDateTime start = s.startTimeSet ? s.startTime : (end != null ? end : created).minusSeconds(duration);
        String callSid = s.callSidSet ? s.callSid
                : UUID.nameUUIDFromBytes(("call:" + sid).getBytes(StandardCharsets.UTF_8)).toString();
        Integer errorCode = "absent".equals(s.status) ? ABSENT_ERROR_CODE : null;
        RecordingMetadata metadata = new RecordingMetadata(sid, accountSid, callSid, s.conferenceSid, channels, created,
                updated, start, end, duration, s.price, s.source, s.status, errorCode);
        Instant completesAt;
        try {
            completesAt = server.now().plus(s.completesAfter);
        } catch (DateTimeException | ArithmeticException beyondTime) {
            completesAt = Instant.MAX; // a delay longer than the clock can count: never completes
        }
        return new TestRecording(server, metadata, wavContent, mp3Content, completesAt);
    }

    /**
     * A recording a live call or conference made ({@link LiveRecording#stop}): exactly this metadata and audio,
     * complete at once.
     */
    static TestRecording completed(RecordingsServer server, RecordingMetadata metadata, ByteBuffer wav, ByteBuffer mp3) {
        return new TestRecording(server, metadata, wav, mp3, Instant.MIN);
    }

    /** The recording's sid, as given or generated. */
    public String sid() {
        return metadata.sid();
    }

    /** The account sid in the recording's URLs. */
    public String accountSid() {
        return metadata.accountSid();
    }

    /** The JSON {@code duration}, in seconds. */
    public long durationSeconds() {
        return metadata.durationSeconds();
    }

    /** 1 or 2. */
    public int channels() {
        return metadata.channels();
    }

    /** Size in bytes of the file served for {@code format}. */
    public long size(Format format) {
        return content[format.ordinal()].capacity();
    }

    /** A fresh copy of the file served for {@code format} (a heap copy: mind large recordings). */
    public byte[] bytes(Format format) {
        ByteBuffer source = content(format);
        byte[] out = new byte[source.remaining()];
        source.get(out);
        return out;
    }

    /** Lower-case hex SHA-256 of the file served for {@code format}. */
    public String sha256(Format format) {
        return sha256[format.ordinal()];
    }

    /** The {@code ETag} header the server sends for {@code format}, quotes included: {@code "<sha256>"}. */
    public String etag(Format format) {
        return etags[format.ordinal()];
    }

    /** The {@code Last-Modified} header the server sends for the media (the recording's date updated). */
    public String lastModified() {
        return lastModifiedHeader;
    }

    /**
     * The metadata JSON served at {@link #jsonUrl()} (and in lists) now, exactly: the in-progress JSON until
     * {@link #completesAt()}, the final one from then on.
     */
    public String json() {
        return isComplete(server.now()) ? json : inProgressJson;
    }

    /**
     * The instant, on the server's clock, from which this recording is complete: when it was added plus its spec's
     * {@link RecordingSpec#completesAfter(java.time.Duration) delay} (zero by default).
     */
    public Instant completesAt() {
        return completesAt;
    }

    /** Absolute URL of the {@code format} file on this recording's server. */
    public URI url(Format format) {
        return server.baseUrl().resolve(path(format.extension()));
    }

    /** Absolute URL of the metadata JSON (which requires credentials). */
    public URI jsonUrl() {
        return server.baseUrl().resolve(path(".json"));
    }

    /** Attaches {@code fault} to every later request for this recording; see {@link RecordingsServer#injectFault}. */
    public TestRecording injectFault(Fault fault) {
        server.injectFault(sid(), fault);
        return this;
    }

    /** Removes this recording's fault, if any. */
    public void clearFault() {
        server.clearFault(sid());
    }

    @Override
    public String toString() {
        return "TestRecording[sid=" + sid() + ", durationSeconds=" + durationSeconds() + ", wav=" + size(Format.WAV)
                + "B, mp3=" + size(Format.MP3) + "B]";
    }

    /** A read-only view of the file, positioned at 0; slices are what the server writes. */
    ByteBuffer content(Format format) {
        return content[format.ordinal()].duplicate().clear();
    }

    /** The JSON as served at {@code now}, as UTF-8, read-only, positioned at 0. */
    ByteBuffer jsonBytes(Instant now) {
        return (isComplete(now) ? jsonBytes : inProgressJsonBytes).duplicate();
    }

    /** The JSON as served at {@code now}. */
    String json(Instant now) {
        return isComplete(now) ? json : inProgressJson;
    }

    boolean isComplete(Instant now) {
        return !now.isBefore(completesAt);
    }

    /** Whether the media URLs serve audio at {@code now}: complete, and not {@code "absent"}. */
    boolean servesMedia(Instant now) {
        return hasMedia && isComplete(now);
    }

    RecordingMetadata metadata() {
        return metadata;
    }

    /**
     * The form fields of this recording's status callback saying {@code status}, in the order SignalWire's
     * documentation lists them. {@code RecordingUrl} is the extension-less media URL (which serves WAV), as SignalWire
     * sends it; an in-progress callback carries no {@code RecordingDuration} (the length is not known yet).
     */
    Map<String, List<String>> callbackFields(String status) {
        boolean inProgress = "in-progress".equals(status);
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("AccountSid", List.of(accountSid()));
        if (metadata.callSid() != null) {
            f.put("CallSid", List.of(metadata.callSid()));
        }
        if (metadata.conferenceSid() != null) {
            f.put("ConferenceSid", List.of(metadata.conferenceSid()));
        }
        f.put("RecordingSid", List.of(sid()));
        f.put("RecordingUrl", List.of(server.baseUrl().resolve(path("")).toString()));
        f.put("RecordingStatus", List.of(status));
        if (!inProgress) {
            f.put("RecordingDuration", List.of(Long.toString(metadata.durationSeconds())));
        }
        f.put("RecordingChannels", List.of(Integer.toString(metadata.channels())));
        f.put("RecordingSource", List.of(metadata.source()));
        if (metadata.startTime() != null) {
            f.put("RecordingStartTime", List.of(HttpDates.rfc2822(metadata.startTime())));
        }
        f.put("ErrorCode", List.of(!inProgress && metadata.errorCode() != null
                ? metadata.errorCode().toString() : "0"));
        return f;
    }

    Instant lastModifiedInstant() {
        return lastModified;
    }

    private String path(String extension) {
        return ApiJson.API_PREFIX + accountSid() + "/Recordings/" + sid() + extension;
    }

    /** A version 4, IETF-variant UUID drawn from the seed, so that seeded sids look like real ones. */
    static String seededUuid(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long msb = random.nextLong() & ~0xF000L | 0x4000L;
        long lsb = random.nextLong() & ~(3L << 62) | (2L << 62);
        return new UUID(msb, lsb).toString();
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
    }

    private static String sha256Hex(ByteBuffer content) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(content.duplicate().clear());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
