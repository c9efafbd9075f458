package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny blocking TCP server for the proxy tests: a thread per connection running a
 * {@link Session}; {@link #close()} closes every socket and joins the threads.
 *
 * <p>Thread-safe.
 */
final class LoopbackServer implements AutoCloseable {

    /** Serves one accepted connection; the socket is closed when it returns. */
    interface Session {
        void serve(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Session session;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> sockets = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    private LoopbackServer(ServerSocket server, Session session) {
        this.server = server;
        this.session = session;
        this.acceptor = new Thread(this::acceptLoop, "loopback-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Serves on an ephemeral port of 127.0.0.1. */
    static LoopbackServer start(Session session) throws IOException {
        return start(InetAddress.getByName("127.0.0.1"), session);
    }

    static LoopbackServer start(InetAddress bindAddress, Session session) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(bindAddress, 0), 256);
        return new LoopbackServer(server, session);
    }

    /** Serves on an already bound server socket (a TLS one, say). */
    static LoopbackServer start(ServerSocket bound, Session session) {
        return new LoopbackServer(bound, session);
    }

    /** Echoes every byte until the client half-closes, then closes. */
    static LoopbackServer echo() throws IOException {
        return start(LoopbackServer::echo);
    }

    static void echo(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            Thread thread = new Thread(() -> {
                try {
                    session.serve(socket);
                } catch (Exception e) {
                    // Tests assert on what the client saw; a broken connection is often the point.
                } finally {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // released either way
                    }
                    synchronized (this) {
                        sockets.remove(socket);
                    }
                }
            }, "loopback-session-" + port());
            thread.setDaemon(true);
            synchronized (this) {
                if (closed) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // released either way
                    }
                    return;
                }
                sockets.add(socket);
                threads.add(thread);
            }
            thread.start();
        }
    }

    @Override
    public void close() throws Exception {
        List<Socket> toClose;
        List<Thread> toJoin;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(sockets);
            toJoin = new ArrayList<>(threads);
        }
        server.close();
        for (Socket socket : toClose) {
            socket.close();
        }
        acceptor.join(5_000);
        for (Thread thread : toJoin) {
            thread.join(5_000);
        }
    }
}
