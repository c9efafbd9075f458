package dev.laml.recordings.reactor.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one connection, for every request it carries: the time-to-headers deadline of
 * the request in flight and the idle timeout of the body being read ({@link IdleTimeout}).
 *
 * <p>Why one clock per connection: a {@code ReadTimeoutHandler} added to the pipeline after each
 * request and removed on its response, plus a timer per body stream on
 * {@code Schedulers.parallel()}, cost 8–15 % of the client's CPU on small downloads and metadata
 * (pipeline edits, cross-thread scheduling and cancelling; see BENCHMARKS.md). Here a request
 * only writes a deadline field, and a single timer on the channel's own event loop is armed
 * lazily: when it fires it looks at what is due, fails what has expired and re-arms itself for
 * the earliest remaining deadline, or not at all when nothing is waiting. A connection that is
 * busy with back-to-back requests re-arms about once per timeout period, not once per request.
 *
 * <p>Confined to the channel's event loop: every method must be called on it. Reactor Netty
 * delivers the request and response hooks and every body signal there ({@code FluxReceive}
 * hops to the loop even for {@code request(n)}), so the callers hop only in the rare case they
 * are not already on it.
 */
final class ConnectionClock implements Runnable {

    /** Something the clock checks when it fires: a body stream's idle timeout. */
    interface Watch {
        /**
         * Checks the watch at {@code now} (nanoTime), failing it if it has expired.
         *
         * @return when to check again (nanoTime), or {@link #NONE} when the watch is over
         */
        long check(long now);
    }

    static final long NONE = Long.MIN_VALUE;

    private static final AttributeKey<ConnectionClock> KEY = AttributeKey.valueOf("laml.connectionClock");

    private final Channel channel;
    private final EventLoop loop;
    private long headersDeadline = NONE;
    private Watch body;
    private ScheduledFuture<?> timer;
    private long timerDue;

    private ConnectionClock(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
    }

    /** The clock of {@code channel}, created on first use; call on the channel's event loop. */
    static ConnectionClock of(Channel channel) {
        ConnectionClock clock = channel.attr(KEY).get();
        if (clock == null) {
            ConnectionClock created = new ConnectionClock(channel);
            channel.attr(KEY).set(created);
            // A pending timer would keep a closed channel, and through it the last exchange's
            // subscribers, reachable until it fired (Reactive Streams §3.13): stop it on close.
            channel.closeFuture().addListener(closed -> created.stop());
            clock = created;
        }
        return clock;
    }

    /** Runs {@code task} on the channel's event loop: at once when already there. */
    static void onLoop(Channel channel, Runnable task) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /**
     * A request is about to be sent: its response headers must arrive within {@code timeoutNanos}.
     * Armed before sending rather than after (so it can never be armed after its response
     * arrived); for the bodiless GET and DELETE this client sends, the difference is the time to
     * write a few hundred bytes.
     */
    void awaitHeaders(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        headersDeadline = deadline;
        checkBy(deadline);
    }

    /** The response headers arrived: the time-to-headers deadline is over. */
    void headersArrived() {
        headersDeadline = NONE;
    }

    /** Starts checking {@code watch} (replacing the previous body's, which has ended) by {@code due}. */
    void watch(Watch watch, long due) {
        body = watch;
        checkBy(due);
    }

    /**
     * Stops checking {@code watch} if it is still the current one. A watch that ended must not
     * stay reachable from the pooled connection until the next check: it holds its subscriber
     * (Reactive Streams §3.13).
     */
    void unwatch(Watch watch) {
        if (body == watch) {
            body = null;
        }
    }

    /** The channel closed: nothing is waited for any more, and no timer may hold it. */
    private void stop() {
        headersDeadline = NONE;
        body = null;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void run() {
        timer = null;
        if (!channel.isActive()) {
            stop(); // whatever was waiting has been failed by the transport already
            return;
        }
        long now = System.nanoTime();
        long next = NONE;
        if (headersDeadline != NONE) {
            if (now - headersDeadline >= 0) {
                headersDeadline = NONE;
                // As Netty's ReadTimeoutHandler does: the response fails with ReadTimeoutException
                // (Transport maps it to ResponseTimeoutException) and the connection is not reused.
                channel.pipeline().fireExceptionCaught(ReadTimeoutException.INSTANCE);
                channel.close();
                return;
            }
            next = headersDeadline;
        }
        if (body != null) {
            long due = body.check(now);
            if (due == NONE) {
                body = null;
            } else if (next == NONE || due - next < 0) {
                next = due;
            }
        }
        if (next != NONE) {
            schedule(next, now);
        }
    }

    /** Makes sure the timer fires no later than {@code due}. */
    private void checkBy(long due) {
        if (timer != null) {
            if (due - timerDue >= 0) {
                return; // the pending check comes first and re-arms for this
            }
            timer.cancel(false);
        }
        schedule(due, System.nanoTime());
    }

    private void schedule(long due, long now) {
        timerDue = due;
        timer = loop.schedule(this, Math.max(0, due - now), TimeUnit.NANOSECONDS);
    }
}
