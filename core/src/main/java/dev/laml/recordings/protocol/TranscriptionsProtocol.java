package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionPage;
import dev.laml.recordings.TranscriptionQuery;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.TranscriptionDecoder;
import dev.laml.recordings.internal.Validation;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The transcriptions protocol without I/O, beside {@link RecordingsProtocol} and on the same endpoint
 * and credentials: which request lists, fetches or deletes transcriptions, and what the answer means.
 *
 * <ul>
 *   <li>{@code GET …/Accounts/{AccountSid}/Transcriptions.json} with {@code PageSize},
 *       {@code DateCreated}, {@code DateCreated<}, {@code DateCreated>} ({@link #list});</li>
 *   <li>{@code GET …/Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions.json}, a
 *       recording's {@code subresource_uris.transcriptions} ({@link #listForRecording});</li>
 *   <li>{@code GET} and {@code DELETE …/Accounts/{AccountSid}/Transcriptions/{Sid}.json}
 *       ({@link #fetch}, {@link #delete}).</li>
 * </ul>
 *
 * <p>Every id is validated as a UUID ({@link IllegalArgumentException} naming the parameter) before
 * a request exists; every request carries the JSON headers of a metadata request, credentials
 * included when configured, and goes only to the endpoint's origin. A list's
 * {@code next_page_uri} is followed with {@link #nextPage} under the same rules as a recordings list
 * (a path on the configured endpoint, the same list, a safe query).
 *
 * <p>Immutable and thread-safe; no method accepts or returns null.
 */
public final class TranscriptionsProtocol {

    /** Any valid id: only used to obtain the headers every metadata request of the endpoint carries. */
    private static final String ANY_SID = "00000000-0000-0000-0000-000000000000";

    private final RecordingsProtocol recordings;
    private final String accountsRoot;
    private final Map<String, String> jsonHeaders;

    private TranscriptionsProtocol(RecordingsProtocol recordings) {
        this.recordings = recordings;
        this.accountsRoot = recordings.endpoint().baseUrl() + RecordingsProtocol.API_ROOT;
        // The headers of a metadata request (Accept, User-Agent, Authorization when configured), taken
        // from the recordings protocol so that credentials have one owner and one rule.
        this.jsonHeaders = recordings.fetch(ANY_SID, ANY_SID).headers();
    }

    /**
     * The transcriptions protocol on the endpoint and credentials of {@code recordings}.
     *
     * @param recordings the recordings protocol; not null
     * @return the protocol; never null
     */
    public static TranscriptionsProtocol of(RecordingsProtocol recordings) {
        return new TranscriptionsProtocol(Objects.requireNonNull(recordings, "recordings"));
    }

    // ---------------------------------------------------------------- request side

    /**
     * {@code GET …/Transcriptions.json} with the query's page size and date filters (RFC 2822, as the
     * API wants them).
     *
     * @param accountSid the account, a UUID
     * @param query      the filters; not null
     * @return the request; never null
     * @throws IllegalArgumentException if the account id is not a UUID or the query is null
     */
    public ApiRequest list(String accountSid, TranscriptionQuery query) {
        Validation.uuid("accountSid", accountSid);
        if (query == null) {
            throw new IllegalArgumentException("query must not be null");
        }
        StringBuilder q = Requests.pageAndDates(query.pageSize(), query.createdOn(), query.createdBefore(),
                query.createdAfter());
        return get(URI.create(accountsRoot + accountSid + "/Transcriptions.json?" + q));
    }

    /**
     * {@code GET …/Recordings/{RecordingSid}/Transcriptions.json}: the transcriptions of one recording
     * (its {@code subresource_uris.transcriptions}), at most {@code pageSize} per page.
     *
     * @param accountSid   the account, a UUID
     * @param recordingSid the recording, a UUID
     * @param pageSize     1 to {@value TranscriptionQuery#MAX_PAGE_SIZE}
     * @return the request; never null
     * @throws IllegalArgumentException if an id is not a UUID or the page size is out of range
     */
    public ApiRequest listForRecording(String accountSid, String recordingSid, int pageSize) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("recordingSid", recordingSid);
        TranscriptionQuery.all().pageSize(pageSize); // the same range check and message
        return get(URI.create(accountsRoot + accountSid + "/Recordings/" + recordingSid + "/Transcriptions.json?PageSize="
                + pageSize));
    }

    /**
     * {@code GET …/Transcriptions/{Sid}.json}.
     *
     * @param accountSid       the account, a UUID
     * @param transcriptionSid the transcription, a UUID
     * @return the request; never null
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest fetch(String accountSid, String transcriptionSid) {
        return get(transcriptionUri(accountSid, transcriptionSid));
    }

    /**
     * {@code DELETE …/Transcriptions/{Sid}.json}; the API answers 204.
     *
     * @param accountSid       the account, a UUID
     * @param transcriptionSid the transcription, a UUID
     * @return the request; never null
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest delete(String accountSid, String transcriptionSid) {
        return new ApiRequest("DELETE", transcriptionUri(accountSid, transcriptionSid), jsonHeaders,
                ApiRequest.Kind.METADATA);
    }

    /**
     * The request for the page a list answer announced, under {@link RecordingsProtocol#nextPage}'s
     * rules: a path on the configured endpoint whatever host it names, the same list as
     * {@code previous} (a missing {@code /api/laml} prefix or {@code .json} suffix restored), a
     * query of printable ASCII.
     *
     * @param previous    the request whose answer announced the page; not null
     * @param nextPageUri the answer's {@code next_page_uri}; not null
     * @return the request; never null
     * @throws UnexpectedResponseException if it names another host, another list, or is malformed
     */
    public ApiRequest nextPage(ApiRequest previous, String nextPageUri) {
        return recordings.nextPage(previous, nextPageUri);
    }

    // ---------------------------------------------------------------- response side

    /**
     * Interprets a complete answer to {@link #fetch}.
     *
     * @param request the request answered; not null
     * @param status  the HTTP status
     * @param reason  the reason phrase; may be null
     * @param headers the answer's headers; not null
     * @param body    the whole body; not null
     * @return the transcription; never null
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a transcription document
     */
    public Transcription decodeTranscription(ApiRequest request, int status, @Nullable String reason, HeaderLookup headers,
            byte[] body) {
        if (status < 200 || status > 299) {
            throw recordings.error(request, status, reason, headers, body);
        }
        try {
            return TranscriptionDecoder.decode(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a transcription document: " + safe(e.getMessage()), status, null, null,
                    null);
        }
    }

    /**
     * Interprets a complete answer to {@link #list}, {@link #listForRecording} or {@link #nextPage}.
     *
     * @param request the request answered; not null
     * @param status  the HTTP status
     * @param reason  the reason phrase; may be null
     * @param headers the answer's headers; not null
     * @param body    the whole body; not null
     * @return the page; never null
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a transcriptions list
     */
    public TranscriptionPage decodePage(ApiRequest request, int status, @Nullable String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw recordings.error(request, status, reason, headers, body);
        }
        try {
            return TranscriptionDecoder.decodePage(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a transcriptions list: " + safe(e.getMessage()), status, null, null, null);
        }
    }

    /**
     * Interprets the answer to {@link #delete}: any 2xx (the API sends 204) means deleted.
     *
     * @param request the request answered; not null
     * @param status  the HTTP status
     * @param reason  the reason phrase; may be null
     * @param headers the answer's headers; not null
     * @param body    the body read (an error's); not null
     * @throws ApiException otherwise ({@link dev.laml.recordings.NotFoundException} for 404)
     */
    public void checkDeleted(ApiRequest request, int status, @Nullable String reason, HeaderLookup headers, byte[] body) {
        recordings.checkDeleted(request, status, reason, headers, body);
    }

    private ApiRequest get(URI uri) {
        return new ApiRequest("GET", uri, jsonHeaders, ApiRequest.Kind.METADATA);
    }

    private URI transcriptionUri(String accountSid, String transcriptionSid) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("transcriptionSid", transcriptionSid);
        return URI.create(accountsRoot + accountSid + "/Transcriptions/" + transcriptionSid + ".json");
    }

    private static String safe(String s) {
        if (s == null) {
            return "";
        }
        String r = s.replaceAll("\\p{Cc}", " ");
        return r.length() > 200 ? r.substring(0, 200) + "…" : r;
    }

    @Override
    public String toString() {
        return "TranscriptionsProtocol[" + recordings.endpoint().baseUrl() + "]";
    }
}
