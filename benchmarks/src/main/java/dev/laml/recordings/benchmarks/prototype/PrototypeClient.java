package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.Credentials;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * PROTOTYPE: a copy of the adapter's RecordingsClient (see {@link Tuning}) whose hot path can be
 * switched change by change for measurement. Not API; not for use outside the benchmarks.
 *
 * <p>A non-blocking client for SignalWire's Compatibility API recordings: metadata as
 * {@code Mono<Recording>}, audio as a {@code Flux<ByteBuffer>} with real backpressure.
 *
 * <pre>{@code
 * PrototypeClient client = PrototypeClient.builder()
 *         .space("example")                        // https://example.signalwire.com
 *         .credentials("project-id", "api-token")  // only needed for metadata
 *         .build();
 *
 * Mono<Recording> meta = client.fetch(accountSid, recordingSid);
 * Flux<ByteBuffer> mp3 = client.download(accountSid, recordingSid, AudioFormat.MP3);
 * Mono<Long> written = client.downloadTo(accountSid, recordingSid, AudioFormat.WAV, Path.of("call.wav"));
 * }</pre>
 *
 * <p><b>Laziness.</b> Every method validates its arguments at call time (an invalid id throws
 * {@link IllegalArgumentException} right away) and sends nothing until the returned publisher is
 * subscribed; each subscription sends its own request.
 *
 * <p><b>Errors.</b> When the server answers with an error, the publisher fails with an
 * {@link ApiException} subtype; when the transfer breaks (refused, reset, truncated, timed out),
 * with a {@link TransferException}, which is an {@link java.io.IOException}.
 *
 * <p><b>Thread-safety.</b> Immutable and thread-safe: build one client and share it. It owns a
 * connection pool; {@link #close()} releases it when the client is no longer needed.
 */
public final class PrototypeClient implements AutoCloseable {

    private final RecordingsProtocol protocol;
    private final Calls calls;
    private final ConnectionProvider pool;
    private final Tuning tuning;

    private PrototypeClient(Builder b, RecordingsProtocol protocol) {
        this.protocol = protocol;
        this.pool = ConnectionProvider.builder("laml-recordings")
                .maxConnections(b.maxConnections)
                .pendingAcquireMaxCount(b.pendingAcquireMaxCount)
                .pendingAcquireTimeout(b.pendingAcquireTimeout)
                .maxIdleTime(b.maxIdleTime)
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()))
                .keepAlive(true)
                .compress(false)
                // Redirects are followed by Calls, which decides what may travel to the target.
                .followRedirect(false)
                .httpResponseDecoder(spec -> {
                    spec.maxHeaderSize(16 * 1024).maxInitialLineLength(4096);
                    if (b.tuning.maxChunkSize() > 0) {
                        spec.maxChunkSize(b.tuning.maxChunkSize());
                    }
                    return spec;
                });
        this.tuning = b.tuning;
        Exchange exchange = new Exchange(http, protocol, b.responseTimeout, tuning.headersTimeout());
        Retries retries = new Retries(b.retryPolicy, () -> ThreadLocalRandom.current().nextDouble(), Schedulers::parallel, tuning.retries());
        this.calls = new Calls(exchange, retries, tuning.idleTimeout() ? b.idleTimeout : null, Schedulers::parallel);
    }

    /** A builder with the defaults documented on each setter. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fetches a recording's metadata: {@code GET …/Recordings/{Sid}.json} with the configured
     * credentials.
     *
     * <p>Emits one {@link Recording}, or fails with an {@link ApiException} (for example
     * {@link dev.laml.recordings.NotFoundException}) or a {@link TransferException}.
     *
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Mono<Recording> fetch(String accountSid, String recordingSid) {
        return calls.fetch(protocol.fetch(accountSid, recordingSid));
    }

    /**
     * Streams a recording's audio: {@code GET …/Recordings/{Sid}.wav} or {@code .mp3}, without
     * credentials unless {@link Builder#sendCredentialsToMedia(boolean)} opted in.
     *
     * <pre>
     *  request(n) ──▶ socket reads ──▶ onNext(ByteBuffer) × ≤ n ──▶ … ──▶ onComplete
     *  request(0) ──▶ reads stop (the TCP window closes; the server stops sending)
     * </pre>
     *
     * <p>Each {@link ByteBuffer} is a fresh heap buffer owned by the subscriber: it stays valid
     * after {@code onNext} returns and may be kept, passed on or modified. Buffers arrive in
     * order and together hold exactly the body's bytes. The status and content type are checked
     * before the first byte: an error answer (JSON, XML or HTML) fails with an
     * {@link ApiException} and emits no bytes. A body shorter than its {@code Content-Length}
     * fails with an {@link dev.laml.recordings.IncompleteBodyException}; it never completes
     * normally. Cancelling closes the connection and releases every buffer.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID or the format is null
     */
    public Flux<ByteBuffer> download(String accountSid, String recordingSid, AudioFormat format) {
        return stream(protocol.media(accountSid, recordingSid, format));
    }

    /**
     * Streams audio from a media URL (as found in a status callback or metadata); otherwise as
     * {@link #download(String, String, AudioFormat)}. Credentials are never sent to a URL on
     * another origin than the configured one.
     *
     * @throws IllegalArgumentException at call time if the URL is not absolute http(s), carries
     *                                  user info, or is plain http to a non-loopback host without
     *                                  {@link Builder#allowInsecureHttp()}
     */
    public Flux<ByteBuffer> download(URI mediaUrl) {
        return stream(protocol.media(mediaUrl));
    }

    private Flux<ByteBuffer> stream(ApiRequest request) {
        return calls.download(request);
    }

    /**
     * Downloads a recording into {@code target} and emits the number of bytes written.
     *
     * <p>Writes are non-blocking and paced by the disk: the next buffer is requested only after
     * the previous one is written. Bytes go to a hidden temporary file beside the target, which
     * is forced to disk and atomically moved over the target once the download is complete; on
     * error or cancellation the temporary file is deleted and the target is left untouched. The
     * target's directory must exist.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, the format is null or
     *                                  the target is null or has no file name
     */
    public Mono<Long> downloadTo(String accountSid, String recordingSid, AudioFormat format, Path target) {
        checkTarget(target);
        if (!tuning.sink().equals("async")) {
            return PipelinedFileSink.write(tuning.sink().equals("zerocopy")
                    ? calls.downloadRetained(protocol.media(accountSid, recordingSid, format))
                    : download(accountSid, recordingSid, format), target, tuning.force());
        }
        return FileSink.write(download(accountSid, recordingSid, format), target, tuning.force());
    }

    /** As {@link #downloadTo(String, String, AudioFormat, Path)}, from a media URL. */
    public Mono<Long> downloadTo(URI mediaUrl, Path target) {
        checkTarget(target);
        return FileSink.write(download(mediaUrl), target, tuning.force());
    }

    private static void checkTarget(Path target) {
        if (target == null || target.getFileName() == null) {
            throw new IllegalArgumentException("target must be a file path, got " + target);
        }
    }

    /** The base URL every request goes to, e.g. {@code https://example.signalwire.com}. */
    public URI baseUrl() {
        return protocol.endpoint().baseUrl();
    }

    /**
     * Releases the connection pool. Requests in flight may fail; the client must not be used
     * afterwards. Does not block.
     */
    @Override
    public void close() {
        pool.dispose();
    }

    @Override
    public String toString() {
        return "PrototypeClient[" + protocol + "]";
    }

    /**
     * Configures a {@link PrototypeClient}. Set exactly one of {@link #space(String)} and
     * {@link #baseUrl(URI)}. Not thread-safe; {@link #build()} copies what it needs, so a builder
     * may be reused.
     */
    public static final class Builder {
        private String space;
        private URI baseUrl;
        private boolean allowInsecureHttp;
        private String projectId;
        private String apiToken;
        private boolean credentialsToMedia;
        private int maxMetadataBytes = RecordingsProtocol.DEFAULT_MAX_METADATA_BYTES;
        private int maxConnections = 128;
        private int pendingAcquireMaxCount = 4096;
        private Duration pendingAcquireTimeout = Duration.ofSeconds(60);
        private Duration maxIdleTime = Duration.ofSeconds(20);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Tuning tuning = Tuning.AS_IS;

        /** PROTOTYPE: which proposed changes are on. */
        public Builder tuning(Tuning tuning) {
            this.tuning = Objects.requireNonNull(tuning, "tuning");
            return this;
        }

        private Builder() {
        }

        /**
         * The SignalWire space: {@code "example"} means {@code https://example.signalwire.com}.
         *
         * @throws IllegalArgumentException unless it is one DNS label (letters, digits, inner
         *                                  hyphens, 1–63 characters)
         */
        public Builder space(String space) {
            ApiEndpoint.forSpace(space);
            this.space = space;
            return this;
        }

        /**
         * An explicit base URL instead of a space: an emulator, a proxy, the testkit. Must be
         * https; plain http is accepted for loopback hosts, or anywhere after
         * {@link #allowInsecureHttp()}. Validated by {@link #build()}.
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /** Accept plain http base and media URLs on any host. Credentials then travel unencrypted. */
        public Builder allowInsecureHttp() {
            this.allowInsecureHttp = true;
            return this;
        }

        /**
         * Project id and API token for HTTP Basic auth on metadata requests. Never shown by any
         * {@code toString()}, log or exception message.
         *
         * @throws IllegalArgumentException if either is empty, the project id contains
         *                                  {@code ':'}, or either contains CR, LF or other
         *                                  control characters
         */
        public Builder credentials(String projectId, String apiToken) {
            Credentials.of(projectId, apiToken);
            this.projectId = projectId;
            this.apiToken = apiToken;
            return this;
        }

        /**
         * Also send credentials with media requests to the configured origin, for spaces that
         * enforce auth on media. Default false: media URLs are public, and credentials are never
         * sent to another origin either way.
         */
        public Builder sendCredentialsToMedia(boolean send) {
            this.credentialsToMedia = send;
            return this;
        }

        /** Largest metadata body accepted; default 1 MiB. A larger body fails, never buffers. */
        public Builder maxMetadataBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMetadataBytes must be at least 1024, got " + bytes);
            }
            this.maxMetadataBytes = bytes;
            return this;
        }

        /** Most connections open at once; default 128. */
        public Builder maxConnections(int max) {
            this.maxConnections = positive("maxConnections", max);
            return this;
        }

        /**
         * Most requests waiting for a connection when all are busy; default 4096. A request
         * beyond that fails at once rather than queueing without bound.
         */
        public Builder pendingAcquireMaxCount(int max) {
            this.pendingAcquireMaxCount = positive("pendingAcquireMaxCount", max);
            return this;
        }

        /** How long a request may wait for a free connection; default 60 s. */
        public Builder pendingAcquireTimeout(Duration timeout) {
            this.pendingAcquireTimeout = positive("pendingAcquireTimeout", timeout);
            return this;
        }

        /** How long an idle pooled connection is kept; default 20 s. */
        public Builder maxIdleTime(Duration idle) {
            this.maxIdleTime = positive("maxIdleTime", idle);
            return this;
        }

        /** TCP (and TLS) connect timeout; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * Longest wait from the request being sent to the response headers; default 30 s. It
         * does not limit the body: a slow subscriber is not a dead server.
         */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = positive("responseTimeout", timeout);
            return this;
        }

        /**
         * Longest silence between body chunks while the subscriber is waiting for data; default
         * 30 s. It never fires while the subscriber has no outstanding demand. A body that goes
         * idle is resumed (see {@link #retryPolicy(RetryPolicy)}).
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /**
         * When to retry and resume; default {@link RetryPolicy#defaults()} (4 attempts in all,
         * exponential backoff with full jitter). {@link RetryPolicy#none()} turns retries off.
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Builds an immutable client.
         *
         * @throws IllegalStateException    unless exactly one of space and base URL was set
         * @throws IllegalArgumentException if the base URL is not acceptable (see {@link #baseUrl(URI)})
         */
        public PrototypeClient build() {
            if ((space == null) == (baseUrl == null)) {
                throw new IllegalStateException("set exactly one of space(...) and baseUrl(...)");
            }
            ApiEndpoint endpoint = space != null ? ApiEndpoint.forSpace(space) : ApiEndpoint.of(baseUrl, allowInsecureHttp);
            RecordingsProtocol protocol = RecordingsProtocol.builder(endpoint)
                    .credentials(projectId == null ? null : Credentials.of(projectId, apiToken))
                    .sendCredentialsToMedia(credentialsToMedia)
                    .maxMetadataBytes(maxMetadataBytes)
                    .build();
            return new PrototypeClient(this, protocol);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
            }
            return value;
        }

        @Override
        public String toString() {
            return "PrototypeClient.Builder[" + (space != null ? "space=" + space : "baseUrl=" + baseUrl)
                    + (projectId != null ? ", projectId=" + projectId + ", apiToken=<redacted>" : "") + "]";
        }
    }
}
