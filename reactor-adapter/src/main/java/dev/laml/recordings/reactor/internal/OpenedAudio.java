package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.ContentRange;
import dev.laml.recordings.reactor.AudioResponse;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link AudioResponse} of {@code open()}: subscribes to a download without requesting
 * anything, completes the {@code open()} Mono when the download reports its checked head, and
 * hands the download to the one subscriber of {@link #body()}, whose demand is the first that
 * reaches the download (so no byte is read before it asks).
 *
 * <p>Signals from the download that arrive before the body is subscribed (it can end, empty or
 * broken, without demand) are kept and replayed after the body subscriber's {@code onSubscribe};
 * demand the body subscriber signals from inside its {@code onSubscribe} is kept until then too,
 * so no element can reach a subscriber that is not yet in place. Thread-safe.
 */
public final class OpenedAudio implements AudioResponse, CoreSubscriber<ByteBuffer> {

    /** Head of an audio answer, as {@link AudioResponse} reports it. An immutable value. */
    public record Head(String contentType, long contentLength, String etag, Instant lastModified,
            ContentRange contentRange) {
    }

    private static final int OPEN = 0;
    private static final int SUBSCRIBED = 1;
    private static final int CLOSED = 2;

    private final MonoSink<AudioResponse> opened;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final Flux<ByteBuffer> body = new Body();
    private volatile Head head;
    private volatile Subscription upstream;
    private volatile boolean ready;

    // Guarded by this until ready; then only the body's subscriber and its demand matter.
    private CoreSubscriber<? super ByteBuffer> actual;
    private long pendingDemand;
    private long invalidDemand;
    private boolean done;
    private Throwable error;

    public OpenedAudio(MonoSink<AudioResponse> opened) {
        this.opened = opened;
        // Cancelled before the head arrived (or before the emitted response was requested, when
        // Reactor drops it): nobody will ever read or close this response, so release it here.
        opened.onCancel(this::close);
    }

    /** Called by the download, on its thread, once the first answer's head is accepted. */
    public void head(Head head) {
        this.head = head;
        opened.success(this);
    }

    // ------------------------------------------------------------------ the download's subscriber

    @Override
    public Context currentContext() {
        return Context.of(opened.contextView());
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        if (state.get() == CLOSED) {
            s.cancel(); // closed before the download even started
        }
    }

    @Override
    public void onNext(ByteBuffer buffer) {
        // Only demand from the body's subscriber brings elements, and it is forwarded once ready.
        actual.onNext(buffer);
    }

    @Override
    public void onError(Throwable e) {
        if (head == null) {
            opened.error(e);
            return;
        }
        terminate(e);
    }

    @Override
    public void onComplete() {
        if (head == null) {
            opened.error(new IllegalStateException("the download ended without an answer"));
            return;
        }
        terminate(null);
    }

    private void terminate(Throwable e) {
        synchronized (this) {
            if (!ready) {
                done = true;
                error = e;
                return;
            }
        }
        if (e == null) {
            actual.onComplete();
        } else {
            actual.onError(e);
        }
    }

    // ------------------------------------------------------------------ AudioResponse

    @Override
    public String contentType() {
        return head.contentType();
    }

    @Override
    public long contentLength() {
        return head.contentLength();
    }

    @Override
    public String etag() {
        return head.etag();
    }

    @Override
    public Instant lastModified() {
        return head.lastModified();
    }

    @Override
    public ContentRange contentRange() {
        return head.contentRange();
    }

    @Override
    public Flux<ByteBuffer> body() {
        return body;
    }

    @Override
    public void close() {
        if (state.compareAndSet(OPEN, CLOSED)) {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }

    @Override
    public String toString() {
        Head h = head;
        return "AudioResponse[" + (h == null ? "pending" : h.contentType() + ", " + h.contentLength() + " bytes"
                + (h.contentRange() == null ? "" : ", " + h.contentRange().headerValue())) + ", "
                + switch (state.get()) {
                    case OPEN -> "unread";
                    case SUBSCRIBED -> "body subscribed";
                    default -> "closed";
                } + "]";
    }

    /** The body: one subscriber, handed the download. */
    private final class Body extends Flux<ByteBuffer> implements Subscription {

        @Override
        public void subscribe(CoreSubscriber<? super ByteBuffer> subscriber) {
            int was = state.get();
            if (was != OPEN || !state.compareAndSet(OPEN, SUBSCRIBED)) {
                Operators.error(subscriber, new IllegalStateException(was == SUBSCRIBED || state.get() == SUBSCRIBED
                        ? "the body of an AudioResponse may be subscribed once"
                        : "the AudioResponse was closed before its body was subscribed"));
                return;
            }
            synchronized (OpenedAudio.this) {
                actual = subscriber;
            }
            subscriber.onSubscribe(this);
            boolean ended;
            Throwable failure;
            long demand;
            long invalid;
            synchronized (OpenedAudio.this) {
                ready = true;
                ended = done;
                failure = error;
                demand = pendingDemand;
                invalid = invalidDemand;
            }
            if (ended) {
                if (failure == null) {
                    subscriber.onComplete();
                } else {
                    subscriber.onError(failure);
                }
            } else if (invalid != 0) {
                upstream.request(invalid);
            } else if (demand > 0) {
                upstream.request(demand);
            }
        }

        @Override
        public void request(long n) {
            if (!ready) {
                synchronized (OpenedAudio.this) {
                    if (!ready) {
                        if (n <= 0) {
                            invalidDemand = n; // passed on once ready, so the download reports it (§3.9)
                        } else {
                            pendingDemand = Operators.addCap(pendingDemand, n);
                        }
                        return;
                    }
                }
            }
            upstream.request(n);
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }
    }
}
