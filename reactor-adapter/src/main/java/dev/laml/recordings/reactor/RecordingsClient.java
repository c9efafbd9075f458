package dev.laml.recordings.reactor;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.Credentials;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UpdateRecording;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionPage;
import dev.laml.recordings.TranscriptionQuery;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.LiveRecordingsProtocol;
import dev.laml.recordings.protocol.RecordingsProtocol;
import dev.laml.recordings.protocol.TranscriptionsProtocol;
import dev.laml.recordings.reactor.internal.Archiver;
import dev.laml.recordings.reactor.internal.Bodies;
import dev.laml.recordings.reactor.internal.Calls;
import dev.laml.recordings.reactor.internal.ClientMetrics;
import dev.laml.recordings.reactor.internal.Exchange;
import dev.laml.recordings.reactor.internal.Retries;
import dev.laml.recordings.reactor.internal.FileSink;
import dev.laml.recordings.reactor.internal.MicrometerMetrics;
import dev.laml.recordings.reactor.internal.Pager;
import dev.laml.recordings.reactor.internal.ProxySettings;
import dev.laml.recordings.reactor.internal.TlsSetup;
import dev.laml.recordings.reactor.internal.Transport;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A non-blocking client for SignalWire's Compatibility API recordings: metadata as
 * {@code Mono<Recording>}, audio as a {@code Flux<ByteBuffer>} with real backpressure.
 *
 * <pre>{@code
 * RecordingsClient client = RecordingsClient.builder()
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
 * with a {@link TransferException}, which is an {@link java.io.IOException}. Three of its subtypes
 * are never retried: {@link dev.laml.recordings.TlsException} (the TLS handshake failed: an
 * untrusted, expired or wrong-host certificate, no common protocol or cipher, a stalled handshake)
 * {@link dev.laml.recordings.ProxyException} (the configured proxy could not be reached or
 * refused the tunnel) and {@link dev.laml.recordings.MalformedResponseException} (the answer is not
 * valid HTTP: a broken status line, header or framing; the parser's exception is the cause). A
 * body in gzip or deflate, which the client never asks for, is decoded as it streams; another
 * coding is an {@link dev.laml.recordings.UnexpectedResponseException}.
 *
 * <p><b>TLS.</b> HTTPS runs on OpenSSL where the bundled native library loads and on the JDK's
 * engine elsewhere ({@link Builder#tlsEngine(TlsEngine)}), with hostname verification always on
 * and trust from the JDK's default store unless {@link Builder#trustedCertificates(Path)} or
 * {@link Builder#trustManagerFactory(TrustManagerFactory)} say otherwise.
 *
 * <p><b>Thread-safety.</b> Immutable and thread-safe: build one client and share it. It owns a
 * connection pool; {@link #close()} releases it when the client is no longer needed.
 */
public final class RecordingsClient implements AutoCloseable {

    private final RecordingsProtocol protocol;
    /** Requests and answers of recordings being made (start, pause, resume, stop; a conference's). */
    private final LiveRecordingsProtocol live;
    private final TranscriptionsProtocol transcriptionsProtocol;
    private final Calls calls;
    private final ConnectionProvider pool;
    private final Duration notFoundWindow;
    private final Duration idleTimeout;
    private final boolean durableFiles;
    private final TlsSetup tls;
    private final ProxySettings proxy;
    /** For {@link #toString()} only: the project id is not a secret, and says whose credentials these are. */
    private final String projectId;
    private final boolean credentialsToMedia;
    /** What the archive job needs of this client, and no more. */
    private final Archiver.Source archiveSource = new Archiver.Source() {
        @Override
        public Flux<Recording> list(String accountSid, RecordingQuery query) {
            return RecordingsClient.this.list(accountSid, query);
        }

        @Override
        public Flux<ByteBuffer> download(String accountSid, String recordingSid, AudioFormat format) {
            return RecordingsClient.this.download(accountSid, recordingSid, format);
        }

        @Override
        public Mono<Void> delete(String accountSid, String recordingSid) {
            return RecordingsClient.this.delete(accountSid, recordingSid);
        }

        @Override
        public Flux<Transcription> transcriptions(String accountSid, String recordingSid) {
            return RecordingsClient.this.recordingTranscriptions(accountSid, recordingSid);
        }
    };

    private RecordingsClient(Builder b, RecordingsProtocol protocol, TlsSetup tls, ProxySettings proxy) {
        this.tls = tls;
        this.proxy = proxy;
        this.protocol = protocol;
        this.live = LiveRecordingsProtocol.of(protocol);
        this.transcriptionsProtocol = TranscriptionsProtocol.of(protocol);
        this.projectId = b.apiToken != null ? b.projectId : null;
        this.credentialsToMedia = b.credentialsToMedia && this.projectId != null;
        // Micrometer's classes are touched only when a registry was given.
        ClientMetrics metrics = b.meterRegistry == null ? ClientMetrics.NONE : MicrometerMetrics.create(b.meterRegistry);
        this.pool = metrics.configurePool(ConnectionProvider.builder("laml-recordings")
                .maxConnections(b.maxConnections)
                .pendingAcquireMaxCount(b.pendingAcquireMaxCount)
                .pendingAcquireTimeout(b.pendingAcquireTimeout)
                .maxIdleTime(b.maxIdleTime)
                // Without a background check, maxIdleTime is looked at only when a connection is next acquired:
                // a client that went quiet after a burst kept every connection (socket, proxy tunnel, the
                // server's side) open until the server closed it, and counted those the server had closed as
                // idle (found by TlsProxySoakTest; ReliabilityTest.idleConnectionsAreClosedOnceMaxIdleTime...).
                // Checked every maxIdleTime / 2 on Reactor Netty's pool-maintenance threads (daemons, at most
                // one per core, shared by every pool), so an idle connection is closed between maxIdleTime and
                // 1.5 x maxIdleTime after its last use.
                .evictInBackground(b.maxIdleTime.dividedBy(2).compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1)
                        : b.maxIdleTime.dividedBy(2)))
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()))
                .keepAlive(true)
                .compress(false)
                // Redirects are followed by Calls, which decides what may travel to the target.
                .followRedirect(false)
                // 64 KiB body chunks: the default 8 KiB splits every socket read into eight buffers,
                // each copied, allocated and signalled alone (measured in BENCHMARKS.md).
                .httpResponseDecoder(spec -> spec.maxHeaderSize(16 * 1024).maxInitialLineLength(4096)
                        .maxChunkSize(64 * 1024));
        if (proxy != null) {
            http = proxy.apply(http);
        }
        Exchange exchange = new Exchange(http, tls::apply, protocol, b.responseTimeout, b.idleTimeout,
                new Transport(protocol, b.responseTimeout, proxy));
        Retries retries = new Retries(b.retryPolicy, () -> ThreadLocalRandom.current().nextDouble(), Schedulers::parallel);
        this.calls = new Calls(exchange, retries, Schedulers::parallel, metrics);
        this.notFoundWindow = b.notFoundWindow;
        this.idleTimeout = b.idleTimeout;
        this.durableFiles = b.durableFiles;
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
        return download(accountSid, recordingSid, format, (DownloadProgress) null);
    }

    /**
     * Streams the bytes {@code range} names of a recording's audio; otherwise as
     * {@link #download(String, String, AudioFormat)}. The shorthand for
     * {@code open(accountSid, recordingSid, format, range).flatMapMany(AudioResponse::body)}.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, or the format or range is null
     * @see #open(String, String, AudioFormat, ByteRange)
     */
    public Flux<ByteBuffer> download(String accountSid, String recordingSid, AudioFormat format, ByteRange range) {
        ApiRequest media = protocol.media(accountSid, recordingSid, format);
        return calls.download(media, requireRange(range), null, notFoundWindow, Bodies.COPY, null);
    }

    /**
     * Opens a recording's audio, headers first: emits an {@link AudioResponse} once the answer's
     * status and headers are in and checked (an audio type, a 2xx), before any byte of the body is
     * read, so that a service can pass on the length, type and validators, and then stream
     * {@link AudioResponse#body()}. Error answers fail the Mono ({@link ApiException} subtypes,
     * after the same retries as a download), as do transfer failures before the headers
     * ({@link TransferException}); no {@code AudioResponse} is emitted then.
     *
     * <p>The response holds a connection until its body is read or it is
     * {@linkplain AudioResponse#close() closed}; cancelling the Mono before it emits releases it. A
     * response whose body is not subscribed within the {@linkplain Builder#idleTimeout(Duration)
     * idle timeout} closes itself (a later {@code body()} subscription fails with
     * {@link IllegalStateException}), so a forgotten response cannot hold a connection for ever.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID or the format is null
     */
    public Mono<AudioResponse> open(String accountSid, String recordingSid, AudioFormat format) {
        return calls.open(protocol.media(accountSid, recordingSid, format), null, notFoundWindow, idleTimeout);
    }

    /**
     * As {@link #open(String, String, AudioFormat)}, for the bytes {@code range} names: the
     * request carries {@code Range}, and the body holds exactly those bytes, whether the server
     * answers 206 (whose {@code Content-Range} must match what was asked, else
     * {@link dev.laml.recordings.UnexpectedResponseException}) or ignores the range and sends the
     * whole recording (then the asked bytes are cut out of it and the rest is not read: that
     * connection is closed). A range that starts past the end fails with
     * {@link dev.laml.recordings.RangeNotSatisfiableException}. A broken transfer resumes within
     * the range.
     *
     * <pre>{@code
     * client.open(accountSid, recordingSid, AudioFormat.MP3, ByteRange.of(1_000_000, 1_999_999))
     *       .flatMapMany(audio -> {
     *           ContentRange part = audio.contentRange();   // bytes 1000000-1999999/4800000
     *           return audio.body();
     *       });
     * }</pre>
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, or the format or range is null
     */
    public Mono<AudioResponse> open(String accountSid, String recordingSid, AudioFormat format, ByteRange range) {
        ApiRequest media = protocol.media(accountSid, recordingSid, format);
        return calls.open(media, requireRange(range), notFoundWindow, idleTimeout);
    }

    /**
     * As {@link #open(String, String, AudioFormat)}, from a media URL (no credentials to another origin).
     *
     * @throws IllegalArgumentException at call time for a URL {@link #download(URI)} refuses
     */
    public Mono<AudioResponse> open(URI mediaUrl) {
        return calls.open(protocol.media(mediaUrl), null, notFoundWindow, idleTimeout);
    }

    /**
     * As {@link #open(String, String, AudioFormat, ByteRange)}, from a media URL.
     *
     * @throws IllegalArgumentException at call time for a URL {@link #download(URI)} refuses, or a null range
     */
    public Mono<AudioResponse> open(URI mediaUrl, ByteRange range) {
        ApiRequest media = protocol.media(mediaUrl);
        return calls.open(media, requireRange(range), notFoundWindow, idleTimeout);
    }

    private static ByteRange requireRange(ByteRange range) {
        if (range == null) {
            throw new IllegalArgumentException("range must not be null (use the overload without one for the whole recording)");
        }
        return range;
    }

    /**
     * As {@link #download(String, String, AudioFormat)}, reporting to {@code progress} (bytes
     * delivered, total, rate; read it from any thread, e.g. on a {@code Flux.interval}). The
     * download pays one counter update per buffer for it.
     *
     * @param progress a fresh {@link DownloadProgress}, or null
     */
    public Flux<ByteBuffer> download(String accountSid, String recordingSid, AudioFormat format,
            DownloadProgress progress) {
        return calls.download(protocol.media(accountSid, recordingSid, format), progress, notFoundWindow);
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
        return calls.download(protocol.media(mediaUrl), null, notFoundWindow);
    }

    /**
     * Lists an account's recordings, newest first, following the API's pages lazily: a page is
     * requested only when the subscriber's demand reaches it ({@code take(3)} sends one request),
     * and every page's {@code next_page_uri} is followed on the configured base URL only, never on
     * a host named in a response body.
     *
     * @throws IllegalArgumentException at call time if the account id is not a UUID or the query is null
     */
    public Flux<Recording> list(String accountSid, RecordingQuery query) {
        ApiRequest first = protocol.list(accountSid, query);
        return Pager.list(first, calls::page, protocol::nextPage);
    }

    /**
     * Fetches one page of a list, for callers who page themselves: start with
     * {@code listPage(accountSid, query)}, continue with {@link #nextPage(String, RecordingPage)}.
     *
     * @throws IllegalArgumentException at call time if the account id is not a UUID or the query is null
     */
    public Mono<RecordingPage> listPage(String accountSid, RecordingQuery query) {
        return calls.page(protocol.list(accountSid, query));
    }

    /**
     * Fetches the page after {@code page}; empty when it was the last. The page's
     * {@code next_page_uri} is resolved on the configured base URL only.
     *
     * @throws IllegalArgumentException at call time if the account id is not a UUID or the page is null
     */
    public Mono<RecordingPage> nextPage(String accountSid, RecordingPage page) {
        if (page == null) {
            throw new IllegalArgumentException("page must not be null");
        }
        if (!page.hasNext()) {
            protocol.list(accountSid, RecordingQuery.all()); // validates the id all the same
            return Mono.empty();
        }
        ApiRequest listing = protocol.list(accountSid, RecordingQuery.all());
        return Mono.defer(() -> calls.page(protocol.nextPage(listing, page.nextPageUri())));
    }

    /**
     * Deletes a recording: {@code DELETE …/Recordings/{Sid}.json}. Completes empty on success (the
     * API answers 204); fails with {@link dev.laml.recordings.NotFoundException} for an unknown
     * recording. Never retried: a retried delete that had in fact succeeded would report 404.
     *
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Mono<Void> delete(String accountSid, String recordingSid) {
        return calls.delete(protocol.delete(accountSid, recordingSid));
    }

    // ------------------------------------------------------------------ live recordings (start, pause, resume, stop)

    /**
     * Starts recording a live call: {@code POST …/Calls/{CallSid}/Recordings.json} with the
     * options {@code request} sets (channels, track, status callback and its events and method,
     * trim). Emits the new recording as the API answers it (usually {@code in-progress}).
     *
     * <p><b>Retries.</b> A write is repeated only when it certainly did not reach the server: a
     * connection that could not be opened ({@link dev.laml.recordings.ConnectFailedException}) or
     * a 429 with {@code Retry-After}, within the {@link RetryPolicy}'s attempts. Never after a
     * timeout, a reset or a close once the request may have been sent, nor after any 5xx (a 503
     * included): repeating a start that did arrive would start a second recording. Such a
     * failure is a {@link TransferException} whose
     * {@link TransferException#requestMayHaveReachedServer()} is true, or the server's
     * {@link ApiException}: the recording's state is then unknown, so read it (say,
     * {@code list(accountSid, RecordingQuery.all().callSid(callSid))}) before trying again.
     *
     * <p>Fails with {@link dev.laml.recordings.NotFoundException} for an unknown call,
     * {@link dev.laml.recordings.BadRequestException} (400) or an {@link ApiException} with
     * status 422 for a field the API refuses, {@link dev.laml.recordings.AuthenticationException}
     * without valid credentials.
     *
     * @throws IllegalArgumentException at call time if {@code request} is null or names a callback
     *                                  method or events without a callback URL
     */
    public Mono<Recording> startRecording(StartRecording request) {
        ApiRequest start = live.start(request);
        return calls.write(start, (status, reason, headers, body) -> live.decodeRecording(start, status, reason, headers, body));
    }

    /**
     * Starts recording a live call with the API's defaults (mono, both tracks, no status
     * callback): {@code startRecording(StartRecording.of(accountSid, callSid))}.
     *
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Mono<Recording> startRecording(String accountSid, String callSid) {
        return startRecording(StartRecording.of(accountSid, callSid));
    }

    /**
     * Pauses, resumes or stops a live recording of a call or a conference:
     * {@code POST …/Calls/{CallSid}/Recordings/{Sid}.json} (or {@code Conferences/{ConferenceSid}})
     * with {@code Status} and, for a pause, {@code PauseBehavior}. Emits the recording as the API
     * answers it. Retried as {@link #startRecording(StartRecording)} is: only when the request
     * certainly did not reach the server.
     *
     * @throws IllegalArgumentException at call time if {@code request} is null
     */
    public Mono<Recording> updateRecording(UpdateRecording request) {
        ApiRequest update = live.update(request);
        return calls.write(update, (status, reason, headers, body) -> live.decodeRecording(update, status, reason, headers, body));
    }

    /**
     * Pauses (with the API's default behaviour, silence), resumes or stops a live recording:
     * {@code updateRecording(UpdateRecording.of(accountSid, owner, recordingSid, action))}.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, or the owner or action is null
     */
    public Mono<Recording> updateRecording(String accountSid, RecordingOwner owner, String recordingSid,
            UpdateRecording.Action action) {
        return updateRecording(UpdateRecording.of(accountSid, owner, recordingSid, action));
    }

    /**
     * Lists a conference's recordings ({@code GET …/Conferences/{ConferenceSid}/Recordings.json}),
     * following the API's pages lazily exactly as {@link #list(String, RecordingQuery)} does: a
     * page is requested only when demand reaches it, and {@code next_page_uri} is followed on the
     * configured base URL only.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID
     */
    public Flux<Recording> conferenceRecordings(String accountSid, String conferenceSid) {
        ApiRequest first = live.conferenceList(accountSid, conferenceSid);
        return Pager.list(first, request -> calls.json(request,
                (status, reason, headers, body) -> live.decodePage(request, status, reason, headers, body)), live::nextPage);
    }

    /**
     * Fetches one of a conference's recordings: {@code GET …/Conferences/{ConferenceSid}/Recordings/{Sid}.json},
     * retried as {@link #fetch(String, String)} is.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID
     */
    public Mono<Recording> fetchConferenceRecording(String accountSid, String conferenceSid, String recordingSid) {
        ApiRequest fetch = live.conferenceFetch(accountSid, conferenceSid, recordingSid);
        return calls.json(fetch, (status, reason, headers, body) -> live.decodeRecording(fetch, status, reason, headers, body));
    }

    /**
     * Deletes one of a conference's recordings: {@code DELETE …/Conferences/{ConferenceSid}/Recordings/{Sid}.json}.
     * Completes empty on success (the API answers 204); never retried, as {@link #delete(String, String)}.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID
     */
    public Mono<Void> deleteConferenceRecording(String accountSid, String conferenceSid, String recordingSid) {
        return calls.delete(live.conferenceDelete(accountSid, conferenceSid, recordingSid));
    }

    /**
     * Downloads a recording into {@code target} and emits the number of bytes written.
     *
     * <p>Writes are non-blocking and paced by the disk: the next buffer is requested only after
     * the previous one is written, and the bytes go from the network buffers to the file without
     * an intermediate copy. Retries, resumes and length checks are those of
     * {@link #download(String, String, AudioFormat)}.
     *
     * <p>The target is treated as curl's {@code -o} treats it:
     * <ul>
     *   <li><b>A new path or a regular file</b>: the bytes go to a hidden temporary file beside it
     *       ({@code .{name}.{digits}.part}), which is forced to disk (unless
     *       {@link Builder#durableFiles(boolean)} turned that off) and atomically renamed over the
     *       target once the download is complete; on error or cancellation the temporary file is
     *       deleted and the target is left untouched.</li>
     *   <li><b>A symbolic link</b> is followed, through any chain of links: the file it points to is
     *       replaced atomically as above, in that file's own directory, and a dangling link's target
     *       is created. The link itself is never replaced.</li>
     *   <li><b>A character device, FIFO or Unix domain socket</b> (say {@code /dev/null}, or a pipe
     *       another process reads) is written straight into as the bytes arrive, paced by its
     *       reader: no temporary file, no rename, never replaced. A FIFO waits for its reader to
     *       open it. On error or cancellation, what was already written stays written.</li>
     *   <li><b>Refused</b>, with an {@link java.io.IOException} in the error signal that names the
     *       path, before anything is downloaded: a directory, a block device, a missing directory,
     *       and a read-only file (not writable by this process, or with no write permission bit
     *       at all, as {@code rm} treats it even for root), which stays as it was.</li>
     * </ul>
     *
     * <p><b>Permissions.</b> A new file gets the mode {@code open(O_CREAT, 0666)} would give it in
     * that directory under the process umask (0644 under umask 022). A replaced regular file keeps
     * its own mode (its owner becomes this process's user, as with any rename). The temporary file
     * is owner-only while it is written and gets the final mode just before the rename, so a
     * partial download is never readable by others.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, the format is null or
     *                                  the target is null or has no file name
     */
    public Mono<Long> downloadTo(String accountSid, String recordingSid, AudioFormat format, Path target) {
        return downloadTo(accountSid, recordingSid, format, target, null);
    }

    /**
     * As {@link #downloadTo(String, String, AudioFormat, Path)}, writing only the bytes
     * {@code range} names (see {@link #open(String, String, AudioFormat, ByteRange)}).
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, the format or range
     *                                  is null, or the target is null or has no file name
     */
    public Mono<Long> downloadTo(String accountSid, String recordingSid, AudioFormat format, ByteRange range,
            Path target) {
        ApiRequest media = protocol.media(accountSid, recordingSid, format);
        requireRange(range);
        checkTarget(target);
        return FileSink.writeRetained(calls.download(media, range, null, notFoundWindow, Bodies.RETAIN, null), target,
                durableFiles);
    }

    /** As {@link #downloadTo(String, String, AudioFormat, Path)}, reporting to {@code progress} (may be null). */
    public Mono<Long> downloadTo(String accountSid, String recordingSid, AudioFormat format, Path target,
            DownloadProgress progress) {
        checkTarget(target);
        return toFile(protocol.media(accountSid, recordingSid, format), progress, target);
    }

    /**
     * Waits until a recording is {@code completed} and emits it: polls its metadata with backoff
     * (0.5 s doubling to 10 s), counting a 404 as "not there yet", as happens right after a call
     * ends. Fails with {@link dev.laml.recordings.RecordingNotReadyException} when the recording
     * turns out {@code absent} or {@code failed} (with its {@code error_code}), or is still not
     * completed after {@code max}.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID or {@code max} is not positive
     */
    public Mono<Recording> awaitCompleted(String accountSid, String recordingSid, Duration max) {
        ApiRequest request = protocol.fetch(accountSid, recordingSid);
        if (max == null || max.isZero() || max.isNegative()) {
            throw new IllegalArgumentException("max must be a positive duration, got " + max);
        }
        return calls.awaitCompleted(request, max);
    }

    /**
     * Archives an account's recordings into {@code dir}: lists them lazily ({@link #list}), downloads up to
     * {@link ArchiveOptions#concurrency()} at once, and reports each step as an {@link ArchiveEvent}; the last event
     * is always one {@link ArchiveEvent.Summary}.
     *
     * <pre>{@code
     * client.archive(accountSid, RecordingQuery.all().createdAfter(since), Path.of("archive"),
     *                ArchiveOptions.defaults().format(AudioFormat.MP3).deleteAfterVerify(true))
     *       .filter(e -> e.kind() == ArchiveEvent.Kind.FAILED)
     *       .subscribe(e -> log.warn("{}: {}", ((ArchiveEvent.Failed) e).sid(), ((ArchiveEvent.Failed) e).reason()));
     * }</pre>
     *
     * <p><b>Layout.</b> {@code dir/yyyy/MM/dd/{sid}.wav} (or {@code .mp3}), dated by {@code date_created} in UTC
     * ({@code dir/undated/} when the API gave none), and beside it the sidecar {@code {sid}.json}: sid, account_sid,
     * call_sid, conference_sid, date_created, date_updated, duration (seconds), channels, status, source, format,
     * media_type, file, size, sha256, archived_at. Directories are created as needed. The layout stays inside
     * {@code dir}: a directory or file in it that is a symbolic link is followed only while it stays inside (one that
     * leads out, or dangles, fails that recording before anything is created or written through it, and such a copy
     * is never trusted to skip or delete a recording), and only regular files are written there, never into a FIFO
     * or device found in a file's place. Files get the permissions {@link #downloadTo(String, String, AudioFormat,
     * Path) downloadTo} gives them (the umask's for a new file, its own for a replaced one).
     *
     * <p><b>Safe to kill, safe to repeat.</b> The audio is written to a hidden temporary file, forced to disk (always,
     * whatever {@link Builder#durableFiles(boolean)} says) and moved into place when complete; its SHA-256 is computed while it streams; the sidecar is written the same way, after the audio,
     * so a sidecar always describes a complete file. A recording whose sidecar exists and whose file has the recorded
     * size and SHA-256 (the file is read to check) is {@link ArchiveEvent.Skipped skipped}; a missing, short or
     * mismatching file is downloaded again. Hidden {@code *.part} files left by a killed run are removed when a later
     * run first writes to that day's directory. Two runs must not write the same directory at once.
     *
     * <p><b>Only completed recordings</b> are archived: any other status (in progress, absent, failed, ...) is a
     * {@link ArchiveEvent.Failed} with reason {@code "not completed (status X)"} and a
     * {@link dev.laml.recordings.RecordingNotReadyException}, and is never deleted; restrict the query (say,
     * {@code createdBefore(now minus an hour)}) to leave out calls still in progress.
     *
     * <p><b>Deleting.</b> With {@link ArchiveOptions#deleteAfterVerify(boolean)}, a recording is deleted from the
     * server only after its file and sidecar are in place and the file, read back from disk, has the SHA-256 that was
     * received (or, for a skipped recording, the one its sidecar records). A {@link ArchiveOptions#dryRun(boolean)
     * dry run} lists and checks the local copies, and downloads, writes and deletes nothing.
     *
     * <p><b>Errors</b> on one recording never stop the others: each becomes a {@link ArchiveEvent.Failed} with its
     * reason, and so does a listing that breaks off (after what was in flight finishes). The flux itself completes
     * normally, after the summary; it fails only for a bug. Cancelling stops the listing and every download in flight,
     * deleting their temporary files; nothing already archived is touched.
     *
     * <p>Lazy and cold, as every method here: nothing is listed, created or written before subscription, and each
     * subscription is a new run. Blocking file-system work runs on {@link Schedulers#boundedElastic()}.
     *
     * @param accountSid the account to archive
     * @param query      which recordings (dates, call, conference, page size); {@link RecordingQuery#all()} for all
     * @param dir        the archive's root directory; created if missing
     * @param options    format, concurrency, delete-after-verify and dry run; {@link ArchiveOptions#defaults()}
     * @return the run's events, never null
     * @throws IllegalArgumentException at call time if the account id is not a UUID, or the query, dir or options is
     *                                  null
     */
    public Flux<ArchiveEvent> archive(String accountSid, RecordingQuery query, Path dir, ArchiveOptions options) {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        return archive(accountSid, query, ArchiveTarget.directory(dir), options);
    }

    /**
     * Archives an account's recordings into {@code target}: the same job as
     * {@link #archive(String, RecordingQuery, Path, ArchiveOptions)} (listing, skipping what is verified, streaming
     * while hashing, the sidecar after the audio, deleting only what is proven stored), into any
     * {@link ArchiveTarget}: {@link ArchiveTarget#directory(Path)}, or object storage with the
     * {@code laml-recordings-s3} module's {@code S3Target}. Keys are {@code yyyy/MM/dd/{sid}.{ext}} and
     * {@code yyyy/MM/dd/{sid}.json} below the target's root; events carry each copy's location as a URI.
     *
     * <pre>{@code
     * client.archive(accountSid, query, S3Target.of(s3, "bucket", "recordings"), options.shard(0, 4))
     * }</pre>
     *
     * @throws IllegalArgumentException at call time if the account id is not a UUID, or the query, target or options
     *                                  is null
     */
    public Flux<ArchiveEvent> archive(String accountSid, RecordingQuery query, ArchiveTarget target,
            ArchiveOptions options) {
        return Archiver.archive(archiveSource, accountSid, query, target, options);
    }

    /**
     * Archives one recording into {@code target}, as {@link #archive(String, RecordingQuery, ArchiveTarget,
     * ArchiveOptions)} archives each listed one: its metadata is fetched ({@code GET …/Recordings/{Sid}.json}) in place
     * of the listing, then the same job runs for it alone (skip a stored and verified copy, stream while hashing, the
     * sidecar after the audio, delete only what is proven stored). This is what a worker driven by status callbacks
     * needs: the callback names one recording, and the metadata, never the callback, says where its audio is.
     *
     * <p>The events are those of a run of one: {@link ArchiveEvent.Listed}, one outcome, perhaps the delete, then the
     * {@link ArchiveEvent.Summary}. A recording that is not {@code completed} is a {@link ArchiveEvent.Failed} with a
     * {@link dev.laml.recordings.RecordingNotReadyException} (wait with {@link #awaitCompleted} first). A metadata
     * fetch that fails (not found, unauthorized, unreachable) is one {@link ArchiveEvent.Failed} without a recording
     * whose reason starts with {@code "list: "} and whose error is the fetch's, then the summary. The options' shard
     * is ignored: the caller chose this recording.
     *
     * @throws IllegalArgumentException at call time if an id is not a UUID, or the target or options is null
     */
    public Flux<ArchiveEvent> archiveRecording(String accountSid, String recordingSid, ArchiveTarget target,
            ArchiveOptions options) {
        Mono<Recording> metadata = fetch(accountSid, recordingSid); // validates both ids, sends nothing yet
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        Archiver.Source one = new Archiver.Source() {
            @Override
            public Flux<Recording> list(String account, RecordingQuery query) {
                return metadata.flux();
            }

            @Override
            public Flux<ByteBuffer> download(String account, String sid, AudioFormat format) {
                return archiveSource.download(account, sid, format);
            }

            @Override
            public Mono<Void> delete(String account, String sid) {
                return archiveSource.delete(account, sid);
            }

            @Override
            public Flux<Transcription> transcriptions(String account, String sid) {
                return archiveSource.transcriptions(account, sid);
            }
        };
        return Archiver.archive(one, accountSid, RecordingQuery.all(), target, options.shard(0, 1));
    }

    /** As {@link #downloadTo(String, String, AudioFormat, Path)}, from a media URL. */
    public Mono<Long> downloadTo(URI mediaUrl, Path target) {
        checkTarget(target);
        return toFile(protocol.media(mediaUrl), null, target);
    }

    /** The download as retained network buffers, straight into the file writer, which releases them. */
    private Mono<Long> toFile(ApiRequest media, DownloadProgress progress, Path target) {
        return FileSink.writeRetained(calls.download(media, progress, notFoundWindow, Bodies.RETAIN), target, durableFiles);
    }

    private static void checkTarget(Path target) {
        if (target == null || target.getFileName() == null) {
            throw new IllegalArgumentException("target must be a file path, got " + target);
        }
    }

    // ------------------------------------------------------------------------------------------ transcriptions

    /**
     * Lists an account's transcriptions, newest first: {@code GET …/Transcriptions.json} with the query's page size
     * and date filters, and the configured credentials. Pages are followed lazily, exactly as {@link #list} follows
     * them: a page is requested only when the subscriber's demand reaches it, and every {@code next_page_uri} is
     * resolved on the configured base URL only.
     *
     * <p>Fails with an {@link ApiException} (for example {@link dev.laml.recordings.AuthenticationException}) or a
     * {@link TransferException}; a page whose body is not a transcriptions list, or names a transcription whose sid is
     * not a UUID, fails with an {@link dev.laml.recordings.UnexpectedResponseException}.
     *
     * @param accountSid the account, a UUID
     * @param query      the filters and page size; {@link TranscriptionQuery#all()} for all
     * @return the transcriptions, lazily; never null
     * @throws IllegalArgumentException at call time if the account id is not a UUID or the query is null
     */
    public Flux<Transcription> transcriptions(String accountSid, TranscriptionQuery query) {
        ApiRequest first = transcriptionsProtocol.list(accountSid, query);
        return Pager.items(first, this::transcriptionPage, TranscriptionPage::transcriptions,
                TranscriptionPage::nextPageUri, transcriptionsProtocol::nextPage);
    }

    /**
     * Lists one recording's transcriptions: {@code GET …/Recordings/{RecordingSid}/Transcriptions.json}, the
     * recording's {@code subresource_uris.transcriptions}, paged lazily as {@link #transcriptions} pages. A recording
     * without a transcription gives an empty flux; an unknown recording fails with
     * {@link dev.laml.recordings.NotFoundException}.
     *
     * @param accountSid   the account, a UUID
     * @param recordingSid the recording, a UUID
     * @return the recording's transcriptions, lazily; never null
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Flux<Transcription> recordingTranscriptions(String accountSid, String recordingSid) {
        ApiRequest first = transcriptionsProtocol.listForRecording(accountSid, recordingSid,
                TranscriptionQuery.DEFAULT_PAGE_SIZE);
        return Pager.items(first, this::transcriptionPage, TranscriptionPage::transcriptions,
                TranscriptionPage::nextPageUri, transcriptionsProtocol::nextPage);
    }

    /**
     * Fetches one transcription: {@code GET …/Transcriptions/{Sid}.json} with the configured credentials; redirects
     * and retries as for {@link #fetch}.
     *
     * @param accountSid       the account, a UUID
     * @param transcriptionSid the transcription, a UUID
     * @return one {@link Transcription}, or an error ({@link dev.laml.recordings.NotFoundException} for an unknown
     *         one); never null
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Mono<Transcription> fetchTranscription(String accountSid, String transcriptionSid) {
        ApiRequest request = transcriptionsProtocol.fetch(accountSid, transcriptionSid);
        return calls.json(request, (status, reason, headers, body) ->
                transcriptionsProtocol.decodeTranscription(request, status, reason, headers, body));
    }

    /**
     * Deletes a transcription: {@code DELETE …/Transcriptions/{Sid}.json}. Completes empty on success (the API
     * answers 204); fails with {@link dev.laml.recordings.NotFoundException} for an unknown one. Never retried, as
     * {@link #delete} is not: a retried delete that had in fact succeeded would report 404.
     *
     * @param accountSid       the account, a UUID
     * @param transcriptionSid the transcription, a UUID
     * @return completion; never null
     * @throws IllegalArgumentException at call time if either id is not a UUID
     */
    public Mono<Void> deleteTranscription(String accountSid, String transcriptionSid) {
        return calls.delete(transcriptionsProtocol.delete(accountSid, transcriptionSid));
    }

    private Mono<TranscriptionPage> transcriptionPage(ApiRequest request) {
        return calls.json(request, (status, reason, headers, body) ->
                transcriptionsProtocol.decodePage(request, status, reason, headers, body));
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

    /**
     * The base URL, the project id when credentials are configured (with {@code credentialsToMedia}
     * when they go to media too), the TLS engine in use ({@code tls=OpenSSL} or {@code tls=JDK})
     * and the proxy, if any, without its user and password; never a token or password. For example
     * {@code RecordingsClient[https://example.signalwire.com, project=my-project, tls=OpenSSL,
     * proxy=http://proxy.corp.example:3128]}.
     */
    @Override
    public String toString() {
        return "RecordingsClient[" + baseUrl()
                + (projectId != null ? ", project=" + projectId : "")
                + (credentialsToMedia ? ", credentialsToMedia" : "")
                + ", tls=" + tls.engineName()
                + (proxy != null ? ", proxy=" + proxy.describe() : "") + "]";
    }

    /** The TLS engine this client's HTTPS connections run on: {@code "OpenSSL"} or {@code "JDK"}. */
    public String tlsEngine() {
        return tls.engineName();
    }

    /**
     * Configures a {@link RecordingsClient}. Set exactly one of {@link #space(String)} and
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
        private Duration notFoundWindow = Duration.ZERO;
        private boolean durableFiles = true;
        private Object meterRegistry;
        private TlsEngine tlsEngine = TlsEngine.AUTO;
        private Path trustedCertificates;
        private TrustManagerFactory trustManagerFactory;
        private Duration tlsHandshakeTimeout = Duration.ofSeconds(10);
        private URI proxy;
        private List<String> noProxy = List.of();

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

        /**
         * How long an idle pooled connection is kept; default 20 s. Checked in the background every
         * half of it: an idle connection is closed between this and one and a half times this after
         * its last use, and one the server closed leaves the pool at the next check.
         */
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
         * 30 s. It never fires while the subscriber has no outstanding demand. It guards every
         * body the client reads (audio, metadata, error and redirect bodies). An audio body that
         * goes idle is resumed (see {@link #retryPolicy(RetryPolicy)}).
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /**
         * When to retry and resume; default {@link RetryPolicy#defaults()} (4 attempts in all,
         * exponential backoff with full jitter; a body that has delivered bytes since its last
         * failure resumed while its failures span less than 30 s). {@link RetryPolicy#none()}
         * turns retries and resumes off. {@code download}, {@code downloadTo} and the body of
         * {@code open} share the same budgets.
         */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Keep retrying a media 404 for this long after a download starts, with the retry
         * policy's backoff: right after a call ends its recording is often not there yet.
         * Default zero (a 404 fails at once). Never applies once bytes were delivered.
         */
        public Builder retryNotFoundFor(Duration window) {
            if (window == null || window.isNegative()) {
                throw new IllegalArgumentException("window must be zero or positive, got " + window);
            }
            this.notFoundWindow = window;
            return this;
        }

        /**
         * Whether {@link RecordingsClient#downloadTo downloadTo} forces each file to disk
         * ({@code fsync}) before moving it into place; default true.
         *
         * <p>Either way the file is written under a hidden temporary name and atomically renamed
         * to the target only once every byte was received and written, so while the operating
         * system runs, no reader ever sees a partial target, and a failed or cancelled download
         * (or a killed process: the OS still writes out what it was given) never leaves one.
         *
         * <p>With {@code false} the {@code Mono} completes as soon as the bytes are handed to the
         * OS, which writes them to disk later; that saves the wait for the device, the larger
         * part of a download's time on fast networks. The cost is crash safety against a power
         * loss or an OS crash shortly after: the rename may reach the disk before the data, so
         * after a reboot the target may exist but be empty or hold only part of the bytes (and
         * a target it replaced is gone). Use it when files can be fetched again, or durability
         * is handled elsewhere (e.g. a later {@code sync}).
         *
         * <p>{@link RecordingsClient#archive archive} ignores this setting and always forces its
         * files: with {@link ArchiveOptions#deleteAfterVerify(boolean)} it deletes the server's
         * copy once its own is verified, so that copy must survive a power loss.
         */
        public Builder durableFiles(boolean durable) {
            this.durableFiles = durable;
            return this;
        }

        /**
         * Which TLS implementation to use; default {@link TlsEngine#AUTO} (OpenSSL where the bundled
         * native library loads, else the JDK's). The engine in use shows in the client's
         * {@code toString()} and {@link RecordingsClient#tlsEngine()}.
         */
        public Builder tlsEngine(TlsEngine engine) {
            this.tlsEngine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Trust exactly the certificates in this PEM file (one or more
         * {@code -----BEGIN CERTIFICATE-----} blocks, CA or server certificates) instead of the JDK's
         * default trust store, for this client only: a private CA, a TLS-inspecting company proxy, a
         * staging space, the testkit's generated certificate. The file is read by {@link #build()}.
         *
         * <p>There is deliberately no "trust all certificates" switch, and hostname verification
         * cannot be turned off: the API token travels on these connections, and a client that
         * trusts any certificate hands it to anyone on the network path. Trust the one certificate
         * you mean instead; for anything this cannot express, see
         * {@link #trustManagerFactory(TrustManagerFactory)}.
         *
         * @throws IllegalStateException at {@link #build()} if a trust manager factory is set too
         * @see #trustManagerFactory(TrustManagerFactory)
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
            return this;
        }

        /**
         * Decide trust with this (initialised) factory's {@code X509TrustManager} instead of the
         * JDK's default: a key store, a PKCS#11 token, revocation checking, pinning. Hostname
         * verification stays on whatever the trust manager does.
         *
         * @throws IllegalStateException at {@link #build()} if trusted certificates are set too
         */
        public Builder trustManagerFactory(TrustManagerFactory factory) {
            this.trustManagerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Longest a TLS handshake may take once the TCP connection is up; default 10 s. A handshake
         * that stalls (a server or middlebox that accepts and says nothing) then fails with a
         * {@link dev.laml.recordings.TlsException}.
         */
        public Builder tlsHandshakeTimeout(Duration timeout) {
            this.tlsHandshakeTimeout = positive("tlsHandshakeTimeout", timeout);
            return this;
        }

        /**
         * Send every connection through this proxy: {@code http://[user:password@]host:port} (an
         * HTTP proxy; the client opens a {@code CONNECT} tunnel, so TLS to the server stays
         * end-to-end) or {@code socks5://host:port}; the port defaults to 1080, as in curl. Every
         * host goes through it, loopback included, except those matched by {@link #noProxy}.
         * User info may be percent-encoded ({@code p%40ss} for {@code p@ss}). The proxy's
         * credentials never appear in a {@code toString()}, a log line or an exception message.
         *
         * <p>A proxy that cannot be reached or refuses the tunnel (a non-2xx answer to
         * {@code CONNECT}, {@code 407 Proxy Authentication Required}) fails the call with a
         * {@link dev.laml.recordings.ProxyException}, never retried.
         *
         * @param proxy the proxy, or null for none (the default; system properties and environment
         *              variables are not consulted)
         * @throws IllegalArgumentException for another scheme, a missing host, or a path; the
         *                                  message never repeats the credentials
         */
        public Builder proxy(URI proxy) {
            if (proxy != null) {
                ProxySettings.parse(proxy, List.of());
            }
            this.proxy = proxy;
            return this;
        }

        /**
         * Hosts to reach directly even when a {@link #proxy(URI)} is set, with curl's
         * {@code NO_PROXY} rules: {@code *} alone matches every host; {@code example.com},
         * {@code .example.com} and {@code *.example.com} each match that domain and every name
         * under it; an IP address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}) matches IP
         * literals in it. Names are compared as given, never resolved. Replaces any earlier list.
         *
         * @throws IllegalArgumentException for an empty pattern or a malformed range
         */
        public Builder noProxy(String... hostPatterns) {
            Objects.requireNonNull(hostPatterns, "hostPatterns");
            List<String> patterns = new ArrayList<>(hostPatterns.length);
            for (String p : hostPatterns) {
                ProxySettings.validateNoProxy(p);
                patterns.add(p.trim());
            }
            this.noProxy = List.copyOf(patterns);
            return this;
        }

        /**
         * Report metrics to this Micrometer {@code io.micrometer.core.instrument.MeterRegistry}:
         * counters {@code laml.recordings.downloads.started/completed/failed/resumed/bytes} and
         * {@code laml.recordings.requests.retried}, the timer
         * {@code laml.recordings.metadata.latency} (tag {@code outcome}), and the connection
         * pool's gauges {@code laml.recordings.pool.active/idle/pending/max} (tags {@code pool},
         * {@code remote}; removed from the registry when the client is closed). Without a registry
         * (the default) nothing is measured and Micrometer need not be on the classpath.
         *
         * <p>Typed {@code Object} on purpose: a {@code MeterRegistry} parameter would make
         * Micrometer a hard requirement for any code that reflects over this builder.
         *
         * @param meterRegistry a {@code MeterRegistry}, or null for no metrics
         * @throws IllegalArgumentException if it is something else
         */
        public Builder meterRegistry(Object meterRegistry) {
            if (meterRegistry != null && !isMeterRegistry(meterRegistry)) {
                throw new IllegalArgumentException("meterRegistry must be an io.micrometer.core.instrument.MeterRegistry, got "
                        + meterRegistry.getClass().getName());
            }
            this.meterRegistry = meterRegistry;
            return this;
        }

        private static boolean isMeterRegistry(Object candidate) {
            try {
                return Class.forName("io.micrometer.core.instrument.MeterRegistry", false,
                        candidate.getClass().getClassLoader()).isInstance(candidate);
            } catch (ClassNotFoundException | LinkageError noMicrometer) {
                return false;
            }
        }

        /**
         * Builds an immutable client.
         *
         * @throws IllegalStateException    unless exactly one of space and base URL was set; if both
         *                                  trusted certificates and a trust manager factory were set;
         *                                  for {@link TlsEngine#OPENSSL} where OpenSSL is not available
         * @throws IllegalArgumentException if the base URL is not acceptable (see {@link #baseUrl(URI)}),
         *                                  or the trusted-certificates file cannot be read or holds no
         *                                  certificate (the message names the file)
         */
        public RecordingsClient build() {
            if ((space == null) == (baseUrl == null)) {
                throw new IllegalStateException("set exactly one of space(...) and baseUrl(...)");
            }
            if (trustedCertificates != null && trustManagerFactory != null) {
                throw new IllegalStateException("set at most one of trustedCertificates(...) and trustManagerFactory(...)");
            }
            ApiEndpoint endpoint = space != null ? ApiEndpoint.forSpace(space) : ApiEndpoint.of(baseUrl, allowInsecureHttp);
            RecordingsProtocol protocol = RecordingsProtocol.builder(endpoint)
                    .credentials(projectId == null ? null : Credentials.of(projectId, apiToken))
                    .sendCredentialsToMedia(credentialsToMedia)
                    .maxMetadataBytes(maxMetadataBytes)
                    .build();
            TlsSetup tls = TlsSetup.create(tlsEngine, trustedCertificates, trustManagerFactory, tlsHandshakeTimeout);
            ProxySettings proxySettings = proxy == null ? null : ProxySettings.parse(proxy, noProxy);
            return new RecordingsClient(this, protocol, tls, proxySettings);
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
            return "RecordingsClient.Builder[" + (space != null ? "space=" + space : "baseUrl=" + baseUrl)
                    + (projectId != null ? ", projectId=" + projectId + ", apiToken=<redacted>" : "")
                    + ", tlsEngine=" + tlsEngine
                    + (proxy != null ? ", proxy=" + ProxySettings.parse(proxy, List.of()).describe() : "") + "]";
        }
    }
}
