package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.HttpDates;
import dev.laml.recordings.testkit.internal.RecordingMetadata;
import dev.laml.recordings.testkit.internal.SyntheticAudio;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One recording of a live call or conference while it is being made: what was recorded so far, as a list of
 * segments of audio and of silence, on the server's clock. Pausing with {@code skip} records nothing while paused;
 * pausing with {@code silence} records the paused time as silence; stopping turns the segments into a
 * {@link TestRecording} whose WAV holds exactly the recorded milliseconds (the silent ones as zero samples) and whose
 * {@code duration} is that length rounded to the nearest second.
 *
 * <p>Thread-safe: every state change and read is synchronized, as requests for one recording may arrive on several
 * event loops at once.
 */
final class LiveRecording {

    /** What SignalWire reports for a recording that captured no audio. */
    private static final int ABSENT_ERROR_CODE = 13617;

    enum State { RECORDING, PAUSED, DONE }

    /** Why an update was refused: the recording is no longer live. */
    static final class Finished extends Exception {
        private static final long serialVersionUID = 1L;

        Finished() {
            super(null, null, false, false);
        }
    }

    private final RecordingsServer server;
    private final String sid;
    private final String accountSid;
    /** Null for a conference's recording. */
    private final String callSid;
    /** Null for a call's recording. */
    private final String conferenceSid;
    private final int channels;
    private final boolean trim;
    /** Null when no status callback was asked for. */
    private final URI callback;
    private final boolean callbackGet;
    private final Set<String> events;
    private final String source;
    private final Instant started;

    private State state = State.RECORDING;
    /** When the current segment (recording or paused) began. */
    private Instant since;
    /** While paused: whether the pause is recorded as silence (else skipped). */
    private boolean pauseSilence;
    /** Closed segments in order: {1 for audio or 0 for silence, milliseconds}. */
    private final List<long[]> segments = new ArrayList<>();
    /** Set once stopped. */
    private TestRecording result;

    LiveRecording(RecordingsServer server, String sid, String accountSid, String callSid, String conferenceSid,
                  int channels, boolean trim, URI callback, boolean callbackGet, Set<String> events, String source,
                  Instant now) {
        this.server = server;
        this.sid = sid;
        this.accountSid = accountSid;
        this.callSid = callSid;
        this.conferenceSid = conferenceSid;
        this.channels = channels;
        this.trim = trim;
        this.callback = callback;
        this.callbackGet = callbackGet;
        this.events = Set.copyOf(events);
        this.source = source;
        this.started = now;
        this.since = now;
    }

    String sid() {
        return sid;
    }

    String accountSid() {
        return accountSid;
    }

    String callSid() {
        return callSid;
    }

    String conferenceSid() {
        return conferenceSid;
    }

    Instant started() {
        return started;
    }

    synchronized State state() {
        return state;
    }

    /** The recording it became once stopped, or null while it is live. */
    synchronized TestRecording result() {
        return result;
    }

    /** The callback that announces the start, if asked for: call after the recording is registered. */
    void announceStart() {
        if (callback != null && events.contains("in-progress")) {
            server.liveCallbacks().sendTo(callback, callbackGet, sid, inProgressFields());
        }
    }

    /** Pauses; a paused recording stays paused as it was (its pause behaviour unchanged). */
    synchronized void pause(boolean silence, Instant now) throws Finished {
        if (state == State.DONE) {
            throw new Finished();
        }
        if (state == State.RECORDING) {
            close(now, true);
            state = State.PAUSED;
            pauseSilence = silence;
        }
    }

    /** Resumes; a recording that is not paused goes on as it was. */
    synchronized void resume(Instant now) throws Finished {
        if (state == State.DONE) {
            throw new Finished();
        }
        if (state == State.PAUSED) {
            close(now, false);
            state = State.RECORDING;
        }
    }

    /**
     * Stops: the recording is complete from now on, served by the server as any other recording, and its callback
     * ({@code completed}, or {@code absent} when nothing was recorded) is sent if it was asked for.
     */
    TestRecording stop(Instant now) throws Finished {
        TestRecording done;
        synchronized (this) {
            if (state == State.DONE) {
                throw new Finished();
            }
            close(now, state == State.RECORDING);
            state = State.DONE;
            done = complete(now);
            result = done;
        }
        server.addLiveResult(done);
        String status = done.metadata().status();
        if (callback != null && events.contains(status)) {
            server.liveCallbacks().sendTo(callback, callbackGet, sid, done.callbackFields(status));
        }
        return done;
    }

