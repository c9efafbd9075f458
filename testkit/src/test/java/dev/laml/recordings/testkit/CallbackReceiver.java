package dev.laml.recordings.testkit;

import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver for the status callback tests, on the JDK's own HTTP server so that it shares nothing with the
 * testkit's Reactor Netty client: records each request and answers with the statuses a test queued (204 when none is
 * queued), optionally after a pause.
 */
final class CallbackReceiver implements AutoCloseable {

    /** One request as received. */
    record Received(String method, String path, String contentType, String signature, String body) {

        /** The body decoded as a form, names in order, values in the order sent. */
        Map<String, List<String>> form() {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                fields.computeIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        k -> new ArrayList<>()).add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return fields;
        }

        String field(String name) {
            List<String> values = form().get(name);
            return values == null ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private volatile Duration pause = Duration.ZERO;

    CallbackReceiver() {
        try {
            // A deep backlog: tests send hundreds of callbacks at once.
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("X-SignalWire-Signature"), body));
                if (!pause.isZero()) {
                    Thread.sleep(pause.toMillis());
                }
                Integer status = statuses.poll();
                exchange.sendResponseHeaders(status == null ? 204 : status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/recordings/events?via=testkit}: a path and a query, both part of what is signed. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/recordings/events?via=testkit");
    }

    /** Answers the next requests with these statuses, in order, then 204 again. */
    void answer(int... codes) {
        for (int code : codes) {
            statuses.add(code);
        }
    }

    /** Waits this long before answering each request. */
    void pause(Duration pause) {
        this.pause = pause;
    }

    /** The next request received, waiting up to 10 s. */
    Received take() {
        try {
            Received r = received.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no callback arrived within 10 s");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Requests received and not yet taken. */
    List<Received> pending() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Base64(HMAC-SHA1(key, url + each field sorted by name, name then value)). */
    static String expectedSignature(String key, String url, Map<String, List<String>> form) {
        try {
            StringBuilder data = new StringBuilder(url);
            form.keySet().stream().sorted().forEach(name -> form.get(name).forEach(v -> data.append(name).append(v)));
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
