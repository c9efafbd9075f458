package dev.laml.recordings.reactor;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately primitive HTTP/1.1 server on blocking sockets, one thread per connection and
 * one request per connection ({@code Connection: close}). It shares no code with the client's
 * stack, so it can misbehave in ways a well-behaved server framework would not let it (short
 * bodies, resets), and its byte counter is exact: a blocking write returns only once the kernel
 * took the bytes, so {@link #bytesWritten()} is what the client's socket could have received.
 */
final class RawHttpServer implements AutoCloseable {

    record Request(String method, String path, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @FunctionalInterface
    interface Handler {
        void respond(Request request, Response response) throws IOException, InterruptedException;
    }

    /** Writes a response; every body write is counted. */
    final class Response {
        private final OutputStream out;
        private final Socket socket;

        Response(OutputStream out, Socket socket) {
            this.out = out;
            this.socket = socket;
        }

        void head(int status, String reason, String... headerPairs) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            for (int i = 0; i < headerPairs.length; i += 2) {
                sb.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
            }
            sb.append("Connection: close\r\n\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void body(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            out.flush();
            written.addAndGet(length);
        }

        void body(byte[] bytes) throws IOException {
            body(bytes, 0, bytes.length);
        }

        /** Sends a full response with a Content-Length. */
        void send(int status, String contentType, byte[] body) throws IOException {
            head(status, status == 200 ? "OK" : "Status", "Content-Type", contentType,
                    "Content-Length", String.valueOf(body.length));
            body(body);
        }

        /** Closes with an RST instead of a FIN. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-http-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong written = new AtomicLong();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Handler handler;

    RawHttpServer(Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        threads.execute(this::acceptLoop);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    long bytesWritten() {
        return written.get();
    }

    List<Request> requests() {
        return requests;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Request request = readHead(in);
            if (request == null) {
                return;
            }
            requests.add(request);
            handler.respond(request, new Response(socket.getOutputStream(), socket));
        } catch (IOException | InterruptedException clientWentAway) {
            // Expected in cancellation tests.
        }
    }

    private static Request readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while (state < 4 && (b = in.read()) != -1) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        if (state < 4) {
            return null;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(first[0], first[1], headers);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
