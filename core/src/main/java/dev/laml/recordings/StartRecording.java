package dev.laml.recordings;

import dev.laml.recordings.internal.Validation;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What to send to start recording a live call: {@code POST …/Calls/{CallSid}/Recordings.json}
 * with the form fields {@code RecordingChannels}, {@code RecordingStatusCallback},
 * {@code RecordingStatusCallbackEvent}, {@code RecordingStatusCallbackMethod},
 * {@code RecordingTrack} and {@code Trim}. A field left unset is not sent, and the API's default
 * applies (mono, both tracks, no callback, {@code completed} events, {@code POST}, not trimmed).
 *
 * <pre>{@code
 * StartRecording.of(accountSid, callSid)
 *         .channels(StartRecording.Channels.DUAL)
 *         .statusCallback(URI.create("https://example.com/recording-events"))
 *         .statusCallbackEvents(StartRecording.CallbackEvent.IN_PROGRESS, StartRecording.CallbackEvent.COMPLETED)
 * }</pre>
 *
 * <p>The API starts recordings of calls only (a conference is recorded by its cXML); a
 * conference's recording is paused, resumed or stopped with {@link UpdateRecording}.
 *
 * <p>An immutable value: every setter returns a modified copy. Thread-safe. Ids are checked to
 * be UUIDs when the value is made, so a malformed id never reaches a request; getters return
 * null only where they say so.
 */
public final class StartRecording {

    /** {@code RecordingChannels}: both legs in one channel, or each leg in its own. */
    public enum Channels {
        /** {@code mono}: both legs mixed into one channel (the API's default). */
        MONO("mono"),
        /** {@code dual}: each leg in its own channel of one file. */
        DUAL("dual");

        private final String wireValue;

        Channels(String wireValue) {
            this.wireValue = wireValue;
        }

        /** The form value: {@code mono} or {@code dual}. */
        public String wireValue() {
            return wireValue;
        }
    }

    /** {@code RecordingTrack}: which direction of audio is recorded. */
    public enum Track {
        /** {@code inbound}: the audio from the called party to SignalWire. */
        INBOUND("inbound"),
        /** {@code outbound}: the audio from SignalWire to the called party. */
        OUTBOUND("outbound"),
        /** {@code both} (the API's default). */
        BOTH("both");

        private final String wireValue;

        Track(String wireValue) {
            this.wireValue = wireValue;
        }

        /** The form value: {@code inbound}, {@code outbound} or {@code both}. */
        public String wireValue() {
            return wireValue;
        }
    }

    /** {@code RecordingStatusCallbackEvent}: a recording status that triggers the status callback. */
    public enum CallbackEvent {
        /** {@code in-progress}: the recording started. */
        IN_PROGRESS("in-progress"),
        /** {@code completed}: the recording is available (the API's default). */
        COMPLETED("completed"),
        /** {@code absent}: nothing was recorded (silence, or a failure). */
        ABSENT("absent");

        private final String wireValue;

        CallbackEvent(String wireValue) {
            this.wireValue = wireValue;
        }

        /** The form value: {@code in-progress}, {@code completed} or {@code absent}. */
        public String wireValue() {
            return wireValue;
        }
    }

    /** {@code RecordingStatusCallbackMethod}: how the status callback is requested. */
    public enum CallbackMethod {
        /** {@code GET}: the fields in the query string. */
        GET,
        /** {@code POST}: the fields as a form (the API's default). */
        POST;

        /** The form value: {@code GET} or {@code POST}. */
        public String wireValue() {
            return name();
        }
    }

    private final String accountSid;
    private final String callSid;
    private final @Nullable Channels channels;
    private final @Nullable Track track;
    private final @Nullable URI statusCallback;
    private final @Nullable CallbackMethod statusCallbackMethod;
    private final Set<CallbackEvent> statusCallbackEvents;
    private final @Nullable Boolean trim;

    private StartRecording(String accountSid, String callSid, @Nullable Channels channels, @Nullable Track track,
            @Nullable URI statusCallback, @Nullable CallbackMethod statusCallbackMethod, Set<CallbackEvent> events,
            @Nullable Boolean trim) {
        this.accountSid = accountSid;
        this.callSid = callSid;
        this.channels = channels;
        this.track = track;
        this.statusCallback = statusCallback;
        this.statusCallbackMethod = statusCallbackMethod;
        this.statusCallbackEvents = events;
        this.trim = trim;
    }

    /**
     * Start recording the call {@code callSid} of {@code accountSid}, with the API's defaults.
     *
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public static StartRecording of(String accountSid, String callSid) {
        return new StartRecording(Validation.uuid("accountSid", accountSid), Validation.uuid("callSid", callSid),
                null, null, null, null, Set.of(), null);
    }

    /** {@code RecordingChannels}; not null. */
    public StartRecording channels(Channels channels) {
        return new StartRecording(accountSid, callSid, Objects.requireNonNull(channels, "channels"), track,
                statusCallback, statusCallbackMethod, statusCallbackEvents, trim);
    }

    /** {@code RecordingTrack}; not null. */
    public StartRecording track(Track track) {
        return new StartRecording(accountSid, callSid, channels, Objects.requireNonNull(track, "track"),
                statusCallback, statusCallbackMethod, statusCallbackEvents, trim);
    }

