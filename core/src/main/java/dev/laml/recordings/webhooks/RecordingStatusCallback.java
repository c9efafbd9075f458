package dev.laml.recordings.webhooks;

import static dev.laml.recordings.webhooks.CallbackFields.sid;
import static dev.laml.recordings.webhooks.CallbackFields.single;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.internal.HttpDates;
import dev.laml.recordings.internal.Validation;
import dev.laml.recordings.protocol.ApiEndpoint;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The recording status callback SignalWire POSTs (form-encoded) to a recording's
 * {@code recordingStatusCallback} URL when a recording starts, completes or is absent, typed.
 *
 * <pre>{@code
 * Map<String, List<String>> form = FormFields.parse(body);
 * if (!signature.validForm(publicUrl, form, header)) { answer 403 }
 * RecordingStatusCallback event = RecordingStatusCallback.fromForm(form);   // MalformedCallbackException: 400
 * if (!event.urlMatches(client's base URL)) { answer 400 }
 * if (event.isCompleted()) { client.download(event.accountSid(), event.recordingSid(), ...) }
 * }</pre>
 *
 * <p>Fields read ({@link #fromForm}): {@code AccountSid}, {@code RecordingSid} and
 * {@code RecordingStatus} are required; {@code CallSid}, {@code ConferenceSid},
 * {@code RecordingUrl}, {@code RecordingDuration}, {@code RecordingChannels},
 * {@code RecordingSource}, {@code RecordingStartTime} and {@code ErrorCode} are optional (an empty
 * value counts as absent). Every field, known or not, stays in {@link #fields()} as sent. Sids are
 * UUIDs, as in the REST API (checked, so that a sid from a callback can never change a request's
 * path). Status and source values outside the specification decode to {@code UNKNOWN}, with the
 * text sent in {@link #rawStatus()} / {@link #rawSource()}, as {@link Recording} does.
 *
 * <p>Fetch by {@link #accountSid()} and {@link #recordingSid()}, never by {@link #recordingUrl()}:
 * the URL arrives in the request and would send the client (and its credentials) wherever it
 * names. {@link #urlMatches(URI)} refuses a callback whose URL names another host, account or
 * recording.
 *
 * <p>An immutable value; thread-safe. Nullability is per component below; the record's canonical
 * constructor checks the sids and the channel count too, with an
 * {@link IllegalArgumentException}.
 *
 * @param accountSid    the project (account) id, a UUID; never null
 * @param callSid       the call recorded, a UUID; null when not sent (conference recordings)
 * @param conferenceSid the conference recorded, a UUID; null when not sent
 * @param recordingSid  the recording's id, a UUID; never null
 * @param recordingUrl  the audio's URL exactly as sent, unchecked (see {@link #urlMatches(URI)});
 *                      null when not sent
 * @param status        the recording's state; {@link RecordingStatus#UNKNOWN} for values outside
 *                      the specification; never null
 * @param rawStatus     the status text exactly as sent; never null
 * @param duration      the length, whole seconds as sent (negative means not known, as while in
 *                      progress); null when not sent
 * @param channels      1 or 2; 1 when not sent; never below 1
 * @param source        what started the recording; {@link RecordingSource#UNKNOWN} for values
 *                      outside the specification or when not sent; never null
 * @param rawSource     the source text exactly as sent; null when not sent
 * @param startTime     when recording started (RFC 2822 on the wire); null when not sent
 * @param errorCode     the error code as sent ({@code 0} is what a successful recording may carry);
 *                      null when not sent
 * @param fields        every field as sent, names in order of first appearance, each with its
 *                      values in the order sent; unmodifiable; never null
 */
public record RecordingStatusCallback(
        String accountSid,
        @Nullable String callSid,
        @Nullable String conferenceSid,
        String recordingSid,
        @Nullable String recordingUrl,
        RecordingStatus status,
        String rawStatus,
        @Nullable Duration duration,
        int channels,
        RecordingSource source,
        @Nullable String rawSource,
        @Nullable OffsetDateTime startTime,
        @Nullable Integer errorCode,
        Map<String, List<String>> fields) {

    public RecordingStatusCallback {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("recordingSid", recordingSid);
        if (callSid != null) {
            Validation.uuid("callSid", callSid);
        }
        if (conferenceSid != null) {
            Validation.uuid("conferenceSid", conferenceSid);
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(rawStatus, "rawStatus");
        Objects.requireNonNull(source, "source");
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, got " + channels);
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        Objects.requireNonNull(fields, "fields").forEach((name, values) ->
                copy.put(Objects.requireNonNull(name, "field name"), values == null ? List.of() : List.copyOf(values)));
        fields = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads the callback from its decoded form fields (see {@link FormFields#parse(byte[])}).
     * Check the request's signature first: these fields mean nothing until then.
     *
     * @param form the fields, each name with its values; not null
     * @return the typed callback, never null
     * @throws MalformedCallbackException if a required field is missing, a known field is sent more
     *                                    than once, a sid is not a UUID, {@code RecordingDuration},
     *                                    {@code RecordingChannels} or {@code ErrorCode} is not an
     *                                    integer, the channel count is below 1, or
     *                                    {@code RecordingStartTime} is not an RFC 2822 date
     */
    public static RecordingStatusCallback fromForm(Map<String, List<String>> form) {
        Objects.requireNonNull(form, "form");
        String accountSid = sid(form, "AccountSid", true);
        String recordingSid = sid(form, "RecordingSid", true);
        String callSid = sid(form, "CallSid", false);
        String conferenceSid = sid(form, "ConferenceSid", false);
        String recordingUrl = single(form, "RecordingUrl");
        String rawStatus = single(form, "RecordingStatus");
        if (rawStatus == null) {
            throw new MalformedCallbackException("the callback has no RecordingStatus field");
        }
        Integer seconds = integer(form, "RecordingDuration");
        Integer channels = integer(form, "RecordingChannels");
        if (channels != null && channels < 1) {
            throw new MalformedCallbackException("RecordingChannels must be at least 1, got " + channels);
        }
        String rawSource = single(form, "RecordingSource");
        String start = single(form, "RecordingStartTime");
        OffsetDateTime startTime;
        try {
            startTime = HttpDates.parse(start);
        } catch (DateTimeException notADate) {
            throw new MalformedCallbackException("RecordingStartTime must be an RFC 2822 date such as "
                    + "\"Tue, 25 Sep 2018 23:00:00 +0000\", got " + Validation.quote(start));
        }
        return new RecordingStatusCallback(accountSid, callSid, conferenceSid, recordingSid, recordingUrl,
                RecordingStatus.fromWire(rawStatus), rawStatus,
                seconds == null ? null : Duration.ofSeconds(seconds),
                channels == null ? 1 : channels,
                RecordingSource.fromWire(rawSource), rawSource, startTime,
                integer(form, "ErrorCode"), form);
    }



    private static Integer integer(Map<String, List<String>> form, String name) {
        String v = single(form, name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException notAnInteger) {
            throw new MalformedCallbackException(name + " must be a whole number, got " + Validation.quote(v));
        }
    }

    /** True when the status is {@code completed}: the audio is final and can be downloaded. */
    public boolean isCompleted() {
        return status == RecordingStatus.COMPLETED;
    }

    /** The first value of field {@code name} as sent (names are case-sensitive), or null when absent. */
    public @Nullable String field(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Whether {@link #recordingUrl()} names this callback's own recording on the API the client
     * talks to: the same scheme, host and port as {@code baseUrl} (default ports normalised, host
     * case ignored), the base URL's path prefix followed by
     * {@code /api/laml/2010-04-01/Accounts/{accountSid}/Recordings/{recordingSid}} (the
     * {@code /api/laml} part may be missing, as in the REST API's own {@code uri}s) with an optional
     * {@code .wav} or {@code .mp3}, the sids equal to {@link #accountSid()} and
     * {@link #recordingSid()} (case ignored: they are hex), and no user info, query or fragment.
     *
     * <p>An absent {@code RecordingUrl} matches: it names nothing, and the client fetches by
     * account and sid in any case.
     *
     * @param baseUrl the client's base URL, e.g. {@code https://example.signalwire.com}; not null
     * @throws IllegalArgumentException if {@code baseUrl} is not an absolute http(s) URL with a
     *                                  host, as a client's base URL must be
     */
    public boolean urlMatches(URI baseUrl) {
        return urlMismatch(baseUrl) == null;
    }

    /**
     * Throws unless {@link #urlMatches(URI)}; the message says in plain words what differs.
     *
     * @param baseUrl the client's base URL; not null
     * @throws MalformedCallbackException if the URL names another host, account or recording, or is
     *                                    not a plain URL
     * @throws IllegalArgumentException   if {@code baseUrl} is not an absolute http(s) URL with a host
     */
    public void checkUrl(URI baseUrl) {
        String reason = urlMismatch(baseUrl);
        if (reason != null) {
            throw new MalformedCallbackException(reason);
        }
    }

    private String urlMismatch(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        ApiEndpoint endpoint = ApiEndpoint.of(baseUrl, true);
        if (recordingUrl == null) {
            return null;
        }
        String shown = Validation.quote(recordingUrl);
        URI url;
        try {
            url = new URI(recordingUrl);
        } catch (URISyntaxException notAUrl) {
            return "RecordingUrl is not a valid URL: " + shown;
        }
        if (!url.isAbsolute() || url.isOpaque() || url.getHost() == null) {
            return "RecordingUrl is not an absolute URL with a host: " + shown;
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            return "RecordingUrl carries user info, a query or a fragment: " + shown;
        }
        if (!endpoint.isSameOrigin(url)) {
            return "RecordingUrl names another host than " + endpoint.baseUrl().getHost()
                    + " (or another scheme or port): " + shown;
        }
        String prefix = endpoint.baseUrl().getRawPath() == null ? "" : endpoint.baseUrl().getRawPath();
        String path = url.getRawPath();
        if (path == null || !path.startsWith(prefix + "/")) {
            return "RecordingUrl is not under the API's path: " + shown;
        }
        String rest = path.substring(prefix.length());
        if (rest.endsWith(".wav") || rest.endsWith(".mp3")) {
            rest = rest.substring(0, rest.length() - 4);
        }
        if (rest.startsWith("/api/laml/")) {
            rest = rest.substring("/api/laml".length());
        }
        String[] segments = rest.split("/", -1);
        if (segments.length != 6 || !segments[0].isEmpty() || !segments[1].equals("2010-04-01")
                || !segments[2].equals("Accounts") || !segments[4].equals("Recordings")) {
            return "RecordingUrl is not a recording's URL (…/Accounts/{AccountSid}/Recordings/{RecordingSid}): " + shown;
        }
        if (!segments[3].equalsIgnoreCase(accountSid)) {
            return "RecordingUrl names another account than AccountSid " + accountSid + ": " + shown;
        }
        if (!segments[5].equalsIgnoreCase(recordingSid)) {
            return "RecordingUrl names another recording than RecordingSid " + recordingSid + ": " + shown;
        }
        return null;
    }
}
