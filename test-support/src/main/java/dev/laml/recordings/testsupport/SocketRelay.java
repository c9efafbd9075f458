package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What both proxies share: a listening socket on 127.0.0.1, a thread per accepted connection,
 * and a splice of two sockets with one blocking copy thread per direction.
 *
 * <p>Blocking copies were chosen over Netty on purpose: backpressure is inherent (a copy thread
 * that cannot write to a slow reader stops reading from the other side, so TCP flow control
 * reaches the far end without any autoRead bookkeeping), no buffers need releasing under the
 * paranoid leak detector, and a tunnel is two threads that {@link #close()} can account for.
 * The price is two threads per open tunnel, which is nothing at the concurrency tests use.
 *
 * <p>Every socket and thread this relay creates is registered, so that {@link #close()} can
 * close the sockets (which unblocks every thread stuck in a read, write or connect) and then
 * join the threads: when it returns, the relay's threads and file descriptors are gone.
 *
 * <p>Thread-safe. Arguments are non-null unless stated otherwise.
 */
final class SocketRelay implements AutoCloseable {

    /** Copy buffer per direction; large enough that a benchmark through the proxy is not copy-bound. */
    static final int BUFFER_SIZE = 64 * 1024;
    /** Read timeout while a request or handshake is incomplete, so a silent client cannot pin a thread forever. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;
    /** Pending-connection queue; a soak opens dozens of connections at once and must not see refusals. */
    private static final int BACKLOG = 512;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final long CLOSE_JOIN_MILLIS = 5_000;
    /** How long a refused client gets to read the answer and close before the proxy closes anyway. */
    private static final int LINGER_MILLIS = 1_000;
    /** The copy loops need little stack; a soak can hold a few hundred of these threads. */
    private static final long THREAD_STACK_SIZE = 256 * 1024;

    /** Serves one accepted connection; owns the socket: closes it, or hands it to {@link #splice}. */
    interface Handler {
        void handle(Socket client) throws IOException;
    }

    private final String name;
    private final ServerSocket server;
    private final Handler handler;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder bytesToServer = new LongAdder();

    private final Object lock = new Object();
    // Guarded by lock.
    private final Set<Socket> sockets = new HashSet<>();
    // Guarded by lock.
    private final Set<Thread> threads = new HashSet<>();
    // Guarded by lock.
    private boolean closed;

    /**
     * Binds (but does not yet accept on) 127.0.0.1:{@code port}.
     *
     * @param kind thread name prefix, e.g. {@code connect-proxy}; the port is appended
     * @param port 0 for an ephemeral port
     */
    SocketRelay(String kind, int port, Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        this.name = kind + "-" + server.getLocalPort();
    }

    /** Starts the accept thread. */
    void start() {
        if (!startThread(name + "-accept", this::acceptLoop)) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Thread-name prefix of every thread of this relay: {@code kind-port}. */
    String name() {
        return name;
    }

    long bytesToClient() {
        return bytesToClient.sum();
    }

    long bytesToServer() {
        return bytesToServer.sum();
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (isClosed()) {
                    return;
                }
                // Out of file descriptors, say: back off instead of spinning, keep serving.
                sleepQuietly(10);
                continue;
            }
            if (!track(client)) {
                continue;
            }
            long id = ids.incrementAndGet();
            if (!startThread(name + "-conn-" + id, () -> serve(client))) {
                untrackAndClose(client);
            }
        }
    }

    private void serve(Socket client) {
        try {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            handler.handle(client);
        } catch (IOException e) {
            // The client went away or broke the protocol; nothing to report to anyone.
            untrackAndClose(client);
        } catch (RuntimeException | Error e) {
            untrackAndClose(client);
            if (!isClosed()) {
                // A bug in the proxy itself: make it visible in the test output rather than hang a test.
                System.err.println(name + ": unexpected failure serving a connection");
                e.printStackTrace();
            }
        }
    }

    /**
     * Opens a registered TCP connection to {@code host:port} (resolving the name here).
     *
     * @throws IOException the target is unreachable or refused, or this relay is closed
     */
    Socket connect(String host, int port) throws IOException {
        Socket upstream = new Socket();
        if (!track(upstream)) {
            throw new SocketException(name + " is closed");
        }
        try {
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return upstream;
        } catch (IOException | RuntimeException e) {
            untrackAndClose(upstream);
            throw e;
        }
    }

    /**
     * Writes {@code response} and closes the connection gracefully.
     *
     * <p>Closing a socket with unread input makes the kernel send a reset, which can destroy the
     * response before the client reads it. So this half-closes, then drains whatever the client
     * still sends until it closes (or {@value #LINGER_MILLIS} ms pass), and only then closes.
     */
    void respondAndClose(Socket client, byte[] response) {
        try {
            OutputStream out = client.getOutputStream();
            out.write(response);
            out.flush();
            client.shutdownOutput();
            client.setSoTimeout(LINGER_MILLIS);
            InputStream in = client.getInputStream();
            byte[] sink = new byte[8192];
            long drained = 0;
            while (drained < (1 << 20)) {
                int n = in.read(sink);
                if (n < 0) {
                    break;
                }
                drained += n;
            }
        } catch (SocketTimeoutException e) {
            // The client neither closed nor sent more; close anyway.
        } catch (IOException e) {
            // Gone already.
        } finally {
            untrackAndClose(client);
        }
    }

    /**
     * Relays bytes between {@code client} and {@code upstream} until both directions have ended,
     * then closes both sockets and runs {@code onClosed}. Client-to-upstream runs on the calling
     * thread (this returns when that direction ends, possibly before the other); upstream-to-client
     * on a new thread.
     *
     * <p>End of stream in one direction is passed on as a half-close, so either side may finish
     * sending first. An error in either direction closes both sockets.
     *
     * @param firstToUpstream bytes the client sent beyond the handshake, relayed before anything else; may be empty
     * @param dropAfterBytesToClient after relaying this many bytes toward the client, the tunnel is
     *        closed (output half-closed first so the client reads exactly that many bytes, then end of
     *        stream or a reset); {@link Long#MAX_VALUE} for never
     * @param onDropped runs once if the drop fault fires, before the client can see the end of stream
     * @param onClosed runs once, after both sockets are closed
     */
    void splice(Socket client, byte[] firstToUpstream, Socket upstream, long dropAfterBytesToClient,
                Runnable onDropped, Runnable onClosed) {
        Tunnel tunnel = new Tunnel(client, upstream, onClosed);
        try {
            client.setSoTimeout(0);
        } catch (IOException e) {
            tunnel.close();
            return;
        }
        boolean started = startThread(name + "-down-" + ids.incrementAndGet(),
                () -> copyToClient(tunnel, dropAfterBytesToClient, onDropped));
        if (!started) {
            tunnel.close();
            return;
        }
        copyToUpstream(tunnel, firstToUpstream);
    }

    private void copyToUpstream(Tunnel tunnel, byte[] first) {
        try {
            InputStream in = tunnel.client.getInputStream();
            OutputStream out = tunnel.upstream.getOutputStream();
            if (first.length > 0) {
                out.write(first);
                bytesToServer.add(first.length);
            }
            byte[] buffer = new byte[BUFFER_SIZE];
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    tunnel.upstream.shutdownOutput();
                    return;
                }
                out.write(buffer, 0, n);
                bytesToServer.add(n);
            }
        } catch (IOException e) {
            tunnel.close();
        } finally {
            tunnel.directionEnded();
        }
    }

    private void copyToClient(Tunnel tunnel, long limit, Runnable onDropped) {
        try {
            InputStream in = tunnel.upstream.getInputStream();
            OutputStream out = tunnel.client.getOutputStream();
            byte[] buffer = new byte[BUFFER_SIZE];
            long relayed = 0;
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    tunnel.client.shutdownOutput();
                    return;
                }
                long allowed = limit - relayed;
                if (n >= allowed) {
                    out.write(buffer, 0, (int) allowed);
                    bytesToClient.add(allowed);
                    // Counted before the client can see the end, so a test that saw it sees the count.
                    onDropped.run();
                    // FIN after exactly `limit` bytes, then tear down both sides.
                    tunnel.client.shutdownOutput();
                    tunnel.close();
                    return;
                }
                out.write(buffer, 0, n);
                relayed += n;
                bytesToClient.add(n);
            }
        } catch (IOException e) {
            tunnel.close();
        } finally {
            tunnel.directionEnded();
        }
    }

    /** Two spliced sockets; closed when both directions ended or either failed. */
    private final class Tunnel {
        final Socket client;
        final Socket upstream;
        private final Runnable onClosed;
        private final AtomicInteger directionsEnded = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();

        Tunnel(Socket client, Socket upstream, Runnable onClosed) {
            this.client = client;
            this.upstream = upstream;
            this.onClosed = onClosed;
        }

        void directionEnded() {
            if (directionsEnded.incrementAndGet() == 2) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                untrackAndClose(client);
                untrackAndClose(upstream);
                onClosed.run();
            }
        }
    }

    /** Registers a socket for {@link #close()}; closes it at once and returns false if already closed. */
    private boolean track(Socket socket) {
        synchronized (lock) {
            if (!closed) {
                sockets.add(socket);
                return true;
            }
        }
        closeQuietly(socket);
        return false;
    }

    void untrackAndClose(Socket socket) {
        synchronized (lock) {
            sockets.remove(socket);
        }
        closeQuietly(socket);
    }

    private boolean startThread(String threadName, Runnable body) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Thread thread = new Thread(null, () -> {
                try {
                    body.run();
                } finally {
                    synchronized (lock) {
                        threads.remove(Thread.currentThread());
                    }
                }
            }, threadName, THREAD_STACK_SIZE);
            // A proxy a test forgot to close must not keep the test JVM alive.
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
            return true;
        }
    }

    /**
     * Stops accepting, closes every socket (which ends every tunnel), and waits up to 5 s for
     * every thread of this relay to finish. Idempotent.
     */
    @Override
    public void close() {
        List<Socket> toClose;
        List<Thread> toJoin;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(sockets);
            sockets.clear();
            toJoin = new ArrayList<>(threads);
        }
        try {
            server.close();
        } catch (IOException e) {
            // Closing a listening socket does not fail in a way anyone could act on.
        }
        toClose.forEach(SocketRelay::closeQuietly);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
        boolean interrupted = false;
        for (Thread thread : toJoin) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already broken; the descriptor is released either way.
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