    /**
     * The JSON this recording's resource shows now: in progress or paused while live, else its final form;
     * {@code justStopped} shows the final form with status {@code stopped}, as the answer to a stop.
     */
    synchronized String json(Instant now, boolean justStopped) {
        String uri = conferenceSid != null
                ? ApiJson.API_PREFIX + accountSid + "/Conferences/" + conferenceSid + "/Recordings/" + sid
                : ApiJson.API_PREFIX + accountSid + "/Recordings/" + sid;
        if (result != null) {
            return ApiJson.liveRecording(result.metadata(), uri, justStopped ? "stopped" : null);
        }
        return ApiJson.liveRecording(metadata(now), uri, state == State.PAUSED ? "paused" : "in-progress");
    }

    /** The metadata now: the final recording's once stopped, else what is known while live (no end, no length). */
    synchronized RecordingMetadata metadata(Instant now) {
        if (result != null) {
            return result.metadata();
        }
        OffsetDateTime start = utc(started);
        return new RecordingMetadata(sid, accountSid, callSid, conferenceSid, channels, start, utc(since), start,
                null, 0, null, source, state == State.PAUSED ? "paused" : "in-progress", null, trimName());
    }

    /** Ends the current segment at {@code now}: audio when recording, silence when paused so, nothing when skipped. */
    private void close(Instant now, boolean recording) {
        long millis = Math.max(0, Duration.between(since, now).toMillis());
        if (millis > 0 && (recording || pauseSilence)) {
            long kind = recording ? 1 : 0;
            long[] last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (last != null && last[0] == kind) {
                last[1] += millis; // e.g. a pause with skip between two stretches of audio: one stretch
            } else {
                segments.add(new long[] {kind, millis});
            }
        }
        since = now;
    }

    private TestRecording complete(Instant now) {
        List<long[]> kept = new ArrayList<>(segments);
        if (trim) {
            // trim-silence: leading and trailing silence is not part of the recording.
            while (!kept.isEmpty() && kept.get(0)[0] == 0) {
                kept.remove(0);
            }
            while (!kept.isEmpty() && kept.get(kept.size() - 1)[0] == 0) {
                kept.remove(kept.size() - 1);
            }
        }
        long total = kept.stream().mapToLong(s -> s[1]).sum();
        long seed = sid.toLowerCase(Locale.ROOT).hashCode() * 0x9E3779B97F4A7C15L;
        ByteBuffer wav = SyntheticAudio.wav(seed, channels, SyntheticAudio.wavDataBytesForMillis(total, channels));
        long at = 0;
        for (long[] segment : kept) {
            if (segment[0] == 0) {
                SyntheticAudio.silence(wav, channels, at, at + segment[1]);
            }
            at += segment[1];
        }
        ByteBuffer mp3 = total == 0 ? SyntheticAudio.mp3(channels, 0)
                : SyntheticAudio.mp3(channels, SyntheticAudio.mp3FramesForMillis(total));
        long seconds = (total + 500) / 1000;
        boolean absent = total == 0;
        // $0.0025 per started minute, negative as the API reports charges.
        BigDecimal price = absent ? null : BigDecimal.valueOf(-25L * ((seconds + 59) / 60), 4);
        OffsetDateTime start = utc(started);
        OffsetDateTime end = utc(now);
        RecordingMetadata metadata = new RecordingMetadata(sid, accountSid, callSid, conferenceSid, channels, start,
                end, start, end, seconds, price, source, absent ? "absent" : "completed",
                absent ? ABSENT_ERROR_CODE : null, trimName());
        return TestRecording.completed(server, metadata, wav, mp3);
    }

    /** The in-progress callback's fields, in the order of {@link TestRecording#callbackFields}: no duration yet. */
    private Map<String, List<String>> inProgressFields() {
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("AccountSid", List.of(accountSid));
        if (callSid != null) {
            f.put("CallSid", List.of(callSid));
        }
        if (conferenceSid != null) {
            f.put("ConferenceSid", List.of(conferenceSid));
        }
        f.put("RecordingSid", List.of(sid));
        f.put("RecordingUrl", List.of(server.baseUrl()
                .resolve(ApiJson.API_PREFIX + accountSid + "/Recordings/" + sid).toString()));
        f.put("RecordingStatus", List.of("in-progress"));
        f.put("RecordingChannels", List.of(Integer.toString(channels)));
        f.put("RecordingSource", List.of(source));
        f.put("RecordingStartTime", List.of(HttpDates.rfc2822(utc(started))));
        f.put("ErrorCode", List.of("0"));
        return f;
    }

    private String trimName() {
        return trim ? "trim-silence" : "do-not-trim";
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
    }
}
