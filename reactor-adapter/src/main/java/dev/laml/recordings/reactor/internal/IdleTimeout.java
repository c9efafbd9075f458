package dev.laml.recordings.reactor.internal;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An idle timeout that only counts while the subscriber is waiting: it fails the stream when no
 * element arrived for {@code timeout} while downstream demand was outstanding, and never while
 * the subscriber itself held back (a slow consumer is not a dead server).
 *
 * <pre>
 *  request(n) ─▶ clock starts ─▶ onNext … onNext ─▶ (demand left, silence ≥ timeout) ─▶ cancel + onError(TimeoutException)
 *  demand 0   ─▶ clock stops, however long the subscriber waits
 * </pre>
 *
 * <p>Cheap per element: {@code onNext} only records the time; a single timer per stream wakes
 * up at the earliest moment the timeout could have passed and re-arms itself for the rest.
 * Signals to downstream are serialised with the timer under this subscriber's monitor.
 */
public final class IdleTimeout {

    private IdleTimeout() {
    }

    public static <T> Flux<T> apply(Flux<T> source, Duration timeout, Scheduler scheduler) {
        long nanos = timeout.toNanos();
        // Through transform, so Reactor's assembly hooks (debug tracebacks) still see the operator.
        return source.transform(s -> new IdleFlux<>(s, nanos, scheduler));
    }

    /**
     * The operator. A plain {@link FluxOperator} rather than {@code Operators.lift}: lifting a
     * {@code Fuseable} source (say, one behind a {@code contextWrite}) yields a publisher that
     * claims fusion, so a following {@code handle} would expect a {@code QueueSubscription},
     * which {@link IdleSubscriber} is not. This one never claims fusion.
     */
    private static final class IdleFlux<T> extends FluxOperator<T, T> {
        private final long timeoutNanos;
        private final Scheduler scheduler;

        IdleFlux(Flux<? extends T> source, long timeoutNanos, Scheduler scheduler) {
            super(source);
            this.timeoutNanos = timeoutNanos;
            this.scheduler = scheduler;
        }

        @Override
        public void subscribe(CoreSubscriber<? super T> actual) {
            source.subscribe(new IdleSubscriber<T>(actual, timeoutNanos, scheduler));
        }
    }

    static final class IdleSubscriber<T> implements CoreSubscriber<T>, Subscription {
        private final CoreSubscriber<? super T> actual;
        private final long timeoutNanos;
        private final Scheduler scheduler;
        private Subscription upstream;
        private long outstanding;
        private long lastProgress;
        private Disposable timer;
        private boolean done;

        IdleSubscriber(CoreSubscriber<? super T> actual, long timeoutNanos, Scheduler scheduler) {
            this.actual = actual;
            this.timeoutNanos = timeoutNanos;
            this.scheduler = scheduler;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void request(long n) {
            if (n > 0) {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    if (outstanding == 0) {
                        // The wait starts now: time spent without demand does not count.
                        lastProgress = now();
                    }
                    outstanding = Operators.addCap(outstanding, n);
                    if (timer == null) {
                        timer = schedule(timeoutNanos);
                    }
                }
            }
            // Non-positive requests go upstream too, which signals the §3.9 error.
            upstream.request(n);
        }

        @Override
        public synchronized void onNext(T t) {
            if (done) {
                // Dropped after a timeout. Not handed to a discard hook: for a ByteBuf the
                // transport releases it once onNext returns, and releasing here too would be a
                // double release.
                return;
            }
            if (outstanding != Long.MAX_VALUE) {
                outstanding--;
            }
            lastProgress = now();
            actual.onNext(t);
        }

        @Override
        public synchronized void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            finish();
            actual.onError(t);
        }

        @Override
        public synchronized void onComplete() {
            if (done) {
                return;
            }
            finish();
            actual.onComplete();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                if (!done) {
                    finish();
                }
            }
            upstream.cancel();
        }

        private void finish() {
            done = true;
            if (timer != null) {
                timer.dispose();
                timer = null;
            }
        }

        private void check() {
            synchronized (this) {
                timer = null;
                if (done || outstanding == 0) {
                    return; // the next request re-arms
                }
                long idle = now() - lastProgress;
                if (idle < timeoutNanos) {
                    timer = schedule(timeoutNanos - idle);
                    return;
                }
                finish();
            }
            upstream.cancel();
            synchronized (this) {
                actual.onError(new TimeoutException("no data for " + Duration.ofNanos(timeoutNanos)
                        + " while the subscriber was waiting"));
            }
        }

        private Disposable schedule(long delayNanos) {
            return scheduler.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        }

        private long now() {
            return scheduler.now(TimeUnit.NANOSECONDS);
        }
    }
}
