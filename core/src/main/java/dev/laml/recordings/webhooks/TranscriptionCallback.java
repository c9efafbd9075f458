package dev.laml.recordings.webhooks;

import static dev.laml.recordings.webhooks.CallbackFields.sid;
import static dev.laml.recordings.webhooks.CallbackFields.single;

import dev.laml.recordings.TranscriptionStatus;
import dev.laml.recordings.internal.Validation;
import dev.laml.recordings.protocol.ApiEndpoint;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The transcription callback SignalWire POSTs (form-encoded) to a recording's {@code transcribeCallback} URL when
 * its transcription completes or fails, typed. Signed as every webhook is: check the signature first
 * ({@link WebhookSignature}), then read the fields.
 *
 * <pre>{@code
 * Map<String, List<String>> form = FormFields.parse(body);
 * if (!signature.validForm(publicUrl, form, header)) { answer 403 }
 * if (TranscriptionCallback.isTranscription(form)) {
 *     TranscriptionCallback event = TranscriptionCallback.fromForm(form);  // MalformedCallbackException: 400
 *     event.checkUrl(client's base URL);                                    // MalformedCallbackException: 400
 *     client.fetchTranscription(event.accountSid(), event.transcriptionSid())
 * }
 * }</pre>
 *
 * <p>Fields read ({@link #fromForm}): {@code TranscriptionSid}, {@code TranscriptionStatus} and
 * {@code RecordingSid} are required; {@code TranscriptionText}, {@code TranscriptionUrl}, {@code RecordingUrl},
 * {@code AccountSid} and {@code CallSid} are optional (an empty value counts as absent). SignalWire's specification
 * lists no {@code AccountSid} for this callback (Twilio, which it mirrors, sends one): without it the account is
 * taken from {@code TranscriptionUrl} ({@code …/Accounts/{AccountSid}/Transcriptions/{Sid}}), and
 * {@link #checkUrl(URI)} then proves that URL is the API's own; a callback with neither is malformed. Sids are
 * UUIDs (checked, so that no sid from a callback can change a request's path). A status outside the specification is
 * {@link TranscriptionStatus#UNKNOWN} with the text sent in {@link #rawStatus()}. Every field, known or not, stays
 * in {@link #fields()} as sent.
 *
 * <p>Fetch by {@link #accountSid()} and {@link #transcriptionSid()} (or {@link #recordingSid()}), never by a URL
 * from the callback: {@link #checkUrl(URI)} refuses one that names another host, account, transcription or
 * recording.
 *
 * <p>An immutable value; thread-safe. Nullability is per component below; the canonical constructor checks the sids
 * with an {@link IllegalArgumentException}.
 *
 * @param accountSid        the project (account) id, a UUID, as sent or taken from {@code TranscriptionUrl}; never
 *                          null
 * @param transcriptionSid  the transcription's id, a UUID; never null
 * @param recordingSid      the recording transcribed, a UUID; never null
 * @param callSid           the call, a UUID; null when not sent
 * @param status            the transcription's state; never null
 * @param rawStatus         the status text exactly as sent; never null
 * @param transcriptionText the text as sent; null when not sent (a failed transcription)
 * @param transcriptionUrl  the transcription's URL as sent, unchecked until {@link #checkUrl(URI)}; null when not
 *                          sent
 * @param recordingUrl      the recording's URL as sent, unchecked until {@link #checkUrl(URI)}; null when not sent
 * @param fields            every field as sent, names in order of first appearance; unmodifiable; never null
 */
public record TranscriptionCallback(
        String accountSid,
        String transcriptionSid,
        String recordingSid,
        @Nullable String callSid,
        TranscriptionStatus status,
        String rawStatus,
        @Nullable String transcriptionText,
        @Nullable String transcriptionUrl,
        @Nullable String recordingUrl,
        Map<String, List<String>> fields) {

    /** The field whose presence tells a transcription callback from a recording status callback. */
    public static final String TRANSCRIPTION_SID = "TranscriptionSid";

    /**
     * Checks the components.
     *
     * @param accountSid        the project (account) id, a UUID, as sent or taken from {@code TranscriptionUrl}; never
     *                          null
     * @param transcriptionSid  the transcription's id, a UUID; never null
     * @param recordingSid      the recording transcribed, a UUID; never null
     * @param callSid           the call, a UUID; null when not sent
     * @param status            the transcription's state; never null
     * @param rawStatus         the status text exactly as sent; never null
     * @param transcriptionText the text as sent; null when not sent (a failed transcription)
     * @param transcriptionUrl  the transcription's URL as sent, unchecked until {@link #checkUrl(URI)}; null when not
     *                          sent
     * @param recordingUrl      the recording's URL as sent, unchecked until {@link #checkUrl(URI)}; null when not sent
     * @param fields            every field as sent, names in order of first appearance; unmodifiable; never null
     * @throws IllegalArgumentException if a sid is not a UUID
     * @throws NullPointerException     if a component documented as never null is null
     */
    public TranscriptionCallback {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("transcriptionSid", transcriptionSid);
        Validation.uuid("recordingSid", recordingSid);
        if (callSid != null) {
            Validation.uuid("callSid", callSid);
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(rawStatus, "rawStatus");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        Objects.requireNonNull(fields, "fields").forEach((name, values) ->
                copy.put(Objects.requireNonNull(name, "field name"), values == null ? List.of() : List.copyOf(values)));
        fields = Collections.unmodifiableMap(copy);
    }

    /**
     * Whether decoded form fields are a transcription callback rather than a recording status callback: they carry a
     * {@code TranscriptionSid}.
     *
     * @param form the fields; not null
     * @return true for a transcription callback
     */
    public static boolean isTranscription(Map<String, List<String>> form) {
        List<String> values = Objects.requireNonNull(form, "form").get(TRANSCRIPTION_SID);
        return values != null && !values.isEmpty();
    }

    /**
     * Reads the callback from its decoded form fields (see {@link FormFields#parse(byte[])}). Check the request's
     * signature first: these fields mean nothing until then.
     *
     * @param form the fields, each name with its values; not null
     * @return the typed callback; never null
     * @throws MalformedCallbackException if a required field is missing, a known field is sent more than once, a sid
     *                                    is not a UUID, or the account is neither sent nor named by
     *                                    {@code TranscriptionUrl}
     */
    public static TranscriptionCallback fromForm(Map<String, List<String>> form) {
        Objects.requireNonNull(form, "form");
        String transcriptionSid = sid(form, TRANSCRIPTION_SID, true);
        String recordingSid = sid(form, "RecordingSid", true);
        String callSid = sid(form, "CallSid", false);
        String rawStatus = single(form, "TranscriptionStatus");
        if (rawStatus == null) {
            throw new MalformedCallbackException("the callback has no TranscriptionStatus field");
        }
        String transcriptionUrl = single(form, "TranscriptionUrl");
        String accountSid = sid(form, "AccountSid", false);
        if (accountSid == null) {
            accountSid = accountOf(transcriptionUrl);
            if (accountSid == null) {
                throw new MalformedCallbackException("the callback has no AccountSid field and no TranscriptionUrl "
                        + "naming the account (…/Accounts/{AccountSid}/Transcriptions/{TranscriptionSid})");
            }
        }
        return new TranscriptionCallback(accountSid, transcriptionSid, recordingSid, callSid,
                TranscriptionStatus.fromWire(rawStatus), rawStatus, single(form, "TranscriptionText"), transcriptionUrl,
                single(form, "RecordingUrl"), form);
    }

    /**
     * Whether the transcription completed.
     *
     * @return true when the status is {@code completed}
     */
    public boolean isCompleted() {
        return status == TranscriptionStatus.COMPLETED;
    }

    /**
     * The first value of a field as sent.
     *
     * @param name the field's name, case-sensitive
     * @return the value, or null when absent
     */
    public @Nullable String field(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Throws unless {@link #transcriptionUrl()} and {@link #recordingUrl()}, when sent, name this callback's own
     * transcription and recording on the API the client talks to: the same scheme, host and port as
     * {@code baseUrl}, the base URL's path prefix, then {@code /api/laml/2010-04-01/Accounts/{accountSid}} (the
     * {@code /api/laml} part may be missing) and {@code /Transcriptions/{transcriptionSid}} (optionally
     * {@code .json}) or {@code /Recordings/{recordingSid}} (optionally {@code .wav}, {@code .mp3} or {@code .json}),
     * sids compared without regard to case, and no user info, query or fragment.
     *
     * @param baseUrl the client's base URL; not null
     * @throws MalformedCallbackException if a URL names another host, account, transcription or recording, or is not
     *                                    a plain URL
     * @throws IllegalArgumentException   if {@code baseUrl} is not an absolute http(s) URL with a host
     */
    public void checkUrl(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        ApiEndpoint endpoint = ApiEndpoint.of(baseUrl, true);
        String reason = mismatch(endpoint, "TranscriptionUrl", transcriptionUrl, "Transcriptions", transcriptionSid,
                new String[] {".json"});
        if (reason == null) {
            reason = mismatch(endpoint, "RecordingUrl", recordingUrl, "Recordings", recordingSid,
                    new String[] {".wav", ".mp3", ".json"});
        }
        if (reason != null) {
            throw new MalformedCallbackException(reason);
        }
    }

    private @Nullable String mismatch(ApiEndpoint endpoint, String name, @Nullable String value, String collection,
            String sid, String[] extensions) {
        if (value == null) {
            return null;
        }
        String shown = Validation.quote(value);
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException notAUrl) {
            return name + " is not a valid URL: " + shown;
        }
        if (!url.isAbsolute() || url.isOpaque() || url.getHost() == null) {
            return name + " is not an absolute URL with a host: " + shown;
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            return name + " carries user info, a query or a fragment: " + shown;
        }
        if (!endpoint.isSameOrigin(url)) {
            return name + " names another host than " + endpoint.baseUrl().getHost() + " (or another scheme or port): "
                    + shown;
        }
        String prefix = endpoint.baseUrl().getRawPath() == null ? "" : endpoint.baseUrl().getRawPath();
        String path = url.getRawPath();
        if (path == null || !path.startsWith(prefix + "/")) {
            return name + " is not under the API's path: " + shown;
        }
        String[] segments = segments(path.substring(prefix.length()), extensions);
        if (segments == null || !segments[4].equals(collection)) {
            return name + " is not a " + (collection.equals("Recordings") ? "recording" : "transcription")
                    + "'s URL (…/Accounts/{AccountSid}/" + collection + "/{Sid}): " + shown;
        }
        if (!segments[3].equalsIgnoreCase(accountSid)) {
            return name + " names another account than " + accountSid + ": " + shown;
        }
        if (!segments[5].equalsIgnoreCase(sid)) {
            return name + " names another " + (collection.equals("Recordings") ? "recording" : "transcription")
                    + " than " + sid + ": " + shown;
        }
        return null;
    }

    /** {@code ["", "2010-04-01", "Accounts", A, collection, sid]} of an API path, or null when not that shape. */
    private static String @Nullable [] segments(String rest, String[] extensions) {
        for (String ext : extensions) {
            if (rest.endsWith(ext)) {
                rest = rest.substring(0, rest.length() - ext.length());
                break;
            }
        }
        if (rest.startsWith("/api/laml/")) {
            rest = rest.substring("/api/laml".length());
        }
        String[] segments = rest.split("/", -1);
        if (segments.length != 6 || !segments[0].isEmpty() || !segments[1].equals("2010-04-01")
                || !segments[2].equals("Accounts")) {
            return null;
        }
        return segments;
    }

    /** The account a transcription URL names, when it is a UUID in the right place; null otherwise. */
    private static @Nullable String accountOf(@Nullable String transcriptionUrl) {
        if (transcriptionUrl == null) {
            return null;
        }
        try {
            URI url = new URI(transcriptionUrl);
            String path = url.getRawPath();
            if (path == null) {
                return null;
            }
            int at = path.indexOf("/2010-04-01/Accounts/");
            if (at < 0) {
                return null;
            }
            String[] segments = segments(path.substring(at), new String[] {".json"});
            return segments != null && segments[4].equals("Transcriptions") && Validation.isUuid(segments[3])
                    ? segments[3] : null;
        } catch (URISyntaxException notAUrl) {
            return null;
        }
    }
}
