package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ServerTls;
import dev.laml.recordings.testkit.internal.TrafficCounters;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A local HTTP (or {@linkplain Builder#tls() HTTPS}) server that answers like SignalWire's Compatibility API for recordings, so that code using it can be
 * tested without an account. Under {@code /api/laml/2010-04-01/Accounts/{AccountSid}}:
 * <ul>
 *   <li>{@code GET /Recordings/{Sid}} (or {@code .wav}) and {@code .mp3} serve the media, without authentication;</li>
 *   <li>{@code GET /Recordings/{Sid}.json} serves the metadata JSON and {@code DELETE} on it deletes the recording
 *       (204), both only with HTTP Basic {@code projectId:apiToken};</li>
 *   <li>{@code GET /Recordings.json} (or {@code /Recordings}, the form of the {@code *_uri} it returns) lists the
 *       account's recordings, newest {@code date_created} first (ties by sid), with the API's filters
 *       {@code DateCreated}, {@code DateCreated<}/{@code <=} (on or before), {@code DateCreated>}/{@code >=} (on or
 *       after; names raw or percent-encoded; values {@code YYYY-MM-DD} for a UTC day or an RFC 2822 date-time),
 *       {@code CallSid} and {@code ConferenceSid}, and paging by {@code PageSize} (1 to 1000, default 50; more is a
 *       400), {@code Page} and the opaque {@code PageToken} of {@code next_page_uri}/{@code previous_page_uri}.
 *       Basic auth as for {@code .json}.</li>
 *   <li>live calls and conferences ({@link #startCall()}, {@link #startConference()}): {@code POST
 *       /Calls/{CallSid}/Recordings.json} starts a recording, {@code POST /Calls/{CallSid}/Recordings/{Sid}.json}
 *       pauses, resumes or stops it, {@code /Conferences/{ConferenceSid}/Recordings.json} lists a conference's and
 *       {@code /Conferences/{ConferenceSid}/Recordings/{Sid}.json} fetches, controls or deletes one; what they record
 *       follows the server's {@linkplain Builder#clock clock}, and a stopped recording is served as any other.</li>
 *   <li>{@code GET /Transcriptions.json} (date filters and paging as above), {@code GET} and {@code DELETE
 *       /Transcriptions/{Sid}.json}, and a recording's {@code GET /Recordings/{Sid}/Transcriptions.json}, with Basic
 *       auth, for the transcriptions {@link #addTranscription(String, String)} (or
 *       {@link Builder#transcribeRecordings(boolean)}) made.</li>
 * </ul>
 * <pre>{@code
 * try (RecordingsServer server = RecordingsServer.start()) {
 *     TestRecording recording = server.addRecording(RecordingSpec.create().durationSeconds(10));
 *     // point the client at server.baseUrl() with server.projectId() / server.apiToken()
 *     // fetch recording.url(Format.WAV), compare with recording.sha256(Format.WAV)
 * }
 * }</pre>
 *
 * <p>Media responses carry {@code Content-Length}, a strong {@code ETag}, {@code Last-Modified} and
 * {@code Accept-Ranges: bytes}, and honour single {@code Range} requests (206, 416) and {@code If-Range}. Errors use
 * the API's bodies: 401 and 404 as JSON on {@code .json}, 404 as the XML error on media. {@link Fault}s make any
 * response slow, truncated, reset, or replaced. Counters ({@link #requestCount()}, {@link #bytesWritten()},
 * {@link #peakConnections()}, ...) and the {@link #takeRequest() request log} let tests see what a client did.
 *
 * <p>HTTPS: {@link Builder#tls()} serves TLS (HTTP/1.1) with a certificate made at start, issued for
 * {@code 127.0.0.1}, {@code ::1} and {@code localhost} by a certificate authority that exists only for this server;
 * a client trusts exactly that authority through {@link #certificatePem()} (or {@link #writeCertificatePem(Path)},
 * {@link #certificate()}). {@link Builder#tls(PrivateKey, X509Certificate...)} serves a chain the test made itself
 * instead: expired, for another host, untrusted. OpenSSL serves where its native library loads, else the JDK
 * ({@link #tlsEngine()}).
 * <pre>{@code
 * try (RecordingsServer server = RecordingsServer.builder().tls().start()) {
 *     Path ca = server.writeCertificatePem(tempDir.resolve("ca.pem"));
 *     // point the client at server.baseUrl() (https://127.0.0.1:PORT), trusting only ca
 * }
 * }</pre>
 * Over TLS, {@link Fault#closeAfterBytes(long)} and {@link Fault#resetAfterBytes(long)} end the connection without
 * a close_notify, as a crashed server would; {@link Fault#closeNotifyAfterBytes(long)} ends it cleanly but early.
 *
 * <p>Status callbacks: with {@link Builder#statusCallback(URI, String)} the server also pushes, as SignalWire does,
 * POSTing the signed recording status callback to a receiver under test when a recording is added and when a delayed
 * one completes; failed deliveries are retried twice, {@link CallbackFault}s duplicate, mis-sign or drop one, and every
 * finished {@link CallbackDelivery} is recorded.
 * <pre>{@code
 * try (RecordingsServer server = RecordingsServer.builder()
 *         .statusCallback(URI.create("http://127.0.0.1:8080/recordings/events"), signingKey).start()) {
 *     server.enqueueCallbackFault(CallbackFault.DUPLICATE);
 *     TestRecording r = server.addRecording();              // its callback is POSTed twice
 *     CallbackDelivery d = server.takeCallbackDelivery();   // d.delivered(), d.attemptStatuses(), d.fields()
 * }
 * }</pre>
 *
 * <p>Built for speed, as benchmarks use it as a loopback server: content is generated once per recording and kept
 * off-heap, bodies are written as slices of it (no per-request copy), connections are kept alive, and bodies are
 * produced only as fast as the client reads. It runs on event-loop threads of its own (daemon) and prints nothing.
 *
 * <p>Thread-safe: recordings, faults and counters may be used from any thread while requests are served.
 * Methods reject null arguments.
 */
public final class RecordingsServer implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);

    private final String projectId;
    private final String apiToken;
    private final String accountSid;
    private final String authorization;
    private final LoopResources loops;
    private final DisposableServer disposable;
    private final URI baseUrl;
    /** Null for plain HTTP. */
    private final ServerTls tls;
    private final TrafficCounters traffic = new TrafficCounters();
    private final RequestLog requests;
    private final Clock clock;
    private final ConcurrentHashMap<String, TestRecording> recordings = new ConcurrentHashMap<>();
    /** The date_created second of removed recordings, by sid key, so that a page token naming one stays valid. */
    private final ConcurrentHashMap<String, Long> removedCreated = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Fault> recordingFaults = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TestTranscription> transcriptions = new ConcurrentHashMap<>();
    /** Whether every added recording is transcribed ({@link Builder#transcribeRecordings(boolean)}). */
    private final boolean transcribeRecordings;
    private final ConcurrentLinkedQueue<Fault> queuedFaults = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Sends the builder's status callbacks (if it has a URL) and live recordings' own. */
    private final StatusCallbacks callbacks;
    /** Whether the builder gave a signing key (with a URL or without): the callback methods need one. */
    private final boolean callbacksConfigured;
    private final LiveCalls live = new LiveCalls(this);

    private RecordingsServer(Builder builder) {
        this.projectId = builder.projectId != null ? builder.projectId : UUID.randomUUID().toString();
        this.apiToken = builder.apiToken != null ? builder.apiToken : randomToken();
        this.accountSid = builder.accountSid != null ? builder.accountSid : defaultAccountSid(projectId);
        this.authorization = Base64.getEncoder()
                .encodeToString((projectId + ':' + apiToken).getBytes(StandardCharsets.UTF_8));
        this.requests = new RequestLog(builder.requestLogCapacity);
        this.clock = builder.clock;
        this.transcribeRecordings = builder.transcribeRecordings;
        this.tls = builder.newTls(); // first: generating a certificate may fail, and nothing needs disposing yet
        // Own event loops rather than Reactor Netty's global ones, which the client under test (or benchmarked)
        // uses: sharing them would make the server compete with the client for the same threads.
        int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.loops = LoopResources.create("laml-testkit-" + INSTANCES.incrementAndGet(), 1, workers, true);
        RecordingsHandler handler = new RecordingsHandler(this);
        try {
            HttpServer http = HttpServer.create();
            if (tls != null) {
                http = tls.secure(http);
            }
            this.disposable = http
                    .host("127.0.0.1")
                    .port(builder.port)
                    .runOn(loops)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .doOnChannelInit((observer, channel, remote) -> traffic.onChannelInit(channel))
                    .handle(handler::handle)
                    .bindNow(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            loops.disposeLater(Duration.ZERO, SHUTDOWN_TIMEOUT).block(SHUTDOWN_TIMEOUT.multipliedBy(2));
            throw e;
        }
        this.baseUrl = URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + disposable.port());
        this.callbacksConfigured = builder.signingKey != null;
        // Without a configured key, live recordings' callbacks are still signed, with a key nobody knows.
        this.callbacks = new StatusCallbacks(this, builder.callbackUrl,
                builder.signingKey != null ? builder.signingKey : randomToken(), builder.callbackRetryDelay,
                builder.callbackTimeout, builder.callbackFaultRates, builder.callbackSeed, builder.callbackListener,
                loops);
    }

    /** Starts a server on 127.0.0.1 and an ephemeral port. Automated tests should always use port 0 (this). */
    public static RecordingsServer start() {
        return builder().start();
    }

    /** Starts a server on 127.0.0.1:{@code port}; 0 picks a free port. */
    public static RecordingsServer start(int port) {
        return builder().port(port).start();
    }

    /** A builder for a server with chosen port, credentials or account. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code http://127.0.0.1:PORT}, or {@code https://127.0.0.1:PORT} with {@linkplain Builder#tls() TLS}, without
     * a trailing slash: the client's API base URL.
     */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The bound port. */
    public int port() {
        return disposable.port();
    }

    /** The Basic-auth user the {@code .json} endpoint accepts: the SignalWire project id. */
    public String projectId() {
        return projectId;
    }

    /** The Basic-auth password the {@code .json} endpoint accepts. */
    public String apiToken() {
        return apiToken;
    }

    /**
     * The account sid recordings belong to unless their spec says otherwise. As on SignalWire, where the account sid
     * is the project id, it equals {@link #projectId()} when that is a UUID; otherwise a UUID derived from it.
     */
    public String accountSid() {
        return accountSid;
    }

    // --------------------------------------------------------------------------------------------------- https

    /**
     * Whether the server speaks HTTPS (built with {@link Builder#tls()} or
     * {@link Builder#tls(PrivateKey, X509Certificate...)}).
     */
    public boolean isTls() {
        return tls != null;
    }

    /**
     * The TLS implementation serving connections: {@code "OpenSSL"} (BoringSSL, from netty-tcnative) or {@code "JDK"};
     * null for a plain HTTP server. For benchmarks to print next to their numbers.
     */
    public @Nullable String tlsEngine() {
        return tls == null ? null : tls.engine();
    }

    /**
     * The certificate a client should trust to reach this server, as PEM ({@code -----BEGIN CERTIFICATE-----}, base64
     * in lines of 64 characters, {@code -----END CERTIFICATE-----}, each line ending in {@code \n}). With
     * {@link Builder#tls()}, the server's own certificate authority, which signed the certificate the server presents
     * and nothing else; with {@link Builder#tls(PrivateKey, X509Certificate...)}, the last certificate of the given
     * chain.
     *
     * @throws IllegalStateException if the server is plain HTTP
     */
    public String certificatePem() {
        return requireTls().trustedCertificatePem();
    }

    /**
     * The certificate of {@link #certificatePem()}, e.g. for a {@code KeyStore} trust entry.
     *
     * @throws IllegalStateException if the server is plain HTTP
     */
    public X509Certificate certificate() {
        return requireTls().trustedCertificate();
    }

    /**
     * Writes {@link #certificatePem()} to {@code file}, replacing it, and returns {@code file}. The PEM is written to a
     * temporary file in the same directory first and then moved into place (atomically where the file system can),
     * so a reader never sees half a certificate.
     *
     * @throws IllegalStateException if the server is plain HTTP
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path writeCertificatePem(Path file) {
        Objects.requireNonNull(file, "file");
        String pem = certificatePem();
        Path directory = file.toAbsolutePath().getParent();
        try {
            Path temporary = Files.createTempFile(directory, ".laml-testkit-", ".pem.tmp");
            try {
                Files.writeString(temporary, pem, StandardCharsets.US_ASCII);
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary); // only still there if the write or the move failed
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the certificate to " + file, e);
        }
        return file;
    }

    // ---------------------------------------------------------------------------------------------- recordings

    /** Adds a recording with every default (4 s, mono, random sid). */
    public TestRecording addRecording() {
        return addRecording(RecordingSpec.create());
    }

    /**
     * Generates and adds a recording; it is served as soon as this returns. With a
     * {@linkplain Builder#statusCallback status callback}, its callback is sent now (in the background): its final
     * status if it is complete at once, else {@code in-progress} now and its final status when it completes.
     *
     * @throws IllegalArgumentException if a recording with the same sid exists, or the spec's sizes are invalid
     */
    public TestRecording addRecording(RecordingSpec spec) {
        Objects.requireNonNull(spec, "spec");
        requireOpen();
        TestRecording recording = TestRecording.create(this, spec);
        if (recordings.putIfAbsent(key(recording.sid()), recording) != null) {
            throw new IllegalArgumentException("a recording with sid " + recording.sid() + " already exists");
        }
        callbacks.added(recording);
        // After the recording's own callback, as SignalWire transcribes a recording once it is complete.
        if (transcribeRecordings && !"absent".equals(recording.metadata().status())) {
            transcribe(recording, "Synthetic transcript of recording " + recording.sid() + ", "
                    + recording.durationSeconds() + " seconds of test audio.");
        }
        return recording;
    }

    // ---------------------------------------------------------------------------------------------- live calls

    /**
     * Starts a call on the server's {@link #accountSid() account} that can be recorded, as one in progress on
     * SignalWire: {@code POST .../Calls/{CallSid}/Recordings.json} starts a recording of it and
     * {@code POST .../Calls/{CallSid}/Recordings/{Sid}.json} with {@code Status} {@code paused}, {@code in-progress}
     * or {@code stopped} (and {@code PauseBehavior} {@code skip} or {@code silence}, default silence) controls it.
     * A recording records from its start on the server's {@linkplain Builder#clock clock} (a {@link TestClock} lets
     * a test say how long); a pause with {@code skip} leaves the paused time out, with {@code silence} records it as
     * silence. Until it stops, {@code /Recordings/{Sid}.json} shows it {@code in-progress} or {@code paused} (a
     * {@code DELETE} is refused, 400), its media answer 404 and lists leave it out. Stopping completes it: from then on it is served as any other recording ({@link #recording(String)},
     * its media and JSON URLs, lists), its WAV holding exactly the recorded milliseconds (8,000 samples a second, the
     * silent ones zero), its MP3 as many frames as cover them, its {@code duration} their length in whole seconds
     * (rounded to the nearest), or status {@code absent} with no media when nothing was recorded.
     *
     * <p>The form of the start: {@code RecordingChannels} mono|dual, {@code RecordingStatusCallback} (an absolute
     * http(s) URL), {@code RecordingStatusCallbackEvent} (a space-separated subset of {@code in-progress completed
     * absent}, default {@code completed}), {@code RecordingStatusCallbackMethod} GET|POST, {@code RecordingTrack}
     * inbound|outbound|both, {@code Trim} trim-silence|do-not-trim (trimming drops silence at either end). The status
     * callback, fields as for {@link Builder#statusCallback}, is sent for each event asked for: {@code in-progress}
     * at the start, {@code completed} (or {@code absent}) at the stop; signed with the builder's key
     * ({@link Builder#statusCallback} or {@link Builder#signingKey}), retried and faulted as the builder's callbacks,
     * and recorded in {@link #takeCallbackDelivery()}. Answers and errors are the API's: the recording's JSON (status
     * {@code in-progress}, {@code paused}, or {@code stopped} with its duration, as the answer to a stop); 401
     * without the credentials of metadata; 404 (code 20404) for an unknown call or recording; 422 for a value outside
     * those above; 400 for a start on an {@linkplain #endCall ended} call (21220) or an update of a stopped recording
     * (10000).
     *
     * @return the call's sid, a random UUID
     */
    public String startCall() {
        return startCall(accountSid);
    }

    /**
     * Starts a call on account {@code accountSid}, which the request's path must then name (see {@link #startCall()}).
     *
     * @return the call's sid, a random UUID
     */
    public String startCall(String accountSid) {
        RecordingSpec.requireId(accountSid, "accountSid");
        requireOpen();
        return live.start(accountSid, false);
    }

    /**
     * Ends a call, as its parties hanging up: its recordings still going stop (complete, with their callbacks) and
     * a new recording of it is refused (400, code 21220).
     *
     * @throws IllegalArgumentException if no call has this sid
     */
    public void endCall(String callSid) {
        live.end(Objects.requireNonNull(callSid, "callSid"), false);
    }

    /**
     * Starts a conference on the server's account whose recordings the API can list ({@code GET
     * .../Conferences/{ConferenceSid}/Recordings.json}), fetch, pause, resume, stop ({@code POST} with {@code Status}
     * and {@code PauseBehavior}, as for a call's) and delete ({@code DELETE}, 204; 400 while it is still going):
     * recordings {@link #startConferenceRecording} starts, recorded as a call's are (see {@link #startCall()}).
     * The errors are a call's, except a 422, whose body is {@code {"errors": ["..."]}} as the API documents.
     *
     * @return the conference's sid, a random UUID
     */
    public String startConference() {
        return startConference(accountSid);
    }

    /** Starts a conference on account {@code accountSid} (see {@link #startConference()}); returns its sid. */
    public String startConference(String accountSid) {
        RecordingSpec.requireId(accountSid, "accountSid");
        requireOpen();
        return live.start(accountSid, true);
    }

    /**
     * Ends a conference: its recordings still going stop (complete, with their callbacks).
     *
     * @throws IllegalArgumentException if no conference has this sid
     */
    public void endConference(String conferenceSid) {
        live.end(Objects.requireNonNull(conferenceSid, "conferenceSid"), true);
    }

    /**
     * Starts recording a conference (mono, not trimmed, source {@code Conference}), as a conference that records
     * from its start does; without a status callback. The API then controls it (see {@link #startConference()}).
     *
     * @return the recording's sid, a random UUID
     * @throws IllegalArgumentException if no conference has this sid
     * @throws IllegalStateException    if the conference has ended
     */
    public String startConferenceRecording(String conferenceSid) {
        return startConferenceRecording(conferenceSid, null, "completed");
    }

    /**
     * Starts recording a conference with a status callback to {@code statusCallback} (POSTed, signed as a call's
     * recording's) for the {@code events} asked for: a space-separated subset of {@code in-progress completed
     * absent}.
     *
     * @param statusCallback an absolute http(s) URL, or null for no callback
     * @return the recording's sid, a random UUID
     * @throws IllegalArgumentException if no conference has this sid, the URL is not http(s), or an event is unknown
     * @throws IllegalStateException    if the conference has ended
     */
    public String startConferenceRecording(String conferenceSid, @Nullable URI statusCallback, String events) {
        Objects.requireNonNull(conferenceSid, "conferenceSid");
        Objects.requireNonNull(events, "events");
        if (statusCallback != null) {
            String scheme = statusCallback.getScheme() == null ? "" : statusCallback.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || statusCallback.getHost() == null) {
                throw new IllegalArgumentException("the status callback URL must be an absolute http(s) URL with a "
                        + "host, got " + statusCallback);
            }
        }
        java.util.Set<String> asked = new java.util.LinkedHashSet<>();
        for (String event : events.trim().split("\\s+")) {
            if (!List.of("in-progress", "completed", "absent").contains(event)) {
                throw new IllegalArgumentException("unknown recording status callback event: '" + event + "'");
            }
            asked.add(event);
        }
        requireOpen();
        return live.record(conferenceSid, statusCallback, asked);
    }

    /**
     * Adds {@code n} reproducible recordings: the same seed always gives the same sids, durations (1 s to 10 min,
     * log-uniform, so files from about 16 KiB to several MiB), channels, dates, prices, sources and bytes.
     *
     * @return the recordings, in creation order
     */
    public List<TestRecording> addRecordings(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        String[] sources = {"RecordVerb", "DialVerb", "Conference", "StartCallRecordingAPI"};
        OffsetDateTime base = OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        List<TestRecording> added = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int duration = (int) Math.round(Math.exp(random.nextDouble() * Math.log(600)));
            OffsetDateTime created = base.plusSeconds(random.nextLong(365L * 24 * 3600));
            added.add(addRecording(RecordingSpec.create()
                    .seed(random.nextLong())
                    .durationSeconds(duration)
                    .channels(random.nextInt(5) == 0 ? 2 : 1)
                    .source(sources[random.nextInt(sources.length)])
                    .dateCreated(created)
                    .dateUpdated(created.plusSeconds(1 + random.nextInt(10)))
                    // $0.0025 per started minute, negative as the API reports charges
                    .price(BigDecimal.valueOf(-25L * ((duration + 59) / 60), 4))));
        }
        return added;
    }

    /** The recording with this sid (case-insensitive), or null. */
    public @Nullable TestRecording recording(String sid) {
        Objects.requireNonNull(sid, "sid");
        return recordings.get(key(sid));
    }

    /** All recordings, in no particular order. */
    public List<TestRecording> recordings() {
        return List.copyOf(recordings.values());
    }

    /**
     * Removes a recording, so that it answers 404 and is absent from lists from now on, as after an HTTP
     * {@code DELETE}; returns whether it existed.
     */
    public boolean removeRecording(String sid) {
        Objects.requireNonNull(sid, "sid");
        TestRecording removed = recordings.get(key(sid));
        return removed != null && remove(removed);
    }

    // ---------------------------------------------------------------------------------------------- transcriptions

    /**
     * Adds a completed transcription of recording {@code recordingSid} with this text, served under
     * {@code /Transcriptions.json}, {@code /Transcriptions/{Sid}.json} (GET, DELETE) and the recording's
     * {@code /Recordings/{RecordingSid}/Transcriptions.json}, with Basic auth as for the metadata. It is served from
     * the moment the recording completes (at once for a recording complete now); its {@code date_created} is that
     * moment (the server's clock, to the second) or, for a recording complete when added, the recording's
     * {@code date_updated}; its {@code duration} is the recording's. Removing the recording leaves its
     * transcriptions, as deleting one on SignalWire does not say otherwise.
     *
     * @param recordingSid an added recording's sid
     * @param text         the {@code transcription_text}; may be empty
     * @return the transcription; never null
     * @throws IllegalArgumentException if there is no recording with this sid
     */
    public TestTranscription addTranscription(String recordingSid, String text) {
        Objects.requireNonNull(recordingSid, "recordingSid");
        Objects.requireNonNull(text, "text");
        requireOpen();
        TestRecording recording = recordings.get(key(recordingSid));
        if (recording == null) {
            throw new IllegalArgumentException("no recording with sid " + recordingSid);
        }
        return transcribe(recording, text);
    }

    /**
     * The transcription with this sid (case-insensitive), served or not yet.
     *
     * @param sid the transcription's sid
     * @return the transcription, or null when there is none
     */
    public TestTranscription transcription(String sid) {
        Objects.requireNonNull(sid, "sid");
        return transcriptions.get(key(sid));
    }

    /**
     * All transcriptions, served or not yet, in no particular order.
     *
     * @return a copy; never null
     */
    public List<TestTranscription> transcriptions() {
        return List.copyOf(transcriptions.values());
    }

    /**
     * Removes a transcription, as an HTTP {@code DELETE} does.
     *
     * @param sid the transcription's sid
     * @return whether it existed
     */
    public boolean removeTranscription(String sid) {
        Objects.requireNonNull(sid, "sid");
        return transcriptions.remove(key(sid)) != null;
    }

    private TestTranscription transcribe(TestRecording recording, String text) {
        Instant now = now();
        Instant completes = recording.completesAt();
        Instant available = completes.isAfter(now) ? completes : now;
        OffsetDateTime created = completes.isAfter(now)
                ? OffsetDateTime.ofInstant(completes.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), ZoneOffset.UTC)
                : recording.metadata().dateUpdated();
        TestTranscription t = new TestTranscription(UUID.randomUUID().toString(), recording.accountSid(),
                recording.sid(), created, recording.durationSeconds(), "completed", text, available);
        transcriptions.put(key(t.sid()), t);
        if (t.isAvailable(now)) {
            callbacks.transcription(t);
        }
        return t;
    }

    /**
     * Sends transcription {@code sid}'s callback now, signed as every status callback, to the
     * {@linkplain Builder#statusCallback status callback} URL (SignalWire's {@code transcribeCallback}, here the same
     * receiver): {@code AccountSid}, {@code CallSid}, {@code TranscriptionSid}, {@code TranscriptionText},
     * {@code TranscriptionStatus}, {@code TranscriptionUrl}, {@code RecordingSid}, {@code RecordingUrl}. It is also
     * sent by {@link #addTranscription(String, String)} when the transcription is served at once; for one of a
     * recording still in progress, call this once the recording completed. Callback faults apply, by the recording's
     * sid; the delivery is recorded ({@link #takeCallbackDelivery()}) under the recording's sid.
     *
     * @param sid the transcription's sid
     * @throws IllegalStateException    if the server has no status callback
     * @throws IllegalArgumentException if there is no transcription with this sid
     */
    public void sendTranscriptionCallback(String sid) {
        Objects.requireNonNull(sid, "sid");
        if (!callbacks.hasUrl()) {
            throw new IllegalStateException("server has no status callback URL: build it with statusCallback(url, "
                    + "key)");
        }
        StatusCallbacks c = callbacks;
        TestTranscription t = transcriptions.get(key(sid));
        if (t == null) {
            throw new IllegalArgumentException("no transcription with sid " + sid);
        }
        c.transcription(t);
    }

    // -------------------------------------------------------------------------------------------------- faults

    /**
     * Applies {@code fault} to every later request for recording {@code sid} (media and JSON; the sid need not be
     * added yet), until {@link #clearFault(String)}; replaces any fault that recording had. Queued faults
     * ({@link #enqueueFault}) take precedence.
     */
    public void injectFault(String sid, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        recordingFaults.put(key(Objects.requireNonNull(sid, "sid")), fault);
    }

    /** Removes the fault attached to recording {@code sid}, if any. */
    public void clearFault(String sid) {
        recordingFaults.remove(key(Objects.requireNonNull(sid, "sid")));
    }

    /** Applies {@code fault} to the next request, whatever its path. */
    public void enqueueFault(Fault fault) {
        enqueueFaults(1, fault);
    }

    /** Applies {@code fault} to each of the next {@code n} requests, whatever their path, after any queued before. */
    public void enqueueFaults(int n, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        for (int i = 0; i < n; i++) {
            queuedFaults.add(fault);
        }
    }

    /** Removes every queued and per-recording fault. */
    public void clearFaults() {
        queuedFaults.clear();
        recordingFaults.clear();
    }

    // -------------------------------------------------------------------------------------- status callbacks

    /**
     * Sends recording {@code sid}'s status callback again now, for its current status ({@code in-progress} until it
     * completes), as SignalWire would on a retry the receiver cannot tell from a replay. Faults apply as to any callback.
     *
     * @throws IllegalStateException    if the server has no {@linkplain Builder#statusCallback status callback}
     * @throws IllegalArgumentException if there is no recording with this sid
     */
    public void sendStatusCallback(String sid) {
        Objects.requireNonNull(sid, "sid");
        if (!callbacks.hasUrl()) {
            throw new IllegalStateException("server has no status callback URL: build it with statusCallback(url, "
                    + "key)");
        }
        StatusCallbacks c = callbacks;
        TestRecording recording = recordings.get(key(sid));
        if (recording == null) {
            throw new IllegalArgumentException("no recording with sid " + sid);
        }
        c.resend(recording);
    }

    /**
     * Applies {@code fault} to the next status callback the server sends (after any queued before), whatever its
     * recording. Queued faults take precedence over {@link #injectCallbackFault attached} and
     * {@linkplain Builder#statusCallbackFaultRate random} ones.
     *
     * @throws IllegalStateException if the server has no {@linkplain Builder#statusCallback status callback}
     */
    public void enqueueCallbackFault(CallbackFault fault) {
        Objects.requireNonNull(fault, "fault");
        requireCallbacks().enqueueFault(fault);
    }

    /**
     * Applies {@code fault} to every later status callback for recording {@code sid} (which need not be added yet:
     * attach it first to fault the callback sent when it is added), replacing any fault attached before.
     *
     * @throws IllegalStateException if the server has no {@linkplain Builder#statusCallback status callback}
     */
    public void injectCallbackFault(String sid, CallbackFault fault) {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(fault, "fault");
        requireCallbacks().injectFault(sid, fault);
    }

    /** Removes every queued and attached callback fault (random rates stay). No effect without status callbacks. */
    public void clearCallbackFaults() {
        callbacks.clearFaults();
    }

    /**
     * Removes and returns the oldest finished status callback delivery (delivered, failed after three attempts, or
     * dropped), waiting up to 10 seconds for one. Deliveries finish in the order their last attempt ended, which for
     * callbacks sent close together need not be the order they were sent.
     *
     * @throws IllegalStateException if the server has no status callback, or none finishes in time
     */
    public CallbackDelivery takeCallbackDelivery() {
        CallbackDelivery delivery = requireCallbacks().take(TAKE_TIMEOUT);
        if (delivery == null) {
            throw new IllegalStateException("no status callback delivery finished within " + TAKE_TIMEOUT.toSeconds()
                    + " s");
        }
        return delivery;
    }

    /**
     * The finished status callback deliveries not yet taken, in the order they finished (at most the last 10,000);
     * empty without status callbacks.
     */
    public List<CallbackDelivery> callbackDeliveries() {
        return callbacks.snapshot();
    }

    private StatusCallbacks requireCallbacks() {
        if (!callbacksConfigured) {
            throw new IllegalStateException("server has no status callback: build it with statusCallback(url, key), "
                    + "or signingKey(key) for live recordings' own callbacks");
        }
        return callbacks;
    }

    // ------------------------------------------------------------------------------------------------ counters

    /** Requests received since the last {@link #resetCounters()}. */
    public long requestCount() {
        return requests.count();
    }

    /** Requests received for exactly this path (no query string), e.g. {@code recording.url(WAV).getPath()}. */
    public long requestCount(String path) {
        return requests.count(Objects.requireNonNull(path, "path"));
    }

    /**
     * Removes and returns the oldest request in the log, waiting up to 10 seconds for one.
     *
     * @throws IllegalStateException if none arrives in time (or the log is disabled)
     */
    public RecordedRequest takeRequest() {
        RecordedRequest request = requests.take(TAKE_TIMEOUT);
        if (request == null) {
            throw new IllegalStateException("no request recorded within " + TAKE_TIMEOUT.toSeconds() + " s");
        }
        return request;
    }

    /** The logged requests not yet taken, oldest first (at most the log capacity, 10,000 by default). */
    public List<RecordedRequest> recordedRequests() {
        return requests.snapshot();
    }

    /**
     * Response body bytes whose write to a socket completed, since the last reset. Headers are not counted. Bytes
     * count once the kernel accepted them, so while a client does not read this stays within socket buffers: tests
     * use it to prove backpressure.
     */
    public long bytesWritten() {
        return traffic.bytesWritten();
    }

    /** Connections accepted since the last reset; with keep-alive, sequential requests reuse one. */
    public long connectionCount() {
        return traffic.connectionsAccepted();
    }

    /** Connections open now. */
    public int openConnections() {
        return traffic.openConnections();
    }

    /** The most connections open at once since the last reset. */
    public int peakConnections() {
        return traffic.peakConnections();
    }

    /** Zeroes counters and empties the request log; the peak restarts from the connections open now. */
    public void resetCounters() {
        requests.reset();
        traffic.reset();
    }

    /**
     * Stops accepting, closes every connection (interrupting responses in flight) and stops the server's threads.
     * Idempotent; recordings are dropped.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            callbacks.close();
            disposable.disposeNow(SHUTDOWN_TIMEOUT);
        } finally {
            traffic.closeAll(SHUTDOWN_TIMEOUT);
            loops.disposeLater(Duration.ZERO, SHUTDOWN_TIMEOUT).block(SHUTDOWN_TIMEOUT.multipliedBy(2));
            recordings.clear();
            removedCreated.clear();
            clearFaults();
        }
    }

    /** The base URL, the TLS engine if any, the number of recordings; never credentials or keys. */
    @Override
    public String toString() {
        return "RecordingsServer[" + baseUrl + (tls == null ? "" : ", " + tls.engine()) + ", recordings="
                + recordings.size() + (closed.get() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------ used by RecordingsHandler

    RequestLog requests() {
        return requests;
    }

    LiveCalls live() {
        return live;
    }

    StatusCallbacks liveCallbacks() {
        return callbacks;
    }

    /** Adds what a live recording became when it stopped, without the builder's callback (it has its own). */
    void addLiveResult(TestRecording recording) {
        recordings.put(key(recording.sid()), recording);
        // As addRecording: transcribed once complete, when the builder asks for every recording to be.
        if (transcribeRecordings && !"absent".equals(recording.metadata().status())) {
            transcribe(recording, "Synthetic transcript of recording " + recording.sid() + ", "
                    + recording.durationSeconds() + " seconds of test audio.");
        }
    }

    /** The base64 credentials a valid {@code Authorization: Basic} header carries. */
    String expectedCredentials() {
        return authorization;
    }

    /**
     * Whether an {@code Authorization} header carries this server's Basic credentials; compared in constant time. One
     * check for every endpoint that wants credentials.
     */
    boolean authorizes(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given = header.substring(6).trim().getBytes(StandardCharsets.US_ASCII);
        byte[] expected = expectedCredentials().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, expected);
    }

    TestRecording find(String sid) {
        return recordings.get(key(sid));
    }

    /** Removes exactly this recording (not one added later with its sid); false if it was already gone. */
    boolean remove(TestRecording recording) {
        String key = key(recording.sid());
        removedCreated.put(key, recording.metadata().dateCreated().toEpochSecond());
        return recordings.remove(key, recording);
    }

    /** The date_created (epoch second) of the recording with this sid, present or removed; null if never seen. */
    Long createdSecond(String sid) {
        TestRecording recording = recordings.get(key(sid));
        if (recording != null) {
            return recording.metadata().dateCreated().toEpochSecond();
        }
        return removedCreated.get(key(sid));
    }

    /** The server's clock, for recordings that complete later. */
    Instant now() {
        return clock.instant();
    }

    /** The fault for this request: the next queued one, else the recording's (sid may be null), else none. */
    Fault nextFault(String sid) {
        Fault queued = queuedFaults.poll();
        if (queued != null) {
            return queued;
        }
        if (sid != null && !recordingFaults.isEmpty()) {
            Fault fault = recordingFaults.get(key(sid));
            if (fault != null) {
                return fault;
            }
        }
        return Fault.none();
    }

    private ServerTls requireTls() {
        if (tls == null) {
            throw new IllegalStateException("server is plain HTTP: build it with tls() for a certificate");
        }
        return tls;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("server is closed");
        }
    }

    /** UUIDs are case-insensitive; ids are ASCII, so ROOT lower-casing is exact. */
    private static String key(String sid) {
        return sid.toLowerCase(Locale.ROOT);
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "PT" + HexFormat.of().formatHex(bytes); // shaped like a SignalWire API token
    }

    private static String defaultAccountSid(String projectId) {
        try {
            if (UUID.fromString(projectId).toString().equalsIgnoreCase(projectId)) {
                return projectId;
            }
        } catch (IllegalArgumentException notAUuid) {
            // fall through: derive a stable UUID
        }
        return UUID.nameUUIDFromBytes(projectId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Configures and starts a {@link RecordingsServer}. Not thread-safe; a builder may start several servers, each
     * with the same settings (so with a fixed port, only one at a time).
     */
    public static final class Builder {
        private int port;
        private String projectId;
        private String apiToken;
        private String accountSid;
        private int requestLogCapacity = 10_000;
        private Clock clock = Clock.systemUTC();
        private boolean transcribeRecordings;
        private boolean tls;
        /** With {@link #tls}: the caller's key and chain, or null to generate a certificate at each start. */
        private PrivateKey tlsKey;
        private X509Certificate[] tlsChain;
        private boolean preferOpenSsl = true;
        private URI callbackUrl;
        private String signingKey;
        private Duration callbackRetryDelay = Duration.ofSeconds(1);
        private Duration callbackTimeout = Duration.ofSeconds(5);
        private final EnumMap<CallbackFault, Double> callbackFaultRates = new EnumMap<>(CallbackFault.class);
        private long callbackSeed;
        private Consumer<CallbackDelivery> callbackListener;

        private Builder() {
        }

        /**
         * POSTs SignalWire's recording status callback to {@code url} for every recording: when it is added (its final
         * status if complete at once, else {@code in-progress}) and when a {@linkplain RecordingSpec#completesAfter
         * delayed} recording completes on the server's clock (its final status: {@code completed}, {@code absent},
         * ...). The request is {@code application/x-www-form-urlencoded} with the fields {@code AccountSid},
         * {@code CallSid}, {@code ConferenceSid} (when set), {@code RecordingSid}, {@code RecordingUrl} (this server's
         * extension-less media URL), {@code RecordingStatus}, {@code RecordingDuration} (not while in progress),
         * {@code RecordingChannels}, {@code RecordingSource}, {@code RecordingStartTime} (RFC 2822) and
         * {@code ErrorCode} ({@code 0}, or 13617 for an absent recording), signed in header
         * {@code X-SignalWire-Signature}: Base64 of HMAC-SHA1, keyed with {@code signingKey}, over {@code url} exactly as
         * given followed by the fields sorted by name, each name then its value.
         *
         * <p>Sent in the background, never blocking the caller; an attempt gets no answer after
         * {@link #statusCallbackTimeout} and a failed delivery (no answer, or a status other than 2xx) is tried again
         * twice, {@link #statusCallbackRetryDelay} apart: three attempts at most, as SignalWire makes. Every finished
         * delivery is recorded ({@link RecordingsServer#takeCallbackDelivery()}); {@link CallbackFault}s make one a
         * duplicate, wrongly signed or lost.
         *
         * @param url        an absolute http(s) URL, e.g. a receiver under test on 127.0.0.1
         * @param signingKey the key the receiver checks with; never shown by {@code toString()}
         * @throws IllegalArgumentException if the URL is not absolute http(s) with a host, or the key is empty
         */
        public Builder statusCallback(URI url, String signingKey) {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(signingKey, "signingKey");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("the status callback URL must be an absolute http(s) URL with a "
                        + "host, got " + url);
            }
            if (signingKey.isEmpty()) {
                throw new IllegalArgumentException("the signing key must not be empty");
            }
            this.callbackUrl = url;
            this.signingKey = signingKey;
            return this;
        }

        /**
         * The key that signs live recordings' status callbacks (their {@code RecordingStatusCallback}, see
         * {@link RecordingsServer#startCall()}), for a server without a {@link #statusCallback} URL; with one, its key
         * signs them, and this replaces it. Also enables the callback methods ({@link
         * RecordingsServer#takeCallbackDelivery()}, faults). Without any key, live callbacks are signed with a random
         * one, which no receiver can check.
         *
         * @param signingKey the key a receiver checks with; never shown by {@code toString()}
         * @throws IllegalArgumentException if the key is empty
         */
        public Builder signingKey(String signingKey) {
            Objects.requireNonNull(signingKey, "signingKey");
            if (signingKey.isEmpty()) {
                throw new IllegalArgumentException("the signing key must not be empty");
            }
            this.signingKey = signingKey;
            return this;
        }

        /** The pause between a failed status callback attempt and the next; default 1 s. Tests make it short. */
        public Builder statusCallbackRetryDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            this.callbackRetryDelay = delay;
            return this;
        }

        /** How long an attempt waits for the receiver's answer; default 5 s, what SignalWire gives a callback. */
        public Builder statusCallbackTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.callbackTimeout = timeout;
            return this;
        }

        /**
         * Applies {@code fault} to this share of status callbacks, drawn at random (reproducibly, from
         * {@link #statusCallbackSeed}) for each callback that has no queued or attached fault; e.g. 0.05 duplicates
         * about one callback in twenty. Rates of different faults add up, at most to 1; 0 removes the fault.
         *
         * @throws IllegalArgumentException if {@code rate} is outside 0 to 1, or the rates would add up to more than 1
         */
        public Builder statusCallbackFaultRate(CallbackFault fault, double rate) {
            Objects.requireNonNull(fault, "fault");
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("rate must be between 0 and 1: " + rate);
            }
            double others = callbackFaultRates.entrySet().stream().filter(e -> e.getKey() != fault)
                    .mapToDouble(Map.Entry::getValue).sum();
            if (others + rate > 1 + 1e-9) {
                throw new IllegalArgumentException("callback fault rates add up to more than 1: " + (others + rate));
            }
            if (rate == 0) {
                callbackFaultRates.remove(fault);
            } else {
                callbackFaultRates.put(fault, rate);
            }
            return this;
        }

        /** The seed of {@link #statusCallbackFaultRate}'s draws; default 0, so runs repeat exactly. */
        public Builder statusCallbackSeed(long seed) {
            this.callbackSeed = seed;
            return this;
        }

        /**
         * Called once for every finished status callback delivery, on a server thread, as it is recorded: for a live
         * view such as the CLI's. It must return quickly and not block; an exception it throws is ignored.
         */
        public Builder statusCallbackListener(Consumer<CallbackDelivery> listener) {
            this.callbackListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The port on 127.0.0.1; 0 (the default) picks a free one, which automated tests should always use. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Fixed credentials instead of random ones, e.g. to match a client's configuration. */
        public Builder credentials(String projectId, String apiToken) {
            Objects.requireNonNull(projectId, "projectId");
            Objects.requireNonNull(apiToken, "apiToken");
            if (projectId.indexOf(':') >= 0) {
                throw new IllegalArgumentException("a Basic-auth user cannot contain ':'");
            }
            this.projectId = projectId;
            this.apiToken = apiToken;
            return this;
        }

        /** The default account sid for recordings (see {@link RecordingsServer#accountSid()}). */
        public Builder accountSid(String accountSid) {
            this.accountSid = RecordingSpec.requireId(accountSid, "accountSid");
            return this;
        }

        /**
         * How many {@link RecordedRequest}s the server keeps (oldest dropped first); 0 disables the log, e.g. for
         * benchmarks. Counters are exact either way. Default 10,000.
         */
        public Builder requestLogCapacity(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must not be negative: " + capacity);
            }
            this.requestLogCapacity = capacity;
            return this;
        }

        /**
         * Whether every recording added (but an {@code absent} one) gets a completed transcription, served once the
         * recording completes, as {@link RecordingsServer#addTranscription(String, String)} makes it, with the text
         * {@code "Synthetic transcript of recording {sid}, {n} seconds of test audio."}; default false.
         *
         * @param transcribe whether to transcribe every recording added
         * @return this builder
         */
        public Builder transcribeRecordings(boolean transcribe) {
            this.transcribeRecordings = transcribe;
            return this;
        }

        /**
         * The clock that {@link RecordingSpec#completesAfter(Duration) delayed completion} and live recordings (see
         * {@link RecordingsServer#startCall()}) are measured against, so that a test can step time instead of
         * sleeping, e.g. a {@link TestClock}; default {@link Clock#systemUTC()}. Only instants are read
         * (the zone is irrelevant), from event-loop and test threads alike, so the clock must be thread-safe: a test
         * clock should keep its instant in a volatile field or an atomic.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Serves HTTPS (HTTP/1.1 over TLS) instead of HTTP, with a certificate generated at each start: an EC P-256
         * leaf for {@code 127.0.0.1}, {@code ::1} and {@code localhost}, valid from a day before the start until 30
         * days after it, issued by a certificate authority made for this server alone (its key is discarded once the leaf is
         * signed). Clients trust it through {@link RecordingsServer#certificatePem()}; a client with default trust
         * fails the handshake, as it should. Replaces an earlier {@link #tls(PrivateKey, X509Certificate...)}.
         */
        public Builder tls() {
            this.tls = true;
            this.tlsKey = null;
            this.tlsChain = null;
            return this;
        }

        /**
         * Serves HTTPS with exactly this key and chain (leaf first), unchecked: an expired certificate, one for
         * another host, or one no client trusts are served as they are, for tests of how a client refuses them.
         * {@link RecordingsServer#certificatePem()} is then the chain's last certificate. Replaces an earlier
         * {@link #tls()}.
         *
         * @throws IllegalArgumentException if {@code chain} is empty
         */
        public Builder tls(PrivateKey key, X509Certificate... chain) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(chain, "chain");
            if (chain.length == 0) {
                throw new IllegalArgumentException("chain must hold at least the server's certificate");
            }
            for (X509Certificate certificate : chain) {
                Objects.requireNonNull(certificate, "chain element");
            }
            this.tls = true;
            this.tlsKey = key;
            this.tlsChain = chain.clone();
            return this;
        }

        /**
         * Whether TLS is served by OpenSSL (BoringSSL, from netty-tcnative) when its native library loads on this
         * platform, as production servers run (the default, true); false always uses the JDK's engine, e.g. to
         * compare the two in a benchmark. {@link RecordingsServer#tlsEngine()} tells which one serves. No effect on
         * a plain server.
         */
        public Builder preferOpenSsl(boolean preferOpenSsl) {
            this.preferOpenSsl = preferOpenSsl;
            return this;
        }

        /** The TLS of the next server: its own generated certificate, the given chain, or null for plain HTTP. */
        private ServerTls newTls() {
            if (!tls) {
                return null;
            }
            return tlsKey == null ? ServerTls.generated(preferOpenSsl) : ServerTls.given(tlsKey, tlsChain,
                    preferOpenSsl);
        }

        /** Binds and starts the server; it serves until {@link RecordingsServer#close()}. */
        public RecordingsServer start() {
            return new RecordingsServer(this);
        }
    }
}
