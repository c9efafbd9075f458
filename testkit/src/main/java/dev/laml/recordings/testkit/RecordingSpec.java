package dev.laml.recordings.testkit;

import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What to add to a {@link RecordingsServer}: an immutable description whose every setter returns a modified copy,
 * so a spec can be shared and varied freely:
 * <pre>{@code
 * TestRecording r = server.addRecording(RecordingSpec.create().durationSeconds(30).channels(2));
 * }</pre>
 *
 * <p>Everything has a default, applied when the recording is added:
 * <ul>
 *   <li>account sid: the server's {@link RecordingsServer#accountSid()};</li>
 *   <li>sid: derived from the {@link #seed(long) seed} when there is one, else a random UUID;</li>
 *   <li>duration: 4 s, or derived from an explicit WAV {@link #size size}/{@link #payload payload} (whole seconds
 *       of its PCM);</li>
 *   <li>channels 1, status {@code "completed"}, source {@code "RecordVerb"}, price {@code null};</li>
 *   <li>date created {@code 2018-09-25T23:00:00Z}; date updated and end time equal to it; start time = end time minus
 *       the duration; call sid a UUID derived from the sid; conference sid {@code null};</li>
 *   <li>complete as soon as it is added (no {@link #completesAfter(Duration) delay});</li>
 *   <li>audio: generated from the seed (or, without one, from the sid), so equal specs give byte-identical files;
 *       WAV is {@code 44 + duration * 8000 * channels * 2} bytes, MP3 has {@code round(duration * 44100 / 1152)}
 *       frames (at least one).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. Setters reject null unless their documentation allows it.
 */
public final class RecordingSpec {

    private static final RecordingSpec DEFAULTS = new RecordingSpec(new State());

    private final State s;

    private RecordingSpec(State s) {
        this.s = s;
    }

    /** A spec with every default. */
    public static RecordingSpec create() {
        return DEFAULTS;
    }

    /** The account the recording belongs to (its URLs carry it); a URL-safe id such as a UUID. */
    public RecordingSpec accountSid(String accountSid) {
        String v = requireId(accountSid, "accountSid");
        return with(c -> c.accountSid = v);
    }

    /** The recording's sid; a URL-safe id such as a UUID. Overrides the seed-derived sid. */
    public RecordingSpec sid(String sid) {
        String v = requireId(sid, "sid");
        return with(c -> c.sid = v);
    }

    /**
     * Makes the recording reproducible: the sid (unless {@link #sid(String) set}) and the audio samples derive from
     * {@code seed}. Two recordings with the same seed on one server collide unless their sids differ.
     */
    public RecordingSpec seed(long seed) {
        return with(c -> c.seed = seed);
    }

    /** Duration in whole seconds, as the JSON {@code duration}; also sizes the generated audio. */
    public RecordingSpec durationSeconds(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("durationSeconds must not be negative: " + seconds);
        }
        return with(c -> c.durationSeconds = seconds);
    }

    /** 1 (mono) or 2 (stereo). */
    public RecordingSpec channels(int channels) {
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
        }
        return with(c -> c.channels = channels);
    }

    /**
     * The JSON {@code status}, any string (the API's values include completed, processing, absent, failed). The
     * string is only rendered, except for {@code "absent"} (a recording that captured no audio): its JSON then
     * carries {@code "error_code": 13617} (a number, as the API sends it) and its media URLs answer 404, as for an
     * unknown recording. For a recording that is in progress and then completes, use
     * {@link #completesAfter(Duration)} instead of setting {@code "in-progress"} here.
     */
    public RecordingSpec status(String status) {
        Objects.requireNonNull(status, "status");
        return with(c -> c.status = status);
    }

    /** The JSON {@code source}, any string (e.g. RecordVerb, DialVerb, Conference, StartCallRecordingAPI). */
    public RecordingSpec source(String source) {
        Objects.requireNonNull(source, "source");
        return with(c -> c.source = source);
    }

    /** JSON {@code date_created}; rendered in UTC to the second. */
    public RecordingSpec dateCreated(OffsetDateTime dateCreated) {
        Objects.requireNonNull(dateCreated, "dateCreated");
        return with(c -> c.dateCreated = dateCreated);
    }

    /** JSON {@code date_updated}, also the media's {@code Last-Modified}. */
    public RecordingSpec dateUpdated(OffsetDateTime dateUpdated) {
        Objects.requireNonNull(dateUpdated, "dateUpdated");
        return with(c -> c.dateUpdated = dateUpdated);
    }

    /** JSON {@code start_time}; null renders {@code null} (as for a recording still in progress). */
    public RecordingSpec startTime(OffsetDateTime startTime) {
        return with(c -> {
            c.startTime = startTime;
            c.startTimeSet = true;
        });
    }

    /** JSON {@code end_time}; null renders {@code null}. */
    public RecordingSpec endTime(OffsetDateTime endTime) {
        return with(c -> {
            c.endTime = endTime;
            c.endTimeSet = true;
        });
    }

    /** JSON {@code price}, rendered as a plain string such as {@code "-0.0025"}; null renders {@code null}. */
    public RecordingSpec price(BigDecimal price) {
        return with(c -> c.price = price);
    }

    /**
     * Makes the recording complete only {@code delay} after it is added, measured on the server's clock
     * ({@link RecordingsServer.Builder#clock}), for clients that wait until a recording is ready. Until then its
     * JSON (alone and in lists) says {@code "status": "in-progress"}, {@code "duration": "-1"} (a string, as real
     * in-progress payloads have it) and {@code "price": null}, and its media URLs answer 404 with the XML error body,
     * as for an unknown recording; afterwards it is served exactly as without a delay. {@link Duration#ZERO} (the
     * default) means complete at once.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public RecordingSpec completesAfter(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        return with(c -> c.completesAfter = delay);
    }

    /**
     * JSON {@code conference_sid}; null (the default) renders {@code null}. The list endpoint's
     * {@code ConferenceSid} filter matches it.
     */
    public RecordingSpec conferenceSid(@Nullable String conferenceSid) {
        return with(c -> c.conferenceSid = conferenceSid);
    }

    /** JSON {@code call_sid}; null renders {@code null} (as for a conference recording). */
    public RecordingSpec callSid(String callSid) {
        return with(c -> {
            c.callSid = callSid;
            c.callSidSet = true;
        });
    }

    /**
     * Generates the {@code format} file at exactly {@code bytes} bytes, whatever the duration, e.g. a 256 MiB WAV for
     * backpressure tests (it is generated once, kept in off-heap memory, and never copied per request). Replaces a
     * {@link #payload} for that format.
     *
     * @param bytes for WAV, 44 plus a multiple of {@code 2 * channels}; for MP3, 0 or at least 10 (a remainder that
     *              frames cannot fill becomes an ID3v2 tag); below 2 GiB
     */
    public RecordingSpec size(Format format, long bytes) {
        Objects.requireNonNull(format, "format");
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size must be between 0 and 2 GiB: " + bytes);
        }
        return with(c -> {
            c.sizes[format.ordinal()] = bytes;
            c.payloads[format.ordinal()] = null;
        });
    }

    /**
     * Serves exactly these bytes (copied) as the {@code format} file, valid audio or not, e.g. to test a client's
     * handling of a corrupt file. Replaces a {@link #size} for that format.
     */
    public RecordingSpec payload(Format format, byte[] bytes) {
        Objects.requireNonNull(format, "format");
        byte[] copy = bytes.clone();
        return with(c -> {
            c.payloads[format.ordinal()] = copy;
            c.sizes[format.ordinal()] = -1;
        });
    }

    @Override
    public String toString() {
        return "RecordingSpec[sid=" + s.sid + ", seed=" + s.seed + ", durationSeconds=" + s.durationSeconds
                + ", channels=" + s.channels + ", status=" + s.status
                + (s.completesAfter.isZero() ? "" : ", completesAfter=" + s.completesAfter) + "]";
    }

    /** The raw settings, nulls meaning "default"; read by the server when it resolves a spec. */
    State state() {
        return s;
    }

    private RecordingSpec with(Consumer<State> change) {
        State copy = s.copy();
        change.accept(copy);
        return new RecordingSpec(copy);
    }

    static String requireId(String id, String name) {
        Objects.requireNonNull(id, name);
        if (id.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            // Ids live in URL paths next to an extension: letters, digits, '-' and '_' only.
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new IllegalArgumentException(name + " may only contain letters, digits, '-' and '_': " + id);
            }
        }
        return id;
    }

    /** Mutable only while a setter builds a new spec; never changed once a spec holds it. */
    static final class State {
        String accountSid;
        String sid;
        Long seed;
        Integer durationSeconds;
        int channels = 1;
        String status = "completed";
        String source = "RecordVerb";
        OffsetDateTime dateCreated;
        OffsetDateTime dateUpdated;
        OffsetDateTime startTime;
        boolean startTimeSet;
        OffsetDateTime endTime;
        boolean endTimeSet;
        BigDecimal price;
        String callSid;
        boolean callSidSet;
        String conferenceSid;
        Duration completesAfter = Duration.ZERO;
        final long[] sizes = {-1, -1};
        final byte[][] payloads = new byte[2][];

        State copy() {
            State c = new State();
            c.accountSid = accountSid;
            c.sid = sid;
            c.seed = seed;
            c.durationSeconds = durationSeconds;
            c.channels = channels;
            c.status = status;
            c.source = source;
            c.dateCreated = dateCreated;
            c.dateUpdated = dateUpdated;
            c.startTime = startTime;
            c.startTimeSet = startTimeSet;
            c.endTime = endTime;
            c.endTimeSet = endTimeSet;
            c.price = price;
            c.callSid = callSid;
            c.callSidSet = callSidSet;
            c.conferenceSid = conferenceSid;
            c.completesAfter = completesAfter;
            System.arraycopy(sizes, 0, c.sizes, 0, sizes.length);
            System.arraycopy(payloads, 0, c.payloads, 0, payloads.length);
            return c;
        }
    }
}
