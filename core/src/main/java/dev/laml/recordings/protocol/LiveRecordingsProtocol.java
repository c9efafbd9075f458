package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.UpdateRecording;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.FormEncoder;
import dev.laml.recordings.internal.Validation;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The protocol of recordings that are being made, without I/O: starting a call's recording,
 * pausing, resuming and stopping a call's or a conference's, and a conference's recordings
 * (list, fetch, delete). A companion of {@link RecordingsProtocol}, whose endpoint, credentials
 * and answer interpretation it shares: every answer is read as a {@link Recording} (loosely:
 * unknown statuses and sources kept raw) or a typed {@link ApiException} exactly as for
 * {@link RecordingsProtocol#fetch}.
 *
 * <p>Request side: ids are validated when the request values are made ({@link StartRecording},
 * {@link UpdateRecording}, {@link RecordingOwner}) or here, before a request exists; credentials
 * go with every request, to the configured endpoint only (https, or http to loopback or when
 * explicitly allowed, as for metadata). Writes carry their fields as an
 * {@code application/x-www-form-urlencoded} body in UTF-8 ({@link ApiRequest#body()}), with the
 * field names exactly as SignalWire's: {@code RecordingChannels}, {@code RecordingStatusCallback},
 * {@code RecordingStatusCallbackEvent}, {@code RecordingStatusCallbackMethod},
 * {@code RecordingTrack}, {@code Trim}, {@code Status}, {@code PauseBehavior}.
 *
 * <p>Immutable and thread-safe; no method returns null.
 */
public final class LiveRecordingsProtocol {

    /** The {@code Content-Type} of every write's body. */
    public static final String FORM = "application/x-www-form-urlencoded";

    private static final String ROOT = "/api/laml/2010-04-01/Accounts/";
    /** Any valid pair of ids: only the headers of the request built from them are kept. */
    private static final String NIL = "00000000-0000-0000-0000-000000000000";

    private final RecordingsProtocol recordings;
    private final String accountsRoot;
    /** What every request carries (Accept, User-Agent, credentials when configured): the metadata headers. */
    private final Map<String, String> headers;

    private LiveRecordingsProtocol(RecordingsProtocol recordings) {
        this.recordings = recordings;
        this.accountsRoot = recordings.endpoint().baseUrl() + ROOT;
        // The very headers a metadata request sends, so that credentials, Accept and User-Agent are
        // decided in one place: taken from a request the recordings protocol builds.
        this.headers = recordings.fetch(NIL, NIL).headers();
    }

    /** The live-recordings protocol on {@code recordings}' endpoint and credentials; not null. */
    public static LiveRecordingsProtocol of(RecordingsProtocol recordings) {
        return new LiveRecordingsProtocol(Objects.requireNonNull(recordings, "recordings"));
    }

    /** The recordings protocol this one shares its endpoint, credentials and answers with. */
    public RecordingsProtocol recordings() {
        return recordings;
    }

    // ---------------------------------------------------------------- request side

    /**
     * {@code POST …/Calls/{CallSid}/Recordings.json} with the options set in {@code request}
     * (unset ones are not sent).
     *
     * @throws IllegalArgumentException if the request is null, or names a callback method or
     *                                  events without a callback URL
     */
    public ApiRequest start(StartRecording request) {
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        if (request.statusCallback() == null
                && (request.statusCallbackMethod() != null || !request.statusCallbackEvents().isEmpty())) {
            throw new IllegalArgumentException("statusCallbackMethod and statusCallbackEvents need a statusCallback URL");
        }
        FormEncoder form = new FormEncoder();
        if (request.channels() != null) {
            form.add("RecordingChannels", request.channels().wireValue());
        }
        if (request.statusCallback() != null) {
            form.add("RecordingStatusCallback", request.statusCallback().toString());
        }
        if (!request.statusCallbackEvents().isEmpty()) {
            form.add("RecordingStatusCallbackEvent", request.statusCallbackEvents().stream()
                    .map(StartRecording.CallbackEvent::wireValue).collect(Collectors.joining(" ")));
        }
        if (request.statusCallbackMethod() != null) {
            form.add("RecordingStatusCallbackMethod", request.statusCallbackMethod().wireValue());
        }
        if (request.track() != null) {
            form.add("RecordingTrack", request.track().wireValue());
        }
        if (request.trim() != null) {
            form.add("Trim", request.trim() ? "trim-silence" : "do-not-trim");
        }
        URI uri = URI.create(accountsRoot + request.accountSid() + "/Calls/" + request.callSid() + "/Recordings.json");
        return write(uri, form);
    }

    /**
     * {@code POST …/Calls/{CallSid}/Recordings/{Sid}.json} or
     * {@code POST …/Conferences/{ConferenceSid}/Recordings/{Sid}.json} with {@code Status} and,
     * when set, {@code PauseBehavior}.
     *
     * @throws IllegalArgumentException if the request is null
     */
    public ApiRequest update(UpdateRecording request) {
        if (request == null) {
            throw new IllegalArgumentException("request must not be null");
        }
        FormEncoder form = new FormEncoder().add("Status", request.action().wireValue());
        if (request.pauseBehavior() != null) {
            form.add("PauseBehavior", request.pauseBehavior().wireValue());
        }
        return write(ownedRecording(request.accountSid(), request.owner(), request.recordingSid()), form);
    }

    /**
     * {@code GET …/Conferences/{ConferenceSid}/Recordings.json}: the first page of a conference's
     * recordings; later pages through {@link #nextPage}.
     *
     * @throws IllegalArgumentException if an id is not a UUID
     */
    public ApiRequest conferenceList(String accountSid, String conferenceSid) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("conferenceSid", conferenceSid);
        return new ApiRequest("GET", URI.create(accountsRoot + accountSid + "/Conferences/" + conferenceSid
                + "/Recordings.json"), headers, ApiRequest.Kind.METADATA);
    }

    /**
     * {@code GET …/Conferences/{ConferenceSid}/Recordings/{Sid}.json}.
     *
     * @throws IllegalArgumentException if an id is not a UUID
     */
    public ApiRequest conferenceFetch(String accountSid, String conferenceSid, String recordingSid) {
        return new ApiRequest("GET", conferenceRecording(accountSid, conferenceSid, recordingSid), headers,
                ApiRequest.Kind.METADATA);
    }

    /**
     * {@code DELETE …/Conferences/{ConferenceSid}/Recordings/{Sid}.json}; any 2xx (the API sends
     * 204) means deleted, see {@link #checkDeleted}.
     *
     * @throws IllegalArgumentException if an id is not a UUID
     */
    public ApiRequest conferenceDelete(String accountSid, String conferenceSid, String recordingSid) {
        return new ApiRequest("DELETE", conferenceRecording(accountSid, conferenceSid, recordingSid), headers,
                ApiRequest.Kind.METADATA);
    }

    /**
     * The request for the page a conference list announced in {@code next_page_uri}: the same
     * rules as {@link RecordingsProtocol#nextPage} (the configured endpoint only, the same list
     * only).
     *
     * @throws UnexpectedResponseException if it names another host, another path, or is malformed
     */
    public ApiRequest nextPage(ApiRequest previous, String nextPageUri) {
        return recordings.nextPage(previous, nextPageUri);
    }

    private URI conferenceRecording(String accountSid, String conferenceSid, String recordingSid) {
        return ownedRecording(accountSid, RecordingOwner.conference(conferenceSid), recordingSid);
    }

    private URI ownedRecording(String accountSid, RecordingOwner owner, String recordingSid) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("recordingSid", recordingSid);
        return URI.create(accountsRoot + accountSid + "/" + owner.kind().pathSegment() + "/" + owner.sid()
                + "/Recordings/" + recordingSid + ".json");
    }

    private ApiRequest write(URI uri, FormEncoder form) {
        byte[] body = form.toBytes();
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", FORM);
        h.put("Content-Length", Integer.toString(body.length));
        return new ApiRequest("POST", uri, h, ApiRequest.Kind.METADATA, body);
    }

    // ---------------------------------------------------------------- response side

    /**
     * Interprets the answer to any request of this protocol but the delete: the recording it
     * concerns, as {@link RecordingsProtocol#decodeRecording} reads one.
     *
     * @throws ApiException for an error status (400, 401, 404, 422, 429, 5xx typed as for
     *                      metadata), or an {@link UnexpectedResponseException} when a success body
     *                      is not a recording document
     */
    public Recording decodeRecording(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        return recordings.decodeRecording(request, status, reason, headers, body);
    }

    /** Interprets a page of a conference's recordings, as {@link RecordingsProtocol#decodePage} does. */
    public RecordingPage decodePage(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        return recordings.decodePage(request, status, reason, headers, body);
    }

    /** Interprets the answer to {@link #conferenceDelete}, as {@link RecordingsProtocol#checkDeleted} does. */
    public void checkDeleted(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        recordings.checkDeleted(request, status, reason, headers, body);
    }

    /** The form a request carries, as text (ASCII by construction); empty for a request without a body. */
    public static String formOf(ApiRequest request) {
        return new String(request.body(), StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "LiveRecordingsProtocol[" + recordings.endpoint().baseUrl() + "]";
    }
}