    /**
     * {@code RecordingStatusCallback}: where SignalWire reports the recording's status (the events
     * module's receiver, say). Sent exactly as given, user info included (a callback may carry its
     * own Basic credentials); never shown by {@link #toString()}.
     *
     * @throws IllegalArgumentException if it is null or not an absolute {@code http}/{@code https} URL with a host
     */
    public StartRecording statusCallback(URI url) {
        if (url == null || !url.isAbsolute() || url.getHost() == null || url.isOpaque()
                || !("https".equalsIgnoreCase(url.getScheme()) || "http".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalArgumentException("statusCallback must be an absolute http or https URL with a host, got "
                    + (url == null ? "null" : Validation.quote(redacted(url))));
        }
        return new StartRecording(accountSid, callSid, channels, track, url, statusCallbackMethod,
                statusCallbackEvents, trim);
    }

    /** {@code RecordingStatusCallbackMethod}; not null. Needs a {@link #statusCallback(URI)} when sent. */
    public StartRecording statusCallbackMethod(CallbackMethod method) {
        return new StartRecording(accountSid, callSid, channels, track, statusCallback,
                Objects.requireNonNull(method, "statusCallbackMethod"), statusCallbackEvents, trim);
    }

    /**
     * {@code RecordingStatusCallbackEvent}: the statuses that trigger the callback, sent
     * space-separated in the order {@code in-progress completed absent}. Replaces any set before;
     * none (an empty array) leaves the field unset. Needs a {@link #statusCallback(URI)} when sent.
     *
     * @throws NullPointerException if the array or an element is null
     */
    public StartRecording statusCallbackEvents(CallbackEvent... events) {
        return statusCallbackEvents(java.util.Arrays.asList(Objects.requireNonNull(events, "events")));
    }

    /** As {@link #statusCallbackEvents(CallbackEvent...)}, from a collection; not null, no null element. */
    public StartRecording statusCallbackEvents(Collection<CallbackEvent> events) {
        Objects.requireNonNull(events, "events");
        EnumSet<CallbackEvent> set = EnumSet.noneOf(CallbackEvent.class);
        for (CallbackEvent e : events) {
            set.add(Objects.requireNonNull(e, "events must not contain null"));
        }
        return new StartRecording(accountSid, callSid, channels, track, statusCallback, statusCallbackMethod,
                java.util.Collections.unmodifiableSet(set), trim);
    }

    /** {@code Trim}: true sends {@code trim-silence} (leading and trailing silence cut), false {@code do-not-trim}. */
    public StartRecording trim(boolean trim) {
        return new StartRecording(accountSid, callSid, channels, track, statusCallback, statusCallbackMethod,
                statusCallbackEvents, trim);
    }

    /** The account's id. */
    public String accountSid() {
        return accountSid;
    }

    /** The call's id. */
    public String callSid() {
        return callSid;
    }

    /** The channels asked for, or null to leave it to the API. */
    public @Nullable Channels channels() {
        return channels;
    }

    /** The track asked for, or null to leave it to the API. */
    public @Nullable Track track() {
        return track;
    }

    /** The status callback URL, or null for none. */
    public @Nullable URI statusCallback() {
        return statusCallback;
    }

    /** The status callback's method, or null to leave it to the API. */
    public @Nullable CallbackMethod statusCallbackMethod() {
        return statusCallbackMethod;
    }

    /** The events asked for, in their wire order; empty to leave it to the API. Unmodifiable. */
    public Set<CallbackEvent> statusCallbackEvents() {
        return statusCallbackEvents;
    }

    /** True for {@code trim-silence}, false for {@code do-not-trim}, null to leave it to the API. */
    public @Nullable Boolean trim() {
        return trim;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StartRecording s && s.accountSid.equals(accountSid) && s.callSid.equals(callSid)
                && s.channels == channels && s.track == track && Objects.equals(s.statusCallback, statusCallback)
                && s.statusCallbackMethod == statusCallbackMethod && s.statusCallbackEvents.equals(statusCallbackEvents)
                && Objects.equals(s.trim, trim);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accountSid, callSid, channels, track, statusCallback, statusCallbackMethod,
                statusCallbackEvents, trim);
    }

    /** The ids and the options set; a callback URL without its user info and query (which may hold secrets). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("StartRecording[account=").append(accountSid).append(", call=").append(callSid);
        if (channels != null) {
            b.append(", channels=").append(channels.wireValue());
        }
        if (track != null) {
            b.append(", track=").append(track.wireValue());
        }
        if (statusCallback != null) {
            b.append(", statusCallback=").append(redacted(statusCallback));
        }
        if (statusCallbackMethod != null) {
            b.append(", statusCallbackMethod=").append(statusCallbackMethod.wireValue());
        }
        if (!statusCallbackEvents.isEmpty()) {
            b.append(", statusCallbackEvents=").append(statusCallbackEvents.stream().map(CallbackEvent::wireValue)
                    .collect(java.util.stream.Collectors.joining(" ")));
        }
        if (trim != null) {
            b.append(", trim=").append(trim ? "trim-silence" : "do-not-trim");
        }
        return b.append(']').toString();
    }

    /** {@code scheme://host[:port]/path}: what may be shown of a callback URL. */
    private static String redacted(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT) + "://";
        String host = url.getHost() == null ? "" : url.getHost();
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return scheme + host + port + path + (url.getRawQuery() == null ? "" : "?…");
    }
}
