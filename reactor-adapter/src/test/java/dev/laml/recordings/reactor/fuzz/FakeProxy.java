package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.testkit.Fault;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw socket pretending to be an HTTP proxy: each {@code CONNECT} takes the next {@link Script}, which says what
 * the "proxy" answers (any bytes: an HTTP answer or not) and, if that opened a tunnel, what the "server" behind it
 * answers to the request that comes through; then the connection is closed or stalls until the client closes it.
 * With no script queued, a {@code CONNECT} opens a real tunnel to the target it names (the testkit), so the client's
 * own requests still work between tries. Loopback only; blocking sockets, a thread per connection.
 */
final class FakeProxy implements AutoCloseable {

    /**
     * @param connectAnswer what the proxy answers to the {@code CONNECT}
     * @param tunneled      then, when not null, the answer to the request that comes through the tunnel
     * @param end           how the connection ends after the last bytes
     */
    record Script(byte[] connectAnswer, byte[] tunneled, Fault.After end) {
    }

    private static final byte[] ESTABLISHED =
            "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-proxy");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger scripted = new AtomicInteger();
    /** What happened to each CONNECT, in order, for failure reports. */
    private final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeProxy() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        threads.execute(this::accept);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void enqueue(Script script) {
        scripts.add(script);
    }

    void clear() {
        scripts.clear();
    }

    /** CONNECTs answered from a script so far. */
    int scripted() {
        return scripted.get();
    }

    /** What happened to the CONNECTs from the {@code from}-th on. */
    java.util.List<String> eventsFrom(int from) {
        return java.util.List.copyOf(events.subList(Math.min(from, events.size()), events.size()));
    }

    int eventCount() {
        return events.size();
    }

    /** Client connections currently open. */
    int openConnections() {
        return open.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            String connect = readHead(in);
            if (connect == null) {
                return;
            }
            Script script = scripts.poll();
            events.add((script == null ? "tunnel for " : "script for ") + connect.split("\r\n", 2)[0]
                    + " from port " + client.getPort());
            if (script == null) {
                tunnel(connect, in, out);
                return;
            }
            scripted.incrementAndGet();
            out.write(script.connectAnswer());
            out.flush();
            if (script.tunneled() != null) {
                if (readHead(in) == null) {
                    return;
                }
                out.write(script.tunneled());
                out.flush();
            }
            if (script.end() == Fault.After.STALL) {
                while (in.read() != -1) {
                    // until the client closes
                }
            }
        } catch (IOException clientWentAway) {
            // Expected: the client closes as soon as it has decided.
        } finally {
            open.remove(client);
        }
    }

    /** A real tunnel to the CONNECT's target. */
    private void tunnel(String connect, InputStream in, OutputStream out) throws IOException {
        String target = connect.split(" ", 3)[1];
        int colon = target.lastIndexOf(':');
        try (Socket upstream = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))) {
            upstream.setTcpNoDelay(true);
            out.write(ESTABLISHED);
            out.flush();
            threads.execute(() -> {
                try {
                    in.transferTo(upstream.getOutputStream());
                    upstream.shutdownOutput();
                } catch (IOException ignored) {
                    // either side went away
                }
            });
            upstream.getInputStream().transferTo(out);
        }
    }

    /** The request head up to its blank line (at most 64 KiB), or null if the connection ends first. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while (state < 4 && (b = in.read()) != -1) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (head.size() > 65536) {
                return null;
            }
        }
        return state < 4 ? null : head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
