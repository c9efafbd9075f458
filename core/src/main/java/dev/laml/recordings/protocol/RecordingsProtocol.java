package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.Credentials;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.ErrorBodies;
import dev.laml.recordings.internal.ErrorBodies.ErrorInfo;
import dev.laml.recordings.internal.HttpDates;
import dev.laml.recordings.internal.RecordingDecoder;
import dev.laml.recordings.internal.UserAgent;
import org.jspecify.annotations.NullUnmarked;
import dev.laml.recordings.internal.Validation;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The recordings protocol without I/O: which request to send for an operation, and what a
 * response means. Adapters (Reactor Netty today; any HTTP client tomorrow) call it on both sides
 * of the wire and decide nothing about the protocol themselves.
 *
 * <p>Request side: every id is validated ({@link IllegalArgumentException} naming the parameter,
 * before a request exists), credentials go only to metadata requests, or to media requests on
 * this endpoint's own origin when {@link Builder#sendCredentialsToMedia(boolean)} opted in.
 * Response side: status, content type and body become a {@link Recording} or a typed
 * {@link ApiException}; transfer failures become {@link TransferException}s.
 *
 * <p>Immutable and thread-safe; methods never return null unless stated.
 */
// Its nullable parameters and results are stated in its javadoc but not yet marked (the class is being split into
// collaborators); until they are, it opts out of the package's @NullMarked rather than claim non-null everywhere.
@NullUnmarked
public final class RecordingsProtocol {

    /** The header that carries credentials. */
    public static final String AUTHORIZATION = "Authorization";

    /** Default cap on a metadata body: 1 MiB, far above any real recording document. */
    public static final int DEFAULT_MAX_METADATA_BYTES = 1 << 20;

    /** How much of an error body is read to interpret it; the rest is discarded. */
    public static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    static final String API_ROOT = "/api/laml/2010-04-01/Accounts/";
    /** The {@code Accept} of a media URL whose format the URL does not say. */
    private static final String ANY_AUDIO = "audio/*";
    private static final String USER_AGENT = UserAgent.VALUE;

    private final ApiEndpoint endpoint;
    private final Credentials credentials;
    private final boolean credentialsToMedia;
    private final int maxMetadataBytes;
    private final Clock clock;
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

