package dev.laml.recordings.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A plain TCP proxy in front of a store that records the head of every HTTP request that crosses it, exactly as the
 * bytes went: what the store was told, independent of what the client thinks it sent. Bytes are forwarded unchanged;
 * request bodies are framed by {@code Content-Length} (or chunked transfer coding) only to find the next head.
 *
 * <p>Thread-safe; one thread per direction per connection. Loopback only.
 */
public final class WireRecorder implements AutoCloseable {

    /** One request head: method, target (path and query) and headers, names in lower case. */
    public record Request(String method, String target, Map<String, List<String>> headers) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public boolean hasHeaderStartingWith(String prefix) {
            return headers.keySet().stream().anyMatch(h -> h.startsWith(prefix.toLowerCase(Locale.ROOT)));
        }

        /** The S3 operation, as far as these tests need it, from the method and target. */
        public String operation() {
            String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            boolean object = path.indexOf('/', 1) > 0 && path.indexOf('/', 1) < path.length() - 1;
            return switch (method) {
                case "PUT" -> query.contains("partNumber=") ? "UploadPart" : object ? "PutObject" : "CreateBucket";
                case "POST" -> query.startsWith("uploads") || query.contains("&uploads") ? "CreateMultipartUpload"
                        : query.contains("uploadId=") ? "CompleteMultipartUpload" : "Post";
                case "HEAD" -> object ? "HeadObject" : "HeadBucket";
                case "GET" -> object ? "GetObject" : query.contains("uploads") ? "ListMultipartUploads" : "ListObjects";
                case "DELETE" -> query.contains("uploadId=") ? "AbortMultipartUpload" : "DeleteObject";
                default -> method;
            };
        }
    }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private WireRecorder(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
        Thread accept = new Thread(this::acceptLoop, "wire-recorder-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy on a free loopback port in front of {@code store} ({@code http://host:port}). */
    public static WireRecorder in(URI store) {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            return new WireRecorder(s, new InetSocketAddress(store.getHost(), store.getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }

    public List<Request> requests(Predicate<Request> which) {
        return requests.stream().filter(which).toList();
    }

    public void clear() {
        requests.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket store = new Socket();
                store.connect(upstream, 5000);
                sockets.add(client);
                sockets.add(store);
                start("wire-recorder-up", () -> forwardRequests(client, store));
                start("wire-recorder-down", () -> pipe(store, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ended) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void forwardRequests(Socket client, Socket store) {
        try {
            InputStream in = new java.io.BufferedInputStream(client.getInputStream(), 64 * 1024);
            OutputStream out = store.getOutputStream();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                out.write(head);
                out.flush();
                Request request = parse(new String(head, StandardCharsets.ISO_8859_1));
                requests.add(request);
                String te = request.header("transfer-encoding");
                if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                    copyChunked(in, out);
                } else {
                    String cl = request.header("content-length");
                    copy(in, out, cl == null ? 0 : Long.parseLong(cl.trim()));
                }
                out.flush();
            }
        } catch (IOException ended) {
            // either side closed
        } finally {
            closeQuietly(client);
            closeQuietly(store);
        }
    }

    /** The bytes up to and including the blank line; null at a clean end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside a request head");
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static Request parse(String head) {
        String[] lines = head.split("\r\n");
        String[] first = lines[0].split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(first[0], first.length > 1 ? first[1] : "", headers);
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (n > 0) {
            int k = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (k < 0) {
                throw new IOException("connection ended inside a request body");
            }
            out.write(buffer, 0, k);
            n -= k;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in, out);
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                while (!readLine(in, out).isEmpty()) {
                    // trailers
                }
                return;
            }
            copy(in, out, size);
            readLine(in, out);
        }
    }

    private static String readLine(InputStream in, OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        sockets.forEach(WireRecorder::closeQuietly);
    }
}
