package dev.laml.recordings.protocol;

import dev.laml.recordings.internal.UserAgent;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.Credentials;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.HttpDates;
import dev.laml.recordings.internal.Validation;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request side of {@link RecordingsProtocol}: which request each operation sends (method, URI, headers), and
 * the one request a response asks for, the next page of a list. It owns the rules that keep a request on its host
 * and path: every id is validated before a URI exists, a {@code next_page_uri} from a body is taken as a path on the
 * configured endpoint, and credentials go to metadata requests, and to media requests only on the endpoint's own
 * origin when the protocol was built to send them there.
 *
 * <p>Kept apart from the response side because it is the only part that holds the credentials and the endpoint's
 * URL: what a response means never depends on them. Immutable and thread-safe, like the protocol that owns it.
 */
final class Requests {

    /** The {@code Accept} of a media URL whose format the URL does not say. */
    private static final String ANY_AUDIO = "audio/*";
    private static final String USER_AGENT = UserAgent.VALUE;

    private final ApiEndpoint endpoint;
    private final Credentials credentials;
    private final boolean credentialsToMedia;
    /**
     * What every request of a kind sends, built once: requests are made per call, often
     * thousands at a time, and these never change for a protocol. Immutable, so
     * {@link ApiRequest} keeps them without copying.
     */
    private final String accountsRoot;
    private final Map<String, String> jsonHeaders;
    /** By {@code Accept} value (one per {@link AudioFormat}, and {@code audio/*}): without, and with, credentials. */
    private final Map<String, Map<String, String>> mediaHeaders;
    private final Map<String, Map<String, String>> mediaHeadersWithCredentials;

