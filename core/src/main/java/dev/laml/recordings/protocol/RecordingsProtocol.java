package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.Credentials;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
public final class RecordingsProtocol {

    // A facade: each topic lives in its own package-private class (Requests, Redirects, Resumption,
    // ByteRanges, ResponseHead, Responses), so that a rule is read in one short file; this class
    // keeps the public contract, documented in one place, and delegates.

    /** The header that carries credentials. */
    public static final String AUTHORIZATION = "Authorization";

    /** Default cap on a metadata body: 1 MiB, far above any real recording document. */
    public static final int DEFAULT_MAX_METADATA_BYTES = 1 << 20;

    /** How much of an error body is read to interpret it; the rest is discarded. */
    public static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    /** Most redirects followed for one request. */
    public static final int MAX_REDIRECTS = 5;

    static final String API_ROOT = "/api/laml/2010-04-01/Accounts/";

    private final ApiEndpoint endpoint;
    private final @Nullable Credentials credentials;
    private final boolean credentialsToMedia;
    private final int maxMetadataBytes;
    private final Requests requests;
    private final Redirects redirects;
    private final Responses responses;

    private RecordingsProtocol(Builder b) {
        this.endpoint = b.endpoint;
        this.credentials = b.credentials;
        this.credentialsToMedia = b.credentialsToMedia;
        this.maxMetadataBytes = b.maxMetadataBytes;
        this.requests = new Requests(endpoint, credentials, credentialsToMedia);
        this.redirects = new Redirects(endpoint);
        this.responses = new Responses(b.clock);
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

    // ---------------------------------------------------------------- request side: Requests

    /**
     * {@code GET …/Recordings/{Sid}.json} with Basic credentials (when configured; without them
     * the server's 401 becomes an {@link AuthenticationException}).
     *
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest fetch(String accountSid, String recordingSid) {
        return requests.fetch(accountSid, recordingSid);
    }

    /**
     * {@code GET …/Recordings/{Sid}.wav} or {@code .mp3}: public, so no credentials unless
     * {@link Builder#sendCredentialsToMedia(boolean)} opted in.
     *
     * @throws IllegalArgumentException if an id is not a UUID or {@code format} is null
     */
    public ApiRequest media(String accountSid, String recordingSid, AudioFormat format) {
        return requests.media(accountSid, recordingSid, format);
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
        return requests.media(mediaUrl);
    }

    /**
     * {@code GET …/Recordings.json} with the query's filters (dates in RFC 2822, as the API
     * wants them) and credentials.
     *
     * @throws IllegalArgumentException if the account id is not a UUID or the query is null
     */
    public ApiRequest list(String accountSid, RecordingQuery query) {
        return requests.list(accountSid, query);
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
        return requests.nextPage(previous, nextPageUri);
    }

    /**
     * {@code DELETE …/Recordings/{Sid}.json} with credentials.
     *
     * @throws IllegalArgumentException if either id is not a UUID
     */
    public ApiRequest delete(String accountSid, String recordingSid) {
        return requests.delete(accountSid, recordingSid);
    }

    // ---------------------------------------------------------------- redirects: Redirects

    /** True for the redirect statuses this client follows: 301, 302, 303, 307, 308. */
    public boolean isRedirect(int status) {
        return Redirects.isRedirect(status);
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
        return redirects.redirect(request, status, headers, visited);
    }

    // ---------------------------------------------------------------- resuming a broken body: Resumption

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
    public @Nullable String resumeValidator(HeaderLookup headers) {
        return Resumption.resumeValidator(headers);
    }

    /**
     * The same request asking only for the bytes from {@code offset} on, conditional on
     * {@code validator} ({@code If-Range}) when there is one.
     */
    public ApiRequest resumeFrom(ApiRequest request, long offset, @Nullable String validator) {
        return Resumption.resumeFrom(request, offset, -1, validator);
    }

    /**
     * As {@link #resumeFrom(ApiRequest, long, String)}, for a download of a range that ends at
     * byte {@code last} (inclusive; -1: at the end).
     */
    public ApiRequest resumeFrom(ApiRequest request, long offset, long last, @Nullable String validator) {
        return Resumption.resumeFrom(request, offset, last, validator);
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
            long totalLength, @Nullable String validator) throws ContentChangedException {
        return Resumption.continuation(request, status, headers, offset, -1, totalLength, validator);
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
            long last, long totalLength, @Nullable String validator) throws ContentChangedException {
        return Resumption.continuation(request, status, headers, offset, last, totalLength, validator);
    }

    // ---------------------------------------------------------------- byte ranges: ByteRanges

    /** The same request asking for {@code range} only ({@code Range}; no {@code If-Range}: nothing to compare yet). */
    public ApiRequest ranged(ApiRequest request, ByteRange range) {
        return ByteRanges.ranged(request, range);
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
        public @Nullable ContentRange contentRange() {
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
    public RangeAnswer rangeAnswer(ApiRequest request, @Nullable ByteRange asked, int status, HeaderLookup headers) {
        return ByteRanges.rangeAnswer(request, asked, status, headers);
    }

    /**
     * The error for a range that starts at or past the end of a recording of {@code total} bytes
     * (-1: unknown), found by the client: the server ignored the range.
     */
    public RangeNotSatisfiableException rangeNotSatisfiable(ApiRequest request, ByteRange asked, int status,
            long total) {
        return ByteRanges.rangeNotSatisfiable(request, asked, status, total);
    }

    /**
     * The {@code Last-Modified} header as an instant; null when absent or not an HTTP date.
     */
    public @Nullable Instant lastModified(HeaderLookup headers) {
        return ResponseHead.lastModified(headers);
    }

    // ---------------------------------------------------------------- response side: ResponseHead, Responses

    /**
     * Whether a media response may be streamed as audio: a 2xx (not 204) whose content type is
     * audio, {@code application/octet-stream}, or absent. Anything else (an error status, a JSON,
     * XML or HTML body) must be read with {@link #MAX_ERROR_BODY_BYTES} as the cap and turned
     * into an exception with {@link #error}.
     */
    public boolean isAudio(int status, HeaderLookup headers) {
        return ResponseHead.isAudio(status, headers);
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
        return ResponseHead.contentCoding(headers);
    }

    /**
     * The error for a body whose coding {@link #contentCoding} cannot undo: it is never handed
     * on, and never retried (the server would code it the same way again).
     */
    public UnexpectedResponseException unsupportedCoding(ApiRequest request, int status, HeaderLookup headers) {
        return ResponseHead.unsupportedCoding(request, status, headers);
    }

    /**
     * The error for a coded body that does not decode ({@link ContentDecoder}'s complaint is the
     * cause): a broken or truncated gzip or deflate stream, which the server would send again.
     */
    public UnexpectedResponseException undecodableBody(ApiRequest request, int status, ContentCoding coding,
            Throwable cause) {
        return ResponseHead.undecodableBody(request, status, coding, cause);
    }

    /** The announced body length, or -1 when absent or malformed. */
    public long contentLength(HeaderLookup headers) {
        return ResponseHead.contentLength(headers);
    }

    /**
     * Interprets a complete metadata response.
     *
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a recording document
     */
    public Recording decodeRecording(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        return responses.decodeRecording(request, status, reason, headers, body);
    }

    /**
     * Interprets a complete list response.
     *
     * @throws ApiException for an error status, or an {@link UnexpectedResponseException} when a
     *                      success body is not a list envelope
     */
    public RecordingPage decodePage(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        return responses.decodePage(request, status, reason, headers, body);
    }

    /**
     * Interprets the answer to {@link #delete}: any 2xx (the API sends 204) means deleted.
     *
     * @throws ApiException otherwise ({@link dev.laml.recordings.NotFoundException} for 404)
     */
    public void checkDeleted(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        responses.checkDeleted(request, status, reason, headers, body);
    }

    /**
     * The exception a response stands for. For an error status the type follows the status
     * (400, 401/403, 404, 429, 5xx); a success status reaching here (non-audio media) gives an
     * {@link UnexpectedResponseException}. The body may be empty or partial.
     */
    public ApiException error(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        return responses.error(request, status, reason, headers, body);
    }

    /** The error for a body that exceeded {@code limit} bytes (announced or counted). */
    public UnexpectedResponseException bodyTooLarge(ApiRequest request, int status, long limit) {
        return Responses.bodyTooLarge(request, status, limit);
    }

    /**
     * The error for a body that ended after {@code received} of {@code expected} bytes (or ran
     * past them).
     *
     * @param cause the transport's error, or null when the body simply ended early
     */
    public IncompleteBodyException incompleteBody(ApiRequest request, long received, long expected,
            @Nullable Throwable cause) {
        return Responses.incompleteBody(request, received, expected, cause, null);
    }

    /**
     * As {@link #incompleteBody(ApiRequest, long, long, Throwable)}, saying why the body ended.
     *
     * @param why the transport's reason in words, naming the host ({@code "connection reset by host:port"}); null
     *            for none
     */
    public IncompleteBodyException incompleteBody(ApiRequest request, long received, long expected,
            @Nullable Throwable cause, @Nullable String why) {
        return Responses.incompleteBody(request, received, expected, cause, why);
    }

    /** Wraps a transport failure (refused, reset, closed early) with the request it broke. */
    public TransferException transferFailed(ApiRequest request, Throwable cause) {
        return Responses.transferFailed(request, cause);
    }

    /**
     * The error for a response that is not valid HTTP, which the transport could not parse: its
     * status line, a header, its framing ({@code Content-Length}, chunk sizes). Never retried (see
     * {@link MalformedResponseException}).
     *
     * @param what  what was wrong, in a few words; null to take the cause's message
     * @param cause the transport's parsing error; may be null
     */
    public MalformedResponseException malformedResponse(ApiRequest request, @Nullable String what,
            @Nullable Throwable cause) {
        return Responses.malformedResponse(request, what, cause);
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
        private @Nullable Credentials credentials;
        private boolean credentialsToMedia;
        private int maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder(ApiEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        /** Credentials for metadata requests; null for none. */
        public Builder credentials(@Nullable Credentials credentials) {
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
