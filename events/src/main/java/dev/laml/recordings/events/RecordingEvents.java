package dev.laml.recordings.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.events.RecordingInbox.Offer;
import dev.laml.recordings.webhooks.FormFields;
import dev.laml.recordings.webhooks.RecordingStatusCallback;
import dev.laml.recordings.webhooks.TranscriptionCallback;
import dev.laml.recordings.webhooks.WebhookSignature;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The receiver of SignalWire's recording status callbacks, independent of any server: a request in (method, URL,
 * headers, body as {@code Flux<ByteBuffer>}), an {@link Answer} out. Adapters turn their server's request into a
 * {@link Request} and write the answer back: the starter's WebFlux {@code RouterFunction}, the CLI's Reactor Netty
 * server, or your own.
 *
 * <pre>{@code
 * RecordingEvents events = RecordingEvents.builder()
 *         .signature(WebhookSignature.of(signingKey))
 *         .publicUrl(URI.create("https://recordings.example.com/recordings/events"))
 *         .apiBaseUrl(client.baseUrl())
 *         .accountSid(projectId)
 *         .inbox(inbox)
 *         .onAccepted(event -> workers.wake())
 *         .build();
 * }</pre>
 *
 * <p>The answers, checked in this order:
 * <ul>
 *   <li>503 with {@code Retry-After} after {@link #stopAccepting()} (shutting down);</li>
 *   <li>405 for a method other than POST or GET (with {@code Allow});</li>
 *   <li>415 for a POST whose content type is neither {@code application/x-www-form-urlencoded} nor
 *       {@code application/json};</li>
 *   <li>413 for a body over {@link Builder#maxBodyBytes(int)} (64 KiB): a larger {@code Content-Length} is refused
 *       unread, and reading stops at the limit;</li>
 *   <li>403 for a missing or wrong signature ({@code X-SignalWire-Signature}, else {@code X-Twilio-Signature}):
 *       nothing is parsed further, stored or fetched; logged at WARN, at most once per 10 s with the count of the
 *       others, never with the key or the signature;</li>
 *   <li>400 for a validly signed callback whose fields are malformed, whose account is not one of
 *       {@link Builder#accountSid(String...)}, or whose {@code RecordingUrl} names another host, account or
 *       recording than the API's ({@link Builder#apiBaseUrl(URI)});</li>
 *   <li>503 with {@code Retry-After} when the inbox is full, unavailable, or slower than
 *       {@link Builder#acceptTimeout(Duration)} (4 s: SignalWire waits 5 s);</li>
 *   <li>204 once the event is committed to the inbox (a duplicate too: it is already there).</li>
 * </ul>
 *
 * <p><b>Transcription callbacks</b> (those with a {@code TranscriptionSid}: {@link TranscriptionCallback}) are accepted
 * at the same URL, signed and answered the same way, the {@code TranscriptionUrl} and {@code RecordingUrl} checked
 * like a {@code RecordingUrl}; they enter the inbox as an {@link InboxEvent#transcription} keyed by the transcription's
 * sid, and the workers store the transcript beside the archived recording.
 *
 * <p><b>The signed URL</b> is the configured {@link Builder#publicUrl(URI) public URL} (what SignalWire was given),
 * with the query of the request as received. It is never rebuilt from {@code Host} or {@code X-Forwarded-*}, which
 * anyone can send, unless {@link Builder#trustForwardedHeaders(boolean)} says a proxy you run sets them.
 *
 * <p><b>Thread-safety.</b> Immutable after {@link Builder#build()} (but for {@link #stopAccepting()}) and thread-safe;
 * {@link #handle} never blocks: it reads the body as it arrives and the inbox commits on its own thread. Methods never
 * return null.
 */
public final class RecordingEvents {

    private static final Logger LOG = Loggers.getLogger(RecordingEvents.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern STATUS = Pattern.compile("[a-z][a-z-]{0,31}");
    /** The default largest body: a status callback is well under 2 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private final WebhookSignature signature;
    private final URI publicUrl;
    private final boolean trustForwarded;
    private final URI apiBaseUrl;
    private final Set<String> accounts;
    private final RecordingInbox inbox;
    private final int maxBodyBytes;
    private final Duration acceptTimeout;
    private final Duration retryAfter;
    private final Consumer<InboxEvent> onAccepted;
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final RateLimitedWarning refusals = new RateLimitedWarning(Duration.ofSeconds(10));

    private RecordingEvents(Builder b) {
        this.signature = Objects.requireNonNull(b.signature, "signature");
        this.inbox = Objects.requireNonNull(b.inbox, "inbox");
        this.apiBaseUrl = Objects.requireNonNull(b.apiBaseUrl, "apiBaseUrl");
        if (b.publicUrl == null && !b.trustForwarded) {
            throw new IllegalStateException("a public URL is needed (or trustForwardedHeaders(true) behind a proxy "
                    + "you run): the signature covers the URL SignalWire was given");
        }
        this.publicUrl = b.publicUrl;
        this.trustForwarded = b.trustForwarded;
        this.accounts = Set.copyOf(b.accounts);
        this.maxBodyBytes = b.maxBodyBytes;
        this.acceptTimeout = b.acceptTimeout;
        this.retryAfter = b.retryAfter;
        this.onAccepted = b.onAccepted;
    }

    /** A builder; signature, inbox, API base URL and public URL (or trusted forwarded headers) are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * From now on every request is answered 503 with {@code Retry-After} (SignalWire tries again, perhaps another
     * instance): for a graceful shutdown. Requests already past this check finish normally.
     */
    public void stopAccepting() {
        accepting.set(false);
    }

    /** The public URL requests are checked against; null when forwarded headers are trusted instead. */
    public URI publicUrl() {
        return publicUrl;
    }

    /**
     * Answers one request. Never fails: an inbox failure is a 503. Cancelling (the client went away) stops reading
     * the body; an event already handed to the inbox may still be stored, which a retry finds as a duplicate.
     */
    public Mono<Answer> handle(Request request) {
        Objects.requireNonNull(request, "request");
        return Mono.defer(() -> answer(request))
                .onErrorResume(e -> {
                    LOG.warn("recording callback: {}", e.getMessage());
                    return Mono.just(unavailable("could not store the event"));
                });
    }

    private Mono<Answer> answer(Request request) {
        if (!accepting.get()) {
            return Mono.just(unavailable("shutting down"));
        }
        String method = request.method().toUpperCase(Locale.ROOT);
        if (!method.equals("POST") && !method.equals("GET")) {
            return Mono.just(new Answer(405, Map.of("Allow", "POST, GET"), "only POST and GET"));
        }
        String url;
        try {
            url = signedUrl(request);
        } catch (IllegalArgumentException e) {
            return Mono.just(Answer.of(400, "bad request URL"));
        }
        String header = request.header("X-SignalWire-Signature");
        if (header == null) {
            header = request.header("X-Twilio-Signature");
        }
        String sig = header;
        if (method.equals("GET")) {
            // The fields are in the query; the signature covers the URL alone.
            if (!signature.validForm(url, Map.of(), sig)) {
                return Mono.just(refuse(request, sig));
            }
            String query = URI.create(url).getRawQuery();
            return fields(() -> FormFields.parse(query == null ? "" : query));
        }
        String type = mediaType(request.header("Content-Type"));
        boolean form = "application/x-www-form-urlencoded".equals(type);
        if (!form && !"application/json".equals(type)) {
            return Mono.just(Answer.of(415, "a form or JSON body is expected"));
        }
        String length = request.header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBodyBytes) {
                    return Mono.just(tooLarge());
                }
            } catch (NumberFormatException e) {
                return Mono.just(Answer.of(400, "bad Content-Length"));
            }
        }
        return read(request.body()).flatMap(body -> {
            if (body.length > maxBodyBytes) {
                return Mono.just(tooLarge());
            }
            if (form) {
                Map<String, List<String>> params;
                try {
                    params = FormFields.parse(body);
                } catch (IllegalArgumentException malformed) {
                    // An unreadable form cannot have a valid signature over its fields: refused as unsigned.
                    return Mono.just(refuse(request, sig));
                }
                if (!signature.validForm(url, params, sig)) {
                    return Mono.just(refuse(request, sig));
                }
                return fields(() -> params);
            }
            if (!signature.validBody(url, body, sig)) {
                return Mono.just(refuse(request, sig));
            }
            return fields(() -> flatJson(body));
        });
    }

    private interface Fields {
        Map<String, List<String>> get();
    }

    /** The signed fields, typed and checked, into the inbox. */
    private Mono<Answer> fields(Fields source) {
        RecordingStatusCallback callback;
        InboxEvent event;
        try {
            Map<String, List<String>> form = source.get();
            if (TranscriptionCallback.isTranscription(form)) {
                return transcription(form);
            }
            callback = RecordingStatusCallback.fromForm(form);
            if (!accounts.isEmpty() && accounts.stream().noneMatch(callback.accountSid()::equalsIgnoreCase)) {
                return Mono.just(Answer.of(400, "the callback is for another account"));
            }
            callback.checkUrl(apiBaseUrl);
            String status = callback.rawStatus().trim().toLowerCase(Locale.ROOT);
            if (!STATUS.matcher(status).matches()) {
                return Mono.just(Answer.of(400, "RecordingStatus is not a status"));
            }
            event = new InboxEvent(callback.accountSid(), callback.recordingSid(), callback.callSid(), status,
                    "callback");
        } catch (IllegalArgumentException malformed) { // MalformedCallbackException is one
            return Mono.just(Answer.of(400, malformed.getMessage()));
        }
        return store(event);
    }

    /**
     * A signed transcription callback, typed and checked as a recording's is (account, URLs on the API's host naming
     * its own account, transcription and recording), into the inbox under the transcription's sid: the workers fetch
     * the transcription by its sid from the API and store the transcript beside its archived recording.
     */
    private Mono<Answer> transcription(Map<String, List<String>> form) {
        InboxEvent event;
        try {
            TranscriptionCallback callback = TranscriptionCallback.fromForm(form);
            if (!accounts.isEmpty() && accounts.stream().noneMatch(callback.accountSid()::equalsIgnoreCase)) {
                return Mono.just(Answer.of(400, "the callback is for another account"));
            }
            callback.checkUrl(apiBaseUrl);
            String status = callback.rawStatus().trim().toLowerCase(Locale.ROOT);
            if (!STATUS.matcher(status).matches()) {
                return Mono.just(Answer.of(400, "TranscriptionStatus is not a status"));
            }
            event = InboxEvent.transcription(callback.accountSid(), callback.transcriptionSid(), status);
        } catch (IllegalArgumentException malformed) { // MalformedCallbackException is one
            return Mono.just(Answer.of(400, malformed.getMessage()));
        }
        return store(event);
    }

    private Mono<Answer> store(InboxEvent event) {
        return inbox.offer(event)
                .timeout(acceptTimeout)
                .map(offer -> {
                    if (offer == Offer.FULL) {
                        return unavailable("the inbox is full");
                    }
                    if (offer != Offer.DUPLICATE) {
                        onAccepted.accept(event);
                    }
                    return new Answer(204, Map.of(), null);
                })
                .onErrorResume(e -> {
                    LOG.warn("recording callback for {}: not stored: {}", event.recordingSid(),
                            e instanceof TimeoutException ? "the inbox took longer than " + acceptTimeout.toMillis()
                                    + " ms" : e.getMessage());
                    return Mono.just(unavailable("could not store the event"));
                });
    }

    /** The body, at most one byte over the limit: reading stops (the rest is cancelled) once the limit is passed. */
    private Mono<byte[]> read(Flux<ByteBuffer> body) {
        return Mono.defer(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            AtomicLong total = new AtomicLong();
            return body.takeUntil(buffer -> {
                        int n = buffer.remaining();
                        long sum = total.addAndGet(n);
                        int keep = (int) Math.min(n, Math.max(0, maxBodyBytes + 1L - out.size()));
                        byte[] chunk = new byte[keep];
                        buffer.duplicate().get(chunk);
                        out.write(chunk, 0, keep);
                        return sum > maxBodyBytes;
                    })
                    .then(Mono.fromCallable(out::toByteArray));
        });
    }

    private String signedUrl(Request request) {
        URI received = request.url();
        String query = received.getRawQuery();
        if (publicUrl != null) {
            String base = publicUrl.toString();
            int q = base.indexOf('?');
            if (query == null) {
                return base;
            }
            return (q >= 0 ? base.substring(0, q) : base) + "?" + query;
        }
        // Trusted forwarded headers: the proxy you run says how the request reached it.
        String proto = first(request.header("X-Forwarded-Proto"));
        String host = first(request.header("X-Forwarded-Host"));
        if (host == null) {
            host = request.header("Host");
        }
        if (host == null) {
            host = received.getRawAuthority();
        }
        String port = first(request.header("X-Forwarded-Port"));
        if (host == null) {
            throw new IllegalArgumentException("no host");
        }
        if (port != null && !host.contains(":")) {
            host = host + ":" + port;
        }
        String scheme = proto != null ? proto : received.getScheme() != null ? received.getScheme() : "http";
        String path = received.getRawPath() == null || received.getRawPath().isEmpty() ? "/" : received.getRawPath();
        URI rebuilt = URI.create(scheme + "://" + host + path + (query == null ? "" : "?" + query));
        return rebuilt.toString();
    }

    private static String first(String header) {
        if (header == null) {
            return null;
        }
        int comma = header.indexOf(',');
        String v = (comma >= 0 ? header.substring(0, comma) : header).trim();
        return v.isEmpty() ? null : v;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    /** A flat JSON object as fields: strings, numbers and booleans as their text; anything nested is malformed. */
    private static Map<String, List<String>> flatJson(byte[] body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the JSON body is not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (!t.isScalarValue()) {
                    throw new IllegalArgumentException("the JSON field " + name + " is not a plain value");
                }
                fields.computeIfAbsent(name, k -> new ArrayList<>()).add(p.getText());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the JSON body is malformed");
        }
        return fields;
    }

    private Answer refuse(Request request, String sig) {
        refusals.warn(sig == null || sig.isEmpty() ? "without a signature" : "with a wrong signature",
                request.url().getRawPath());
        return Answer.of(403, "invalid signature");
    }

    private Answer tooLarge() {
        return Answer.of(413, "the body is larger than " + maxBodyBytes + " bytes");
    }

    private Answer unavailable(String why) {
        return new Answer(503, Map.of("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds()))), why);
    }

    @Override
    public String toString() {
        // The signature's own toString shows no key.
        return "RecordingEvents{publicUrl=" + publicUrl + ", inbox=" + inbox.describe() + "}";
    }

    /**
     * A request as received. Headers are looked up without regard to case.
     *
     * @param method  the HTTP method; never null
     * @param url     the URL as received: at least the path and the raw query ({@code /recordings/events?x=1}), or
     *                absolute; never null
     * @param headers the headers, each name with its values; never null
     * @param body    the body as it arrives; read at most once; never null (empty for none)
     */
    public record Request(String method, URI url, Map<String, List<String>> headers, Flux<ByteBuffer> body) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(body, "body");
            TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            Objects.requireNonNull(headers, "headers").forEach((k, v) -> copy.merge(k, List.copyOf(v), (a, b2) -> {
                List<String> all = new ArrayList<>(a);
                all.addAll(b2);
                return all;
            }));
            headers = java.util.Collections.unmodifiableMap(copy);
        }

        /** The first value of header {@code name}, any case; null when absent. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * The answer to write back.
     *
     * @param status  the HTTP status
     * @param headers headers to set ({@code Retry-After}, {@code Allow}); never null
     * @param message a short plain-text reason for a status other than 204, fit for a {@code text/plain} body; null for
     *                204
     */
    public record Answer(int status, Map<String, String> headers, String message) {
        public Answer {
            headers = Map.copyOf(headers);
        }

        static Answer of(int status, String message) {
            return new Answer(status, Map.of(), message);
        }
    }

    /** At most one WARN per period; the ones in between are counted and reported with the next. */
    private static final class RateLimitedWarning {
        private final long periodNanos;
        private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
        private final AtomicLong suppressed = new AtomicLong();

        RateLimitedWarning(Duration period) {
            this.periodNanos = period.toNanos();
        }

        void warn(String what, String path) {
            long now = System.nanoTime();
            long next = nextAt.get();
            if ((next == Long.MIN_VALUE || now - next >= 0) && nextAt.compareAndSet(next, now + periodNanos)) {
                long others = suppressed.getAndSet(0);
                LOG.warn("refused a recording callback to {} {} (403){}", path, what,
                        others == 0 ? "" : "; " + others + " more refused since the last warning");
            } else {
                suppressed.incrementAndGet();
            }
        }
    }

    /** Configures {@link RecordingEvents}. Not thread-safe. */
    public static final class Builder {
        private WebhookSignature signature;
        private URI publicUrl;
        private boolean trustForwarded;
        private URI apiBaseUrl;
        private final List<String> accounts = new ArrayList<>();
        private RecordingInbox inbox;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration acceptTimeout = Duration.ofSeconds(4);
        private Duration retryAfter = Duration.ofSeconds(5);
        private Consumer<InboxEvent> onAccepted = e -> { };

        private Builder() {
        }

        /** The signing key(s), e.g. {@code WebhookSignature.of(key, previousKey)}; required. */
        public Builder signature(WebhookSignature signature) {
            this.signature = Objects.requireNonNull(signature, "signature");
            return this;
        }

        /**
         * The URL SignalWire was given for the callback ({@code https://host/recordings/events}); required unless
         * {@link #trustForwardedHeaders(boolean)}. The request's query is appended to it when present.
         *
         * @throws IllegalArgumentException unless an absolute http(s) URL with a host
         */
        public Builder publicUrl(URI url) {
            if (url == null || url.getHost() == null
                    || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
                throw new IllegalArgumentException("the public URL must be an absolute http(s) URL with a host");
            }
            this.publicUrl = url;
            return this;
        }

        /**
         * Whether {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code X-Forwarded-Port} and {@code Host} are
         * trusted to say which URL was signed; default false. Only behind a proxy you run that sets them and drops
         * what clients send; a configured {@link #publicUrl(URI)} wins over them.
         */
        public Builder trustForwardedHeaders(boolean trust) {
            this.trustForwarded = trust;
            return this;
        }

        /** The API's base URL ({@code client.baseUrl()}): a {@code RecordingUrl} naming another host is refused. */
        public Builder apiBaseUrl(URI baseUrl) {
            this.apiBaseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /** The accounts (projects) whose callbacks are accepted; another account's is a 400. Default: any. */
        public Builder accountSid(String... accountSids) {
            for (String a : accountSids) {
                new InboxEvent(Objects.requireNonNull(a, "accountSid"), a, null, "completed", "x"); // UUID check
                accounts.add(a);
            }
            return this;
        }

        /** Where accepted events go; required. */
        public Builder inbox(RecordingInbox inbox) {
            this.inbox = Objects.requireNonNull(inbox, "inbox");
            return this;
        }

        /** The largest body read; default 64 KiB. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** How long the inbox may take to commit before the answer is 503; default 4 s (SignalWire waits 5). */
        public Builder acceptTimeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("acceptTimeout must be a positive duration");
            }
            this.acceptTimeout = timeout;
            return this;
        }

        /** The {@code Retry-After} of a 503; default 5 s. */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
            return this;
        }

        /**
         * Called (on the inbox's thread: keep it short) after a new event or a new status is committed, e.g.
         * {@code event -> workers.wake()}; not for duplicates.
         */
        public Builder onAccepted(Consumer<InboxEvent> listener) {
            this.onAccepted = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @throws NullPointerException  if the signature, inbox or API base URL is missing
         * @throws IllegalStateException if neither a public URL nor trusted forwarded headers are configured
         */
        public RecordingEvents build() {
            return new RecordingEvents(this);
        }
    }
}