    private RecordingsProtocol(Builder b) {
        this.endpoint = b.endpoint;
        this.credentials = b.credentials;
        this.credentialsToMedia = b.credentialsToMedia;
        this.maxMetadataBytes = b.maxMetadataBytes;
        this.clock = b.clock;
        this.accountsRoot = endpoint.baseUrl() + API_ROOT;
        Map<String, String> json = baseHeaders("application/json");
        if (credentials != null) {
            json.put(AUTHORIZATION, credentials.authorizationHeader());
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

    /** Starts a protocol for {@code endpoint}; not null. */
    public static Builder builder(ApiEndpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    public ApiEndpoint endpoint() {
        return endpoint;
    }

    /** The largest metadata body accepted, in bytes. */
    public int maxMetadataBytes() {
        return maxMetadataBytes;
    }

    /** True when credentials were configured. */
    public boolean hasCredentials() {
        return credentials != null;
    }

    // ---------------------------------------------------------------- request side

    /**
     * {@code GET …/Recordings/{Sid}.json} with Basic credentials (when configured; without them
     * the server's 401 becomes an {@link AuthenticationException}).
     *
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest fetch(String accountSid, String recordingSid) {
        return new ApiRequest("GET", recordingUri(accountSid, recordingSid, ".json"), jsonHeaders,
                ApiRequest.Kind.METADATA);
    }

    /**
     * {@code GET …/Recordings/{Sid}.wav} or {@code .mp3}: public, so no credentials unless
     * {@link Builder#sendCredentialsToMedia(boolean)} opted in.
     *
     * @throws IllegalArgumentException if an id is not a UUID or {@code format} is null
     */
    public ApiRequest media(String accountSid, String recordingSid, AudioFormat format) {
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        return mediaRequest(recordingUri(accountSid, recordingSid, format.extension()), format.mediaType());
    }

    /**
     * {@code GET mediaUrl}, a recording URL as found in a callback or metadata. Credentials are
     * attached only when opted in <em>and</em> the URL is on this endpoint's origin; a URL on any
     * other host is fetched anonymously.
     *
     * @throws IllegalArgumentException if the URL is not absolute http(s), carries user info, or is
     *                                  plain http to a non-loopback host without
     *                                  {@link ApiEndpoint#isInsecureHttpAllowed()}
     */
    public ApiRequest media(URI mediaUrl) {
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

    /**
     * {@code GET …/Recordings.json} with the query's filters (dates in RFC 2822, as the API
     * wants them) and credentials.
     *
     * @throws IllegalArgumentException if the account id is not a UUID or the query is null
     */
    public ApiRequest list(String accountSid, RecordingQuery query) {
        Validation.uuid("accountSid", accountSid);
        if (query == null) {
            throw new IllegalArgumentException("query must not be null");
        }
        StringBuilder q = new StringBuilder("PageSize=").append(query.pageSize());
        if (query.createdOn() != null) {
            q.append("&DateCreated=").append(query.createdOn());
        }
        if (query.createdBefore() != null) {
            q.append("&DateCreated%3C=").append(encode(HttpDates.format(query.createdBefore())));
        }
        if (query.createdAfter() != null) {
            q.append("&DateCreated%3E=").append(encode(HttpDates.format(query.createdAfter())));
        }
        if (query.callSid() != null) {
            q.append("&CallSid=").append(query.callSid());
        }
        if (query.conferenceSid() != null) {
            q.append("&ConferenceSid=").append(query.conferenceSid());
        }
        URI uri = URI.create(accountsRoot + accountSid + "/Recordings.json?" + q);
        return new ApiRequest("GET", uri, jsonHeaders, ApiRequest.Kind.METADATA);
    }

    /**
     * The request for the page a list response announced in {@code next_page_uri}. The URI is
     * taken as a path on the configured endpoint, whatever host it may name: a body cannot send
     * credentials elsewhere. It must be the same account's recordings list (a missing
     * {@code /api/laml} prefix or {@code .json} suffix is restored).
     *
     * @throws UnexpectedResponseException if it names another host, another path, or is malformed
     */
    public ApiRequest nextPage(ApiRequest previous, String nextPageUri) {
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

    private UnexpectedResponseException pagingRefused(ApiRequest request, String why) {
        return new UnexpectedResponseException(request.describe() + " answered with " + why
                + "; paging stopped", 200, null, null, null);
    }

    /**
     * {@code DELETE …/Recordings/{Sid}.json} with credentials.
     *
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest delete(String accountSid, String recordingSid) {
        return new ApiRequest("DELETE", recordingUri(accountSid, recordingSid, ".json"), jsonHeaders,
                ApiRequest.Kind.METADATA);
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
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
            headers.put(AUTHORIZATION, credentials.authorizationHeader());
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

    // ---------------------------------------------------------------- redirects

    /** Most redirects followed for one request. */
    public static final int MAX_REDIRECTS = 5;

    /** True for the redirect statuses this client follows: 301, 302, 303, 307, 308. */
    public boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * The request that follows a redirect answer to {@code request}.
     *
     * <p>Credentials are dropped whenever scheme, host or port change, and never come back on a
     * later hop. A move from https to http is refused, as is any target the endpoint would refuse
     * as a media URL (plain http to a non-loopback host without {@code allowInsecureHttp}, user
     * info), a loop (a URL requested twice already), and more than {@link #MAX_REDIRECTS} hops.
     *
     * @param visited every URI requested so far in this chain, the first request's included
     * @throws UnexpectedResponseException when the redirect must not be followed
     */
    public ApiRequest redirect(ApiRequest request, int status, HeaderLookup headers, List<URI> visited) {
        String location = headers.get("Location");
        if (location == null || location.isBlank()) {
            throw redirectRefused(request, status, "no Location header");
        }
        URI target;
        try {
            target = resolveLocation(request.uri(), new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw redirectRefused(request, status, "an unreadable Location");
        }
        // One revisit is allowed (a redirect to the same URL can set state, and an emulator's
        // "redirect to self" is answered properly the second time); a third visit is a loop.
        if (java.util.Collections.frequency(visited, target) >= 2) {
            throw redirectRefused(request, status, "a redirect loop back to " + target.getRawPath());
        }
        if (visited.size() > MAX_REDIRECTS) {
            throw redirectRefused(request, status, "more than " + MAX_REDIRECTS + " redirects");
        }
        if ("https".equalsIgnoreCase(request.uri().getScheme()) && "http".equalsIgnoreCase(target.getScheme())) {
            throw redirectRefused(request, status, "a downgrade from https to http");
        }
        try {
            // Checked without its query, so that a refusal never echoes a signed URL's signature.
            String t = target.toString();
            URI withoutQuery = target.getRawQuery() == null ? target : URI.create(t.substring(0, t.indexOf('?')));
            ApiEndpoint.checkOrigin("redirect target", withoutQuery, endpoint.isInsecureHttpAllowed());
        } catch (IllegalArgumentException e) {
            throw redirectRefused(request, status, "a target this client refuses (" + e.getMessage() + ")");
        }
        Map<String, String> next = new LinkedHashMap<>(request.headers());
        if (!ApiEndpoint.sameOrigin(request.uri(), target)) {
            next.remove(AUTHORIZATION);
        }
        return request.with(target, next);
    }

    /**
     * Resolves a {@code Location} as RFC 3986 §5.2 says, without its fragment. {@link URI#resolve}
     * follows RFC 2396, which drops the last path segment for a query-only reference ({@code ?q})
     * and keeps {@code ..} segments that climb above the root; rebuilding a URI from decoded
     * components would encode its escapes a second time, so the result is assembled from raw ones.
     */
    private static URI resolveLocation(URI base, URI reference) {
        URI resolved = base.resolve(reference);
        if (resolved.isOpaque() || resolved.getRawAuthority() == null) {
            String s = resolved.toString();
            return resolved.getRawFragment() == null ? resolved : URI.create(s.substring(0, s.indexOf('#')));
        }
        String path = resolved.getRawPath() == null ? "" : resolved.getRawPath();
        if (reference.getScheme() == null && reference.getRawAuthority() == null
                && "".equals(reference.getRawPath()) && reference.getRawQuery() != null) {
            path = base.getRawPath() == null ? "" : base.getRawPath();
        }
        while (path.startsWith("/../") || path.equals("/..")) {
            path = path.length() == 3 ? "/" : path.substring(3);
        }
        return URI.create(resolved.getScheme() + "://" + resolved.getRawAuthority() + path
                + (resolved.getRawQuery() == null ? "" : "?" + resolved.getRawQuery()));
    }

    private UnexpectedResponseException redirectRefused(ApiRequest request, int status, String why) {
        return new UnexpectedResponseException(request.describe() + " answered HTTP " + status
                + " and the redirect was not followed: " + why, status, null, null, null);
    }

    // ---------------------------------------------------------------- resuming a broken body

    /**
     * How a resumed response continues the body: the response's body has {@code expectedLength}
     * bytes (-1 when unknown); skip the first {@code skip} of them, then hand on {@code deliver}
     * (-1: all the rest) and stop reading there. An immutable value; thread-safe.
     */
    public record Continuation(long skip, long expectedLength, long deliver) {

        /** A continuation that delivers the rest of the body after {@code skip}. */
        public Continuation(long skip, long expectedLength) {
            this(skip, expectedLength, -1);
        }
    }

    /**
     * The validator that proves a later response is the same representation: a strong
     * {@code ETag}, else {@code Last-Modified}; null when the response had neither.
     */
    public String resumeValidator(HeaderLookup headers) {
        String etag = sendable(headers.get("ETag"));
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return sendable(headers.get("Last-Modified"));
    }

    /**
     * {@code value} trimmed, if it can go back out in a header ({@code If-Range}): not empty and
     * free of control characters; else null, as if the server had not sent it.
     */
    private static String sendable(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return null;
            }
        }
        return v.isEmpty() ? null : v;
    }

    /**
     * The same request asking only for the bytes from {@code offset} on, conditional on
     * {@code validator} ({@code If-Range}) when there is one.
     */
    public ApiRequest resumeFrom(ApiRequest request, long offset, String validator) {
        return resumeFrom(request, offset, -1, validator);
    }

    /**
     * As {@link #resumeFrom(ApiRequest, long, String)}, for a download of a range that ends at
     * byte {@code last} (inclusive; -1: at the end).
     */
    public ApiRequest resumeFrom(ApiRequest request, long offset, long last, String validator) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.put("Range", "bytes=" + offset + "-" + (last < 0 ? "" : String.valueOf(last)));
        if (validator != null) {
            headers.put("If-Range", validator);
        } else {
            headers.remove("If-Range");
        }
        return request.with(request.uri(), headers);
    }

    /**
     * Decides how the audio answer to {@link #resumeFrom} continues a body of which
     * {@code offset} bytes were already delivered.
     *
     * <p>A 206 must start exactly at {@code offset} (and describe the same total length, when
     * both are known). A 200 means the server ignored the range: the body is the whole
     * representation again, usable (by skipping {@code offset} bytes) only if its validator
     * matches the original one.
     *
     * @param totalLength the original body's length, -1 if unknown
     * @param validator   the original response's {@link #resumeValidator}, or null
     * @throws ContentChangedException if the answer does not continue the original body
     */
    public Continuation continuation(ApiRequest request, int status, HeaderLookup headers, long offset,
            long totalLength, String validator) throws ContentChangedException {
        return continuation(request, status, headers, offset, -1, totalLength, validator);
    }

    /**
     * As {@link #continuation(ApiRequest, int, HeaderLookup, long, long, String)}, for a download
     * of a range ending at byte {@code last} (inclusive; -1: at the end), resumed with
     * {@link #resumeFrom(ApiRequest, long, long, String)}: a 206 must end there too, and a whole
     * body sent again is cut there.
     *
     * <p>Offsets count decoded bytes. A coded answer ({@link #contentCoding}) continues the body
     * only as a whole body sent again (a 200 with the same validator, decoded, then the first
     * {@code offset} bytes skipped); a coded 206 is an {@link UnexpectedResponseException}, as its
     * coded bytes can neither be decoded alone nor spliced to decoded ones. An uncoded 206 from
     * {@code offset} does continue a body that began coded: decoding gives back the representation.
     *
     * @param offset      the absolute offset of the first byte not yet delivered
     * @param totalLength the recording's length, -1 if unknown
     */
    public Continuation continuation(ApiRequest request, int status, HeaderLookup headers, long offset,
            long last, long totalLength, String validator) throws ContentChangedException {
        ContentCoding coding = contentCoding(headers);
        if (coding == null) {
            throw unsupportedCoding(request, status, headers);
        }
        if (coding != ContentCoding.IDENTITY && status == 206) {
            // Its Content-Range counts coded bytes, which cannot be decoded, nor spliced to decoded ones.
            throw partOfACodedBody(request, status, headers);
        }
        if (status == 206) {
            long[] range = contentRange(headers.get("Content-Range"));
            long end = last >= 0 ? last : totalLength - 1;
            if (range == null || range[0] != offset || (totalLength >= 0 && range[2] >= 0 && range[2] != totalLength)
                    || (end >= 0 && range[1] != end)) {
                throw new ContentChangedException(request.describe() + ": the server resumed with "
                        + Validation.quote(String.valueOf(headers.get("Content-Range"))) + " instead of bytes " + offset
                        + "-" + (end >= 0 ? String.valueOf(end) : "") + (totalLength >= 0 ? "/" + totalLength : ""));
            }
            String partValidator = resumeValidator(headers);
            if (validator != null && partValidator != null && !validator.equals(partValidator)) {
                // A server that ignores If-Range but labels its parts tells us they differ.
                throw new ContentChangedException(request.describe() + ": the server resumed with a different "
                        + "version of the recording after " + offset + " bytes had been delivered");
            }
            return new Continuation(0, span(range[0], range[1]));
        }
        String now = resumeValidator(headers);
        long length = coding == ContentCoding.IDENTITY ? contentLength(headers) : -1;
        if (validator == null || !validator.equals(now) || (totalLength >= 0 && length >= 0 && length != totalLength)) {
            throw new ContentChangedException(request.describe() + ": the recording changed after " + offset
                    + " bytes had been delivered (the server sent it whole again"
                    + (validator == null ? " and gave no validator to compare)" : " with a different validator)"));
        }
        return new Continuation(offset, length, last < 0 ? -1 : span(offset, last));
    }

    private UnexpectedResponseException partOfACodedBody(ApiRequest request, int status, HeaderLookup headers) {
        return new UnexpectedResponseException(request.describe() + ": the server answered 206 with Content-Encoding "
                + Validation.quote(headers.get("Content-Encoding")) + ": a part of a coded body cannot be decoded on "
                + "its own", status, null, null, null);
    }

    /** Parses {@code bytes first-last/total} into {first, last, total (-1 for *)}; null if malformed. */
    static long[] contentRange(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes ", 0, 6)) {
            return null;
        }
        int dash = v.indexOf('-', 6);
        int slash = v.indexOf('/', 6);
        if (dash < 0 || slash < dash) {
            return null;
        }
        try {
            long first = digits(v.substring(6, dash));
            long last = digits(v.substring(dash + 1, slash));
            String t = v.substring(slash + 1).trim();
            long total = t.equals("*") ? -1 : digits(t);
            return first < 0 || last < first || (total >= 0 && last >= total) ? null : new long[] {first, last, total};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * How many bytes {@code first..last} (inclusive) hold; -1 (unknown: read to the end) when
     * that is more than a long counts, as for {@code bytes=0-9223372036854775807}.
     */
    static long span(long first, long last) {
        long n = last - first + 1;
        return n <= 0 ? -1 : n;
    }

    /** A non-negative decimal of digits only: {@link Long#parseLong} would also take a sign. */
    private static long digits(String s) {
        String d = s.trim();
        if (d.isEmpty() || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException("not digits");
        }
        return Long.parseLong(d);
    }

    // ---------------------------------------------------------------- byte ranges

    /** The same request asking for {@code range} only ({@code Range}; no {@code If-Range}: nothing to compare yet). */
    public ApiRequest ranged(ApiRequest request, ByteRange range) {
        if (range == null) {
            throw new IllegalArgumentException("range must not be null");
        }
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.put("Range", range.headerValue());
        headers.remove("If-Range");
        return request.with(request.uri(), headers);
    }

    /**
     * How the first audio answer to a request for {@code asked} (null: the whole recording) is
     * read, and what it holds. An immutable value; thread-safe.
     *
     * @param skip           bytes of the body to drop first
     * @param deliver        bytes to hand on after them, -1: all the rest; reading stops there
     * @param expectedLength the body's announced length, -1 when unknown
     * @param first          absolute offset of the first byte handed on
     * @param last           absolute offset of the last byte handed on; -1 when unknown (the
     *                       body runs to its end)
     * @param total          the recording's length, -1 when unknown
     * @param ranged         whether a range was asked (then {@link #contentRange()} describes it)
     */
    public record RangeAnswer(long skip, long deliver, long expectedLength, long first, long last, long total,
            boolean ranged) {

        /** How many bytes will be handed on; -1 when unknown. */
        public long length() {
            if (deliver >= 0) {
                return deliver;
            }
            return expectedLength < 0 ? -1 : expectedLength - skip;
        }

        /**
         * The part of the recording handed on; null for the whole recording, or when a server
         * that ignored the range gave no length to place its end by.
         */
        public ContentRange contentRange() {
            return ranged && last >= 0 ? ContentRange.of(first, last, total) : null;
        }
    }

    /**
     * Decides how the first audio answer to a (possibly {@link #ranged}) request is read.
     *
     * <p>A 206 must carry a {@code Content-Range} that answers {@code asked}
     * ({@link ByteRange#isAnsweredBy}) and, when both are given, a {@code Content-Length} equal to
     * its length. Any other success means the server ignored the range and sends the whole
     * recording: the asked bytes are cut out of it (a suffix needs its {@code Content-Length} to be
     * placed), and a range that starts at or past its end is not satisfiable. Without a range,
     * the whole body is delivered; a 206 then only when its {@code Content-Range} is the whole
     * recording ({@code bytes 0-(n-1)/n}), as a part delivered for the whole would be a short
     * download.
     *
     * <p>A body in gzip or deflate ({@link #contentCoding}) is decoded by the caller, and the
     * answer describes the decoded bytes: their length is unknown (the {@code Content-Length}
     * counts coded bytes), and a 206 is refused, as a part of a coded body cannot be decoded.
     *
     * @param asked the range asked for, or null for the whole recording
     * @throws UnexpectedResponseException  if the answer does not hold the asked bytes, or is coded
     *                                      in a way that cannot be decoded
     * @throws RangeNotSatisfiableException if the recording ends before the range starts
     */
    public RangeAnswer rangeAnswer(ApiRequest request, ByteRange asked, int status, HeaderLookup headers) {
        ContentCoding coding = contentCoding(headers);
        if (coding == null) {
            throw unsupportedCoding(request, status, headers);
        }
        if (coding != ContentCoding.IDENTITY && status == 206) {
            throw partOfACodedBody(request, status, headers);
        }
        // A coded body's Content-Length counts coded bytes: how many the decoding yields is unknown.
        long length = coding == ContentCoding.IDENTITY ? contentLength(headers) : -1;
        if (asked == null) {
            if (status == 206) {
                wholeIn206(request, headers, length);
            }
            return new RangeAnswer(0, -1, length, 0, length > 0 ? length - 1 : -1, length, false);
        }
        if (status == 206) {
            String value = headers.get("Content-Range");
            long[] r = contentRange(value);
            if (r == null || !asked.isAnsweredBy(r[0], r[1], r[2])) {
                throw new UnexpectedResponseException(request.describe() + ": asked for " + asked.headerValue()
                        + ", the server answered 206 with Content-Range "
                        + (value == null ? "missing" : Validation.quote(value)), status, null, null, null);
            }
            long n = span(r[0], r[1]);
            if (length >= 0 && length != n) {
                throw new UnexpectedResponseException(request.describe() + ": the server answered 206 with "
                        + Validation.quote(value) + " (" + n + " bytes) and Content-Length " + length, status, null,
                        null, null);
            }
            return new RangeAnswer(0, -1, n, r[0], r[1], r[2], true);
        }
        // The server ignored the Range header (RFC 9110 lets it): the body is the whole recording.
        long first;
        long last;
        if (asked.isSuffix()) {
            if (length < 0) {
                throw new UnexpectedResponseException(request.describe() + ": asked for " + asked.headerValue()
                        + ", the server ignored the range and sent the whole recording without a Content-Length, "
                        + "so its last bytes cannot be found without reading all of it", status, null, null, null);
            }
            if (length == 0) {
                throw rangeNotSatisfiable(request, asked, status, 0);
            }
            first = Math.max(0, length - asked.suffixLength());
            last = length - 1;
        } else {
            first = asked.first();
            if (length >= 0 && first >= length) {
                throw rangeNotSatisfiable(request, asked, status, length);
            }
            if (asked.last() < 0) {
                last = length < 0 ? -1 : length - 1;
            } else {
                last = length < 0 ? asked.last() : Math.min(asked.last(), length - 1);
            }
        }
        return new RangeAnswer(first, last < 0 ? -1 : span(first, last), length, first, last, length, true);
    }

    /**
     * A 206 to a request for the whole recording: only its whole ({@code bytes 0-(n-1)/n}, and no other length)
     * can be delivered as the download. Any other part was delivered as if it were all of it, a short download
     * that succeeded (found by the adapter's socket fuzzing: {@code bytes 0-12/16} gave 13 bytes of 16).
     */
    private void wholeIn206(ApiRequest request, HeaderLookup headers, long length) {
        String value = headers.get("Content-Range");
        long[] r = contentRange(value);
        if (r == null || r[0] != 0 || r[2] < 0 || r[1] != r[2] - 1 || (length >= 0 && length != r[2])) {
            throw new UnexpectedResponseException(request.describe() + ": asked for the whole recording, the server "
                    + "answered 206 with Content-Range " + (value == null ? "missing" : Validation.quote(value))
                    + (length >= 0 ? " and Content-Length " + length : ""), 206, null, null, null);
        }
    }

    /**
     * The error for a range that starts at or past the end of a recording of {@code total} bytes
     * (-1: unknown), found by the client: the server ignored the range.
     */
    public RangeNotSatisfiableException rangeNotSatisfiable(ApiRequest request, ByteRange asked, int status,
            long total) {
        return new RangeNotSatisfiableException(request.describe() + ": " + asked.headerValue()
                + " is not satisfiable: the recording has " + (total < 0 ? "fewer" : String.valueOf(total))
                + " bytes (HTTP " + status + ", the server ignored the range)", status, null, null, null, total);
    }

    /**
     * The {@code Last-Modified} header as an instant; null when absent or not an HTTP date.
     */
    public Instant lastModified(HeaderLookup headers) {
        String v = headers.get("Last-Modified");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            // Null for what trims to nothing (say a lone control character) though it is not blank.
            OffsetDateTime at = HttpDates.parse(v.trim());
            return at == null ? null : at.toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The length in a 416's {@code Content-Range: bytes *&#47;N}; -1 when absent or malformed. */
    static long contentRange416(String value) {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        if (!v.regionMatches(true, 0, "bytes */", 0, 8)) {
            return -1;
        }
        try {
            return digits(v.substring(8));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- response side

    /**
     * Whether a media response may be streamed as audio: a 2xx (not 204) whose content type is
     * audio, {@code application/octet-stream}, or absent. Anything else (an error status, a JSON,
     * XML or HTML body) must be read with {@link #MAX_ERROR_BODY_BYTES} as the cap and turned
     * into an exception with {@link #error}.
     */
    public boolean isAudio(int status, HeaderLookup headers) {
        if (status < 200 || status > 299 || status == 204) {
            return false;
        }
        return isAudioType(headers.get("Content-Type"));
    }

    static boolean isAudioType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            // Nothing claims otherwise; the status already said success.
            return true;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.startsWith("audio/") || type.equals("application/octet-stream")
                || type.equals("binary/octet-stream");
    }

    /**
     * A coding of a response body that this client can undo. The client asks for none
     * ({@code Accept-Encoding: identity}), but a server or proxy may apply one regardless.
     */
    public enum ContentCoding {
        /** No coding: the body is the representation itself. */
        IDENTITY,
        /** {@code gzip} (or {@code x-gzip}), RFC 1952. */
        GZIP,
        /** {@code deflate}: zlib (RFC 1950), or raw deflate as some servers send it. */
        DEFLATE
    }

    /**
     * The coding applied to a response's body: {@code Content-Encoding} ({@code identity} entries
     * ignored), with any {@code Transfer-Encoding} other than {@code chunked} counted as a coding
     * this client does not undo. Null when the body carries a coding other than one gzip or one
     * deflate (say {@code br}, or two codings in a row), so that it cannot be read: see
     * {@link #unsupportedCoding}.
     */
    public ContentCoding contentCoding(HeaderLookup headers) {
        String transfer = headers.get("Transfer-Encoding");
        if (transfer != null) {
            for (String t : transfer.split(",")) {
                String v = t.trim();
                if (!v.isEmpty() && !v.equalsIgnoreCase("chunked") && !v.equalsIgnoreCase("identity")) {
                    return null;
                }
            }
        }
        String encoding = headers.get("Content-Encoding");
        if (encoding == null) {
            return ContentCoding.IDENTITY;
        }
        ContentCoding found = ContentCoding.IDENTITY;
        for (String c : encoding.split(",")) {
            String v = c.trim().toLowerCase(Locale.ROOT);
            ContentCoding coding = switch (v) {
                case "", "identity" -> ContentCoding.IDENTITY;
                case "gzip", "x-gzip" -> ContentCoding.GZIP;
                case "deflate" -> ContentCoding.DEFLATE;
                default -> null;
            };
            if (coding == null || (coding != ContentCoding.IDENTITY && found != ContentCoding.IDENTITY)) {
                return null;
            }
            if (coding != ContentCoding.IDENTITY) {
                found = coding;
            }
        }
        return found;
    }

    /**
     * The error for a body whose coding {@link #contentCoding} cannot undo: it is never handed
     * on, and never retried (the server would code it the same way again).
     */
    public UnexpectedResponseException unsupportedCoding(ApiRequest request, int status, HeaderLookup headers) {
        String encoding = headers.get("Content-Encoding");
        String transfer = headers.get("Transfer-Encoding");
        return new UnexpectedResponseException(request.describe() + " returned HTTP " + status + " with a body in "
                + (encoding != null ? "Content-Encoding " + Validation.quote(encoding) : "")
                + (encoding != null && transfer != null ? " and " : "")
                + (transfer != null ? "Transfer-Encoding " + Validation.quote(transfer) : "")
                + ", which this client does not decode (it asked for identity; gzip and deflate are decoded)",
                status, null, null, null);
    }

    /**
     * The error for a coded body that does not decode ({@link ContentDecoder}'s complaint is the
     * cause): a broken or truncated gzip or deflate stream, which the server would send again.
     */
    public UnexpectedResponseException undecodableBody(ApiRequest request, int status, ContentCoding coding,
            Throwable cause) {
        UnexpectedResponseException e = new UnexpectedResponseException(request.describe() + " returned HTTP "
                + status + " with a " + coding.name().toLowerCase(Locale.ROOT) + " body that does not decode"
                + (cause == null || cause.getMessage() == null ? "" : ": " + safe(cause.getMessage())), status, null,
                null, null);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** The announced body length, or -1 when absent or malformed. */
    public long contentLength(HeaderLookup headers) {
        String v = headers.get("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Interprets a complete metadata response.
     *
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a recording document
     */
    public Recording decodeRecording(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
        try {
            return RecordingDecoder.decode(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a recording document: " + safe(e.getMessage()), status, null, null, null);
        }
    }

    /**
     * Interprets a complete list response.
     *
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a list envelope
     */
    public RecordingPage decodePage(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
        try {
            return RecordingDecoder.decodePage(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a recordings list: " + safe(e.getMessage()), status, null, null, null);
        }
    }

    /**
     * Interprets the answer to {@link #delete}: any 2xx (the API sends 204) means deleted.
     *
     * @throws ApiException otherwise ({@link dev.laml.recordings.NotFoundException} for 404)
     */
    public void checkDeleted(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
    }

    /**
     * The exception a response stands for. For an error status the type follows the status
     * (400, 401/403, 404, 429, 5xx); a success status reaching here (non-audio media) gives an
     * {@link UnexpectedResponseException}. The body may be empty or partial.
     */
    public ApiException error(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        String contentType = headers.get("Content-Type");
        ErrorInfo info = ErrorBodies.read(contentType, body);
        StringBuilder m = new StringBuilder(128).append(request.describe()).append(" failed: HTTP ").append(status);
        String phrase = reasonPhrase(status, reason);
        if (phrase != null) {
            m.append(' ').append(phrase);
        }
        if (info.code() != null) {
            m.append(", code ").append(info.code());
        }
        if (info.message() != null) {
            m.append(": ").append(info.message());
        }
        String message;
        if (status >= 200 && status <= 299) {
            message = m.append(" (expected audio, got ")
                    .append(contentType == null ? "no content type" : Validation.quote(contentType)).append(')').toString();
            return new UnexpectedResponseException(message, status, info.code(), info.message(), info.moreInfo());
        }
        message = m.toString();
        switch (status) {
            case 400:
                return new BadRequestException(message, status, info.code(), info.message(), info.moreInfo());
            case 401:
            case 403:
                return new AuthenticationException(message, status, info.code(), info.message(), info.moreInfo());
            case 404:
                return new NotFoundException(message, status, info.code(), info.message(), info.moreInfo());
            case 416:
                long unsatisfied = contentRange416(headers.get("Content-Range"));
                return new RangeNotSatisfiableException(message, status, info.code(), info.message(), info.moreInfo(),
                        unsatisfied);
            case 429:
                return new RateLimitedException(message, status, info.code(), info.message(), info.moreInfo(),
                        retryAfter(headers.get("Retry-After")));
            default:
                if (status >= 500 && status <= 599) {
                    return new ServerException(message, status, info.code(), info.message(), info.moreInfo());
                }
                if (status >= 300 && status <= 399) {
                    return new UnexpectedResponseException(message + " (redirect not followed)", status, info.code(),
                            info.message(), info.moreInfo());
                }
                return new ApiException(message, status, info.code(), info.message(), info.moreInfo());
        }
    }

    /** The error for a body that exceeded {@code limit} bytes (announced or counted). */
    public UnexpectedResponseException bodyTooLarge(ApiRequest request, int status, long limit) {
        return new UnexpectedResponseException(request.describe() + " returned a body larger than the " + limit
                + "-byte limit", status, null, null, null);
    }

    /**
     * The error for a body that ended after {@code received} of {@code expected} bytes (or ran
     * past them).
     *
     * @param cause the transport's error, or null when the body simply ended early
     */
    public IncompleteBodyException incompleteBody(ApiRequest request, long received, long expected, Throwable cause) {
        return incompleteBody(request, received, expected, cause, null);
    }

    /**
     * As {@link #incompleteBody(ApiRequest, long, long, Throwable)}, saying why the body ended.
     *
     * @param why the transport's reason in words, naming the host ({@code "connection reset by host:port"}); null
     *            for none
     */
    public IncompleteBodyException incompleteBody(ApiRequest request, long received, long expected, Throwable cause,
            String why) {
        String what = received < expected || expected < 0 ? "ended after " : "ran past its length at ";
        return new IncompleteBodyException(request.describe() + ": body " + what + received + " of "
                + (expected < 0 ? "an unknown number of" : String.valueOf(expected)) + " bytes"
                + (why == null ? "" : " (" + safe(why) + ")"), received, expected, cause);
    }

    /** Wraps a transport failure (refused, reset, closed early) with the request it broke. */
    public TransferException transferFailed(ApiRequest request, Throwable cause) {
        String detail = cause == null ? null : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + safe(cause.getMessage()));
        return new TransferException(request.describe() + " failed in transfer" + (detail == null ? "" : " (" + detail + ")"),
                cause);
    }

    /**
     * The error for a response that is not valid HTTP, which the transport could not parse: its
     * status line, a header, its framing ({@code Content-Length}, chunk sizes). Never retried (see
     * {@link MalformedResponseException}).
     *
     * @param what  what was wrong, in a few words; null to take the cause's message
     * @param cause the transport's parsing error; may be null
     */
    public MalformedResponseException malformedResponse(ApiRequest request, String what, Throwable cause) {
        String detail = what != null ? what : cause == null ? "unreadable" : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + safe(cause.getMessage()));
        return new MalformedResponseException(request.describe() + ": the response is not valid HTTP (" + safe(detail)
                + ")", cause);
    }

    Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                OffsetDateTime at = HttpDates.parse(v);
                if (at == null) {
                    return null; // trimmed to nothing: a lone control character is no date either
                }
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static String reasonPhrase(int status, String reason) {
        String r = reason == null ? null : reason.replaceAll("\\p{Cc}", " ").trim();
        if (r != null && !r.isEmpty()) {
            return r.length() > 80 ? r.substring(0, 80) : r;
        }
        return null;
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
        return "RecordingsProtocol[" + endpoint.baseUrl() + (credentials == null ? "" : ", " + credentials)
                + (credentialsToMedia ? ", credentialsToMedia" : "") + "]";
    }

    /**
     * Configures a {@link RecordingsProtocol}. Not thread-safe; build once and share the result.
     */
    public static final class Builder {
        private final ApiEndpoint endpoint;
        private Credentials credentials;
        private boolean credentialsToMedia;
        private int maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder(ApiEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        /** Credentials for metadata requests; null for none. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /**
         * Also send credentials on media requests to this endpoint's own origin, for spaces
         * that enforce authentication on media. Off by default: media URLs are public.
         */
        public Builder sendCredentialsToMedia(boolean send) {
            this.credentialsToMedia = send;
            return this;
        }

        /** Cap on a metadata body, in bytes; at least 1 KiB. */
        public Builder maxMetadataBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMetadataBytes must be at least 1024, got " + bytes);
            }
            this.maxMetadataBytes = bytes;
            return this;
        }

        /** The clock {@code Retry-After} dates are measured against; for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public RecordingsProtocol build() {
            return new RecordingsProtocol(this);
        }
    }
}
