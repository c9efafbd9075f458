package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP relay on 127.0.0.1 in front of a server, which a test takes down and brings back on
 * the same port: the server restarted under a client, as when nginx is stopped for a deploy.
 * Bytes pass through untouched, so TLS runs end to end through it.
 *
 * <pre>{@code
 * try (OutageRelay relay = OutageRelay.to(server.port())) {
 *     relay.stopAfterBytesToClient(200_000);          // the next connection is cut mid-body, and the relay goes down
 *     // client configured with relay.baseUrl() starts a download ...
 *     relay.awaitStopped(Duration.ofSeconds(5));
 *     Thread.sleep(5_000);                            // connections refused meanwhile
 *     relay.restart();                                // same port
 * }
 * }</pre>
 *
 * <p>While stopped, nothing listens on the port: a client's connect is refused (a TCP reset), as
 * with a stopped server, not accepted and then dropped. Stopping closes every open connection
 * (the client reads an end of stream or a reset wherever it was). {@link #restart()} binds the
 * same port again; should the port have been taken meanwhile (another process binding it), it
 * retries for a while and then fails, since a test cannot go on without it.
 *
 * <p>Thread-safe: any method may be called from any thread, including while connections are
 * served. No method accepts or returns null. Not hardened: a tool for loopback tests.
 */
public final class OutageRelay implements AutoCloseable {

    private static final Duration REBIND_FOR = Duration.ofSeconds(5);

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final AtomicInteger connections = new AtomicInteger();
    /** Bytes the relays already stopped passed to clients. */
    private final AtomicLong retiredBytesToClient = new AtomicLong();
    /** The drop limit the next connection takes; {@link Long#MAX_VALUE} while none is armed. */
    private final AtomicLong armedDrop = new AtomicLong(Long.MAX_VALUE);

    private final Object lock = new Object();
    // Guarded by lock; null while stopped.
    private SocketRelay relay;
    // Guarded by lock; counted down when the relay stops, replaced when it restarts.
    private CountDownLatch stopped = new CountDownLatch(1);
    // Guarded by lock.
    private boolean closed;

    private OutageRelay(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        SocketRelay first = newRelay(0);
        this.port = first.port();
        synchronized (lock) {
            this.relay = first;
        }
        first.start();
    }

    /** Starts a relay on an ephemeral port to {@code 127.0.0.1:targetPort}. */
    public static OutageRelay to(int targetPort) {
        return to("127.0.0.1", targetPort);
    }

    /** Starts a relay on an ephemeral port to {@code targetHost:targetPort} (resolved per connection). */
    public static OutageRelay to(String targetHost, int targetPort) {
        try {
            return new OutageRelay(targetHost, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the relay", e);
        }
    }

    /** The port the relay listens on, the same across restarts. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port} (or {@code https://} for a TLS server behind it). */
    public URI baseUrl(String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    /** Connections accepted (and relayed) so far, across restarts. */
    public int connectionCount() {
        return connections.get();
    }

    /** Bytes relayed from the server to clients so far, across restarts (momentarily short while a stop is under way). */
    public long bytesToClient() {
        SocketRelay running;
        synchronized (lock) {
            running = relay;
        }
        return retiredBytesToClient.get() + (running == null ? 0 : running.bytesToClient());
    }

    /**
     * Arms a cut: the next connection accepted is cut after relaying {@code bytes} bytes to the
     * client (the response head counts), and at that moment the whole relay {@linkplain #stop()
     * stops}, before the client can read the end. Later connections are not affected.
     */
    public void stopAfterBytesToClient(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        armedDrop.set(bytes);
    }

    /** Stops now: closes the listening socket and every open connection. Idempotent. */
    public void stop() {
        SocketRelay running;
        synchronized (lock) {
            running = relay;
            relay = null;
        }
        if (running != null) {
            // Outside the lock: closing joins the relay's threads, one of which may be waiting for it.
            running.close();
            retiredBytesToClient.addAndGet(running.bytesToClient());
            synchronized (lock) {
                stopped.countDown();
            }
        }
    }

    /** Waits until the relay is stopped (by {@link #stop()} or an armed cut); false if it was not within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        CountDownLatch latch;
        synchronized (lock) {
            latch = stopped;
        }
        return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the relay is listening. */
    public boolean isRunning() {
        synchronized (lock) {
            return relay != null;
        }
    }

    /**
     * Listens again on the same port. Does nothing if running.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws UncheckedIOException  the port could not be bound again within 5 s
     */
    public void restart() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the relay is closed");
            }
            if (relay != null) {
                return;
            }
        }
        SocketRelay next = bindAgain();
        synchronized (lock) {
            if (closed || relay != null) {
                next.close();
                return;
            }
            relay = next;
            stopped = new CountDownLatch(1);
        }
        next.start();
    }

    private SocketRelay bindAgain() {
        long deadline = System.nanoTime() + REBIND_FOR.toNanos();
        while (true) {
            try {
                return newRelay(port);
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("port " + port + " could not be bound again", e);
                }
                sleep(20);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restart the relay on port " + port, e);
            }
        }
    }

    private SocketRelay newRelay(int onPort) throws IOException {
        SocketRelay[] self = new SocketRelay[1];
        self[0] = new SocketRelay("outage-relay", onPort, client -> relayConnection(self[0], client));
        return self[0];
    }

    private void relayConnection(SocketRelay through, Socket client) throws IOException {
        Socket upstream = through.connect(targetHost, targetPort);
        connections.incrementAndGet();
        long drop = armedDrop.getAndSet(Long.MAX_VALUE);
        through.splice(client, new byte[0], upstream, drop, this::stop, () -> { });
    }

    /** Stops, for good. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        stop();
    }

    @Override
    public String toString() {
        return "OutageRelay[127.0.0.1:" + port + " -> " + targetHost + ":" + targetPort
                + (isRunning() ? "" : ", stopped") + "]";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rebinding", e);
        }
    }
}
