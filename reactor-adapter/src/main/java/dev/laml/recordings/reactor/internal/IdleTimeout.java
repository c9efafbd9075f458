package dev.laml.recordings.reactor.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * An idle timeout on a response body that only counts while the subscriber is waiting: it fails
 * the stream when no buffer arrived for {@code timeout} while downstream demand was outstanding,
 * and never while the subscriber itself held back (a slow consumer is not a dead server).
 *
 * <pre>
 *  request(n) ─▶ clock starts ─▶ onNext … onNext ─▶ (demand left, silence ≥ timeout) ─▶ cancel + onError(TimeoutException)
 *  demand 0   ─▶ clock stops, however long the subscriber waits
 * </pre>
 *
 * <p>Cheap per buffer: {@code onNext} records the time and counts down the demand; there is no
 * timer of its own. The connection's {@link ConnectionClock} checks the stream when it fires,
 * on the channel's event loop. Because Reactor Netty signals {@code onNext}, {@code onError}
 * and {@code onComplete} of a body on that same loop, the timeout's {@code onError} can never
 * overlap another signal, without any lock. Only {@code request} and {@code cancel} may come from
 * other threads, so the demand and the start of a wait are atomics.
 */
public final class IdleTimeout {

    private IdleTimeout() {
    }

    /** Guards {@code body}, which Reactor Netty receives on {@code channel}. */
    public static Flux<ByteBuf> apply(Flux<ByteBuf> body, Duration timeout, Channel channel) {
        return new Guarded(body, timeout.toNanos(), channel);
    }

    /**
     * The operator itself. A plain {@link FluxOperator} rather than {@code Operators.lift}: the
     * lift inspects its source for every subscription, which showed up at 3 % of a metadata
     * fetch's CPU.
     */
    private static final class Guarded extends FluxOperator<ByteBuf, ByteBuf> {
        private final long timeoutNanos;
        private final Channel channel;

        Guarded(Flux<ByteBuf> source, long timeoutNanos, Channel channel) {
            super(source);
            this.timeoutNanos = timeoutNanos;
            this.channel = channel;
        }

        @Override
        public void subscribe(CoreSubscriber<? super ByteBuf> actual) {
            source.subscribe(new IdleSubscriber<>(actual, timeoutNanos, channel));
        }
    }

    static final class IdleSubscriber<T> implements CoreSubscriber<T>, Subscription, ConnectionClock.Watch {

        @SuppressWarnings("rawtypes")
        private static final AtomicLongFieldUpdater<IdleSubscriber> OUTSTANDING =
                AtomicLongFieldUpdater.newUpdater(IdleSubscriber.class, "outstanding");

        private final CoreSubscriber<? super T> actual;
        private final long timeoutNanos;
        private final Channel channel;
        private Subscription upstream;
        /** Demand not yet met; written by request (any thread) and onNext (the loop). */
        private volatile long outstanding;
        /**
         * When the current wait began (demand went from 0 to more). Written before the demand
         * that it dates is published, so a check that sees the demand sees this time too.
         */
        private volatile long waitingSince;
        /** When the last buffer arrived; the loop only. */
        private long lastProgress;
        private volatile boolean done;
        /** The clock this stream is registered with; the loop only. */
        private ConnectionClock clock;

        IdleSubscriber(CoreSubscriber<? super T> actual, long timeoutNanos, Channel channel) {
            this.actual = actual;
            this.timeoutNanos = timeoutNanos;
            this.channel = channel;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                lastProgress = System.nanoTime();
                actual.onSubscribe(this);
                ConnectionClock.onLoop(channel, () -> {
                    if (!done) {
                        clock = ConnectionClock.of(channel);
                        clock.watch(this, System.nanoTime() + timeoutNanos);
                    }
                });
            }
        }

        @Override
        public void request(long n) {
            if (n > 0 && !done) {
                for (;;) {
                    long current = outstanding;
                    if (current == 0) {
                        // The wait starts now: time spent without demand does not count.
                        waitingSince = System.nanoTime();
                    }
                    if (OUTSTANDING.compareAndSet(this, current, Operators.addCap(current, n))) {
                        break;
                    }
                }
            }
            // Non-positive requests go upstream too, which signals the §3.9 error.
            upstream.request(n);
        }

        @Override
        public void onNext(T t) {
            if (done) {
                // Dropped after a timeout. Not handed to a discard hook: for a ByteBuf the
                // transport releases it once onNext returns, and releasing here too would be a
                // double release.
                return;
            }
            for (;;) {
                long current = outstanding;
                if (current == Long.MAX_VALUE || current == 0
                        || OUTSTANDING.compareAndSet(this, current, current - 1)) {
                    break;
                }
            }
            lastProgress = System.nanoTime();
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            done = true;
            unwatch();
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            unwatch();
            actual.onComplete();
        }

        @Override
        public void cancel() {
            done = true;
            upstream.cancel();
            ConnectionClock.onLoop(channel, this::unwatch);
        }

        /** On the loop: the stream is over, so the connection's clock must let go of it. */
        private void unwatch() {
            if (clock != null) {
                clock.unwatch(this);
                clock = null;
            }
        }

        /** On the loop, from the connection's clock. */
        @Override
        public long check(long now) {
            if (done) {
                return ConnectionClock.NONE;
            }
            if (outstanding == 0) {
                // Not waiting: look again a full period later; a wait that starts meanwhile is
                // at most that old by then.
                return now + timeoutNanos;
            }
            long since = waitingSince;
            long last = since - lastProgress > 0 ? since : lastProgress;
            long idle = now - last;
            if (idle < timeoutNanos) {
                return last + timeoutNanos;
            }
            done = true;
            clock = null; // the clock drops this watch itself on NONE
            upstream.cancel();
            actual.onError(new TimeoutException("no data for " + Duration.ofNanos(timeoutNanos)
                    + " while the subscriber was waiting"));
            return ConnectionClock.NONE;
        }
    }
}
