package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.CallbackForms;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The server's side of status callbacks: decides when a recording's callback is due, signs it, POSTs it without
 * blocking (Reactor Netty's client, on the server's own event loops), retries a failed delivery twice, applies
 * {@link CallbackFault}s and records every finished {@link CallbackDelivery}.
 *
 * <p>Due, with the builder's URL: when a recording is added (its final status if it is complete at once, else
 * {@code in-progress}), and when the server's clock reaches a delayed recording's {@link TestRecording#completesAt()}
 * (its final status). The clock is polled every 20 ms rather than scheduled against, because a test clock moves when
 * the test says, not with time. Live recordings ({@link LiveCalls}) send theirs to their own
 * {@code RecordingStatusCallback} through {@link #sendTo}, with or without a builder's URL.
 *
 * <p>Thread-safe: called from test threads, event loops and the poller.
 */
final class StatusCallbacks implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(20);
    private static final int LOG_CAPACITY = 10_000;
    private static final int MAX_CONNECTIONS = 256;

    private final RecordingsServer server;
    /** The builder's URL, or null when only live recordings' own callbacks are sent. */
    private final URI url;
    private final String signingKey;
    private final Duration retryDelay;
    private final Duration timeout;
    private final EnumMap<CallbackFault, Double> rates;
    private final SplittableRandom random;
    private final Consumer<CallbackDelivery> listener;
    private final ConnectionProvider connections;
    private final HttpClient client;
    /** Null without a builder's URL: nothing to poll for. */
    private final Disposable poller;
    private final Disposable.Composite inFlight = Disposables.composite();
    private final ConcurrentHashMap<String, TestRecording> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CallbackFault> queuedFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, CallbackFault> recordingFaults = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition recorded = lock.newCondition();
    private final ArrayDeque<CallbackDelivery> log = new ArrayDeque<>();

    StatusCallbacks(RecordingsServer server, URI url, String signingKey, Duration retryDelay, Duration timeout,
                    Map<CallbackFault, Double> rates, long seed, Consumer<CallbackDelivery> listener,
                    LoopResources loops) {
        this.server = server;
        this.url = url;
        this.signingKey = signingKey;
        this.retryDelay = retryDelay;
        this.timeout = timeout;
        this.rates = rates.isEmpty() ? new EnumMap<>(CallbackFault.class) : new EnumMap<>(rates);
        this.random = new SplittableRandom(seed);
        this.listener = listener;
        // A pool of its own, so that closing the server closes these connections and nothing else's. Bounded, so that a
        // thousand recordings added at once cannot exhaust the process's file descriptors (an in-process receiver
        // holds the other end of each); callbacks beyond it wait for a connection without a time limit, and the
        // attempt's timeout starts only once it has one: waiting in our own queue is not the receiver being slow.
        this.connections = ConnectionProvider.builder("laml-testkit-callbacks").maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofDays(1)).build();
        this.client = HttpClient.create(connections).runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .responseTimeout(timeout);
        this.poller = url == null ? null
                : Flux.interval(POLL, POLL, Schedulers.parallel()).subscribe(tick -> completeDue());
    }

    /** A recording was added: its callback is due now, and again at completion if that is later. */
    void added(TestRecording recording) {
        if (url == null) {
            return;
        }
        if (recording.isComplete(server.now())) {
            send(recording, recording.metadata().status());
        } else {
            send(recording, "in-progress");
            pending.put(key(recording.sid()), recording);
        }
    }

    /** Sends the recording's callback for its status now, outside the schedule. */
    void resend(TestRecording recording) {
        if (url == null) {
            return;
        }
        send(recording, recording.isComplete(server.now()) ? recording.metadata().status() : "in-progress");
    }

    boolean hasUrl() {
        return url != null;
    }

    void enqueueFault(CallbackFault fault) {
        queuedFaults.add(fault);
    }

    void injectFault(String sid, CallbackFault fault) {
        recordingFaults.put(key(sid), fault);
    }

    void clearFaults() {
        queuedFaults.clear();
        recordingFaults.clear();
    }

    /** Removes and returns the oldest finished delivery, waiting up to {@code timeout}; null if none finished. */
    CallbackDelivery take(Duration wait) {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            while (log.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = recorded.awaitNanos(nanos);
            }
            return log.removeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a callback delivery", e);
        } finally {
            lock.unlock();
        }
    }

    List<CallbackDelivery> snapshot() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the poller, cancels deliveries in flight (closing their connections) and closes the pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (poller != null) {
            poller.dispose();
        }
        inFlight.dispose();
        pending.clear();
        connections.disposeLater().block(Duration.ofSeconds(5));
    }

    private void completeDue() {
        if (pending.isEmpty()) {
            return;
        }
        Instant now = server.now();
        for (TestRecording recording : pending.values()) {
            // remove(key, value) first: the poller and a concurrent close must not both send it.
            if (recording.isComplete(now) && pending.remove(key(recording.sid()), recording)
                    && server.find(recording.sid()) == recording) {
                send(recording, recording.metadata().status());
            }
        }
    }

    private void send(TestRecording recording, String status) {
        sendTo(url, false, recording.sid(), recording.callbackFields(status));
    }

    /**
     * Sends a recording's status callback to {@code target}: POSTed as a form, or with {@code get} as a GET whose
     * query string carries the fields (the signature then covers that whole URL and no fields, as for any GET
     * SignalWire signs). Faults, retries and the delivery log apply as to the builder's callbacks.
     */
    void sendTo(URI target, boolean get, String sid, Map<String, List<String>> fields) {
        if (closed.get()) {
            return;
        }
        long number = sequence.getAndIncrement();
        CallbackFault fault = faultFor(sid);
        String key = fault == CallbackFault.WRONG_SIGNATURE ? "not-" + signingKey : signingKey;
        String body = CallbackForms.encode(fields);
        URI to = target;
        String signature;
        if (get) {
            String query = target.getRawQuery();
            to = URI.create(target.toString() + (query == null ? "?" : "&") + body);
            signature = CallbackForms.sign(key, to.toString(), Map.of());
            body = "";
        } else {
            signature = CallbackForms.sign(key, target.toString(), fields);
        }
        if (fault == CallbackFault.DROP) {
            record(new CallbackDelivery(number, sid, to, fields, body, signature, fault, List.of(),
                    CallbackDelivery.Outcome.DROPPED, null));
            return;
        }
        int copies = fault == CallbackFault.DUPLICATE ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            deliver(number, sid, to, get, fields, body, signature, fault);
        }
    }

    /**
     * Sends a transcription's callback, as SignalWire POSTs it to the recording's {@code transcribeCallback} (here the
     * same URL): the fields of SignalWire's specification, plus {@code AccountSid} and {@code CallSid}. Faults apply
     * as to any callback, chosen by the recording's sid; the delivery is recorded under the recording's sid.
     */
    void transcription(TestTranscription t) {
        if (url == null) {
            return; // SignalWire's transcribeCallback is the builder's URL here; live recordings' own do not get it
        }
        String account = server.baseUrl() + "/api/laml/2010-04-01/Accounts/" + t.accountSid();
        Map<String, List<String>> fields = new java.util.LinkedHashMap<>();
        fields.put("AccountSid", List.of(t.accountSid()));
        TestRecording recording = server.find(t.recordingSid());
        if (recording != null && recording.metadata().callSid() != null) {
            fields.put("CallSid", List.of(recording.metadata().callSid()));
        }
        fields.put("TranscriptionSid", List.of(t.sid()));
        fields.put("TranscriptionText", List.of(t.text()));
        fields.put("TranscriptionStatus", List.of(t.status()));
        fields.put("TranscriptionUrl", List.of(account + "/Transcriptions/" + t.sid()));
        fields.put("RecordingSid", List.of(t.recordingSid()));
        fields.put("RecordingUrl", List.of(account + "/Recordings/" + t.recordingSid()));
        sendTo(url, false, t.recordingSid(), fields);
    }

    private void deliver(long number, String sid, URI to, boolean get, Map<String, List<String>> fields, String body,
                         String signature, CallbackFault fault) {
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        AtomicReference<String> lastFailure = new AtomicReference<>();
        HttpClient.ResponseReceiver<?> request = get
                ? client.headers(h -> h.set("X-SignalWire-Signature", signature)).get().uri(to.toString())
                : client.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .set("X-SignalWire-Signature", signature))
                .post()
                .uri(to.toString())
                .send(ByteBufFlux.fromString(Mono.just(body)));
        Mono<Integer> attempt = Mono.defer(() -> request
                .responseSingle((response, content) -> content.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(ignored -> response.status().code()))
                .onErrorMap(e -> {
                    statuses.add(0);
                    return new AttemptFailed(describe(to, e));
                })
                .flatMap(code -> {
                    statuses.add(code);
                    return code / 100 == 2 ? Mono.just(code) : Mono.error(new AttemptFailed("answered " + code));
                })
                .doOnError(e -> lastFailure.set(e.getMessage())));
        Disposable.Swap holder = Disposables.swap();
        inFlight.add(holder);
        holder.update(attempt
                .retryWhen(Retry.fixedDelay(2, retryDelay).filter(e -> !closed.get()))
                .doFinally(signal -> inFlight.remove(holder))
                .subscribe(
                        code -> record(new CallbackDelivery(number, sid, to, fields, body, signature, fault,
                                statuses, CallbackDelivery.Outcome.DELIVERED, null)),
                        error -> {
                            if (!closed.get()) {
                                record(new CallbackDelivery(number, sid, to, fields, body, signature, fault,
                                        statuses, CallbackDelivery.Outcome.FAILED, lastFailure.get()));
                            }
                        }));
    }

    private String describe(URI to, Throwable e) {
        URI url = to;
        String where = url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReadTimeoutException) {
                return "no answer from " + where + " within " + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectTimeoutException) {
                return "could not connect to " + where + " within " + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectException) {
                return "could not connect to " + where + " (connection refused)";
            }
        }
        return "the connection to " + where + " failed" + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private CallbackFault faultFor(String sid) {
        CallbackFault queued = queuedFaults.poll();
        if (queued != null) {
            return queued;
        }
        CallbackFault attached = recordingFaults.get(key(sid));
        if (attached != null) {
            return attached;
        }
        if (rates.isEmpty()) {
            return null;
        }
        double draw;
        synchronized (random) {
            draw = random.nextDouble();
        }
        double cumulative = 0;
        for (Map.Entry<CallbackFault, Double> rate : rates.entrySet()) {
            cumulative += rate.getValue();
            if (draw < cumulative) {
                return rate.getKey();
            }
        }
        return null;
    }

    private void record(CallbackDelivery delivery) {
        // The listener first: a test that takes a delivery from the log then knows the listener has seen it.
        if (listener != null) {
            try {
                listener.accept(delivery);
            } catch (RuntimeException ignored) {
                // A listener's mistake must not stop deliveries; it is the listener's to report.
            }
        }
        lock.lock();
        try {
            if (log.size() == LOG_CAPACITY) {
                log.removeFirst();
            }
            log.addLast(delivery);
            recorded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static String key(String sid) {
        return sid.toLowerCase(Locale.ROOT);
    }

    /** One attempt's failure, already in words; never reaches a test. */
    private static final class AttemptFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AttemptFailed(String message) {
            super(message, null, false, false);
        }
    }

}