    /**
     * @param credentials        null for none
     * @param credentialsToMedia whether media requests to the endpoint's own origin carry the credentials too
     */
    Requests(ApiEndpoint endpoint, Credentials credentials, boolean credentialsToMedia) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.credentialsToMedia = credentialsToMedia;
        this.accountsRoot = endpoint.baseUrl() + RecordingsProtocol.API_ROOT;
        Map<String, String> json = baseHeaders("application/json");
        if (credentials != null) {
            json.put(RecordingsProtocol.AUTHORIZATION, credentials.authorizationHeader());
        }
        this.jsonHeaders = Map.copyOf(json);
        Map<String, Map<String, String>> plain = new HashMap<>();
        Map<String, Map<String, String>> withCredentials = new HashMap<>();
        List<String> accepts = new ArrayList<>(List.of(ANY_AUDIO));
        for (AudioFormat format : AudioFormat.values()) {
            accepts.add(format.mediaType());
        }
        for (String accept : accepts) {
            plain.put(accept, Map.copyOf(mediaHeaders(accept, false)));
            withCredentials.put(accept, Map.copyOf(mediaHeaders(accept, true)));
        }
        this.mediaHeaders = Map.copyOf(plain);
        this.mediaHeadersWithCredentials = Map.copyOf(withCredentials);
    }

    /** See {@link RecordingsProtocol#fetch}. */
    ApiRequest fetch(String accountSid, String recordingSid) {
        return new ApiRequest("GET", recordingUri(accountSid, recordingSid, ".json"), jsonHeaders,
                ApiRequest.Kind.METADATA);
    }

    /** See {@link RecordingsProtocol#media(String, String, AudioFormat)}. */
    ApiRequest media(String accountSid, String recordingSid, AudioFormat format) {
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        return mediaRequest(recordingUri(accountSid, recordingSid, format.extension()), format.mediaType());
    }

    /** See {@link RecordingsProtocol#media(URI)}. */
    ApiRequest media(URI mediaUrl) {
        if (mediaUrl == null) {
            throw new IllegalArgumentException("mediaUrl must not be null");
        }
        ApiEndpoint.checkOrigin("mediaUrl", mediaUrl, endpoint.isInsecureHttpAllowed());
        URI target = mediaUrl;
        if (mediaUrl.getRawFragment() != null) {
            // A fragment is never sent on the wire; drop it rather than let a transport trip on it.
            target = URI.create(mediaUrl.toString().substring(0, mediaUrl.toString().indexOf('#')));
        }
        return mediaRequest(target, ANY_AUDIO);
    }

    /** See {@link RecordingsProtocol#list}. */
    ApiRequest list(String accountSid, RecordingQuery query) {
        Validation.uuid("accountSid", accountSid);
        if (query == null) {
            throw new IllegalArgumentException("query must not be null");
        }
        StringBuilder q = pageAndDates(query.pageSize(), query.createdOn(), query.createdBefore(), query.createdAfter());
        if (query.callSid() != null) {
            q.append("&CallSid=").append(query.callSid());
        }
        if (query.conferenceSid() != null) {
            q.append("&ConferenceSid=").append(query.conferenceSid());
        }
        URI uri = URI.create(accountsRoot + accountSid + "/Recordings.json?" + q);
        return new ApiRequest("GET", uri, jsonHeaders, ApiRequest.Kind.METADATA);
    }

    /** See {@link RecordingsProtocol#nextPage}. */
    ApiRequest nextPage(ApiRequest previous, String nextPageUri) {
        URI next;
        try {
            next = new URI(nextPageUri.trim());
        } catch (URISyntaxException | NullPointerException e) {
            throw pagingRefused(previous, "an unreadable next_page_uri");
        }
        if (next.getHost() != null && !endpoint.isSameOrigin(next)) {
            throw pagingRefused(previous, "a next_page_uri on another host");
        }
        String path = next.getRawPath() == null ? "" : next.getRawPath();
        if (path.startsWith("/2010-04-01/")) {
            path = "/api/laml" + path;
        }
        if (!path.endsWith(".json")) {
            path = path + ".json";
        }
        String expected = previous.uri().getRawPath();
        String prefix = endpoint.baseUrl().getRawPath();
        if (!(prefix + path).equals(expected)) {
            throw pagingRefused(previous, "a next_page_uri outside this recordings list");
        }
        String query = next.getRawQuery();
        if (query != null && !query.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw pagingRefused(previous, "a next_page_uri with an unsafe query");
        }
        URI uri = URI.create(endpoint.baseUrl() + path + (query == null ? "" : "?" + query));
        return previous.with(uri, previous.headers());
    }

    private static UnexpectedResponseException pagingRefused(ApiRequest request, String why) {
        return new UnexpectedResponseException(request.describe() + " answered with " + why
                + "; paging stopped", 200, null, null, null);
    }

    /** See {@link RecordingsProtocol#delete}. */
    ApiRequest delete(String accountSid, String recordingSid) {
        return new ApiRequest("DELETE", recordingUri(accountSid, recordingSid, ".json"), jsonHeaders,
                ApiRequest.Kind.METADATA);
    }

    /**
     * The query string every list of this API starts with: {@code PageSize}, then the creation filters set
     * ({@code DateCreated} as a day, {@code DateCreated<} and {@code DateCreated>} in RFC 2822). One copy for
     * recordings and transcriptions, which filter alike.
     */
    static StringBuilder pageAndDates(int pageSize, @Nullable LocalDate createdOn, @Nullable OffsetDateTime createdBefore,
            @Nullable OffsetDateTime createdAfter) {
        StringBuilder q = new StringBuilder("PageSize=").append(pageSize);
        if (createdOn != null) {
            q.append("&DateCreated=").append(createdOn);
        }
        if (createdBefore != null) {
            q.append("&DateCreated%3C=").append(encode(HttpDates.format(createdBefore)));
        }
        if (createdAfter != null) {
            q.append("&DateCreated%3E=").append(encode(HttpDates.format(createdAfter)));
        }
        return q;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private ApiRequest mediaRequest(URI uri, String accept) {
        boolean withCredentials = credentialsToMedia && credentials != null && endpoint.isSameOrigin(uri);
        Map<String, String> headers = (withCredentials ? mediaHeadersWithCredentials : mediaHeaders).get(accept);
        return new ApiRequest("GET", uri, headers != null ? headers : mediaHeaders(accept, withCredentials),
                ApiRequest.Kind.MEDIA);
    }

    private Map<String, String> mediaHeaders(String accept, boolean withCredentials) {
        Map<String, String> headers = baseHeaders(accept);
        if (withCredentials && credentials != null) {
            headers.put(RecordingsProtocol.AUTHORIZATION, credentials.authorizationHeader());
        }
        return headers;
    }

    private URI recordingUri(String accountSid, String recordingSid, String extension) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("recordingSid", recordingSid);
        return URI.create(accountsRoot + accountSid + "/Recordings/" + recordingSid + extension);
    }

    private static Map<String, String> baseHeaders(String accept) {
        Map<String, String> headers = new LinkedHashMap<>(8);
        headers.put("Accept", accept);
        // Said, not left out: without it any coding is acceptable (RFC 9110 12.5.3), and a coded
        // body can neither be resumed at an audio offset nor have its length known up front.
        headers.put("Accept-Encoding", "identity");
        headers.put("User-Agent", USER_AGENT);
        return headers;
    }
}
