package dev.laml.recordings.events;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A plain HTTP server for {@link RecordingEvents}, on Reactor Netty: what {@code recordings listen} runs. Requests to
 * {@code path} (any query) are handed to the receiver; anything else is a 404. Behind TLS termination (a load
 * balancer, a reverse proxy) as SignalWire requires a public URL anyway.
 *
 * <p>Thread-safety: thread-safe; {@link #close()} is idempotent. No Netty type is part of its API.
 */
public final class RecordingEventsServer implements AutoCloseable {

    private final DisposableServer server;
    private final String path;

    private RecordingEventsServer(DisposableServer server, String path) {
        this.server = server;
        this.path = path;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and serves {@code events} at {@code path}.
     *
     * @throws IllegalArgumentException if the path does not start with {@code /}
     * @throws RuntimeException         when the address cannot be bound (Reactor Netty's bind exception, whose
     *                                  cause is a {@link java.net.BindException})
     */
    public static RecordingEventsServer start(RecordingEvents events, String path, String host, int port) {
        Objects.requireNonNull(events, "events");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with /");
        }
        DisposableServer server = HttpServer.create()
                .host(host)
                .port(port)
                // Headers larger than this are not a status callback.
                .httpRequestDecoder(spec -> spec.maxHeaderSize(16 * 1024).maxInitialLineLength(8192))
                .idleTimeout(Duration.ofSeconds(30))
                .handle((request, response) -> handle(events, path, request, response))
                .bindNow();
        return new RecordingEventsServer(server, path);
    }

    private static Mono<Void> handle(RecordingEvents events, String path, HttpServerRequest request,
            HttpServerResponse response) {
        if (!path.equals(request.fullPath()) && !path.equals(request.fullPath() + "/")
                && !(path + "/").equals(request.fullPath())) {
            return response.status(404).send();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.requestHeaders().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                .add(h.getValue()));
        // Copies: Reactor Netty releases each ByteBuf once onNext returns.
        Flux<ByteBuffer> body = request.receive().map(RecordingEventsServer::copy);
        URI url;
        try {
            url = URI.create(request.uri());
        } catch (IllegalArgumentException bad) {
            return response.status(400).send();
        }
        return events.handle(new RecordingEvents.Request(request.method().name(), url, headers, body))
                .flatMap(answer -> {
                    response.status(answer.status());
                    answer.headers().forEach(response::header);
                    if (answer.message() == null || answer.status() == 204) {
                        return response.send().then();
                    }
                    response.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                    return response.sendString(Mono.just(answer.message() + "\n")).then();
                });
    }

    private static ByteBuffer copy(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** The port bound. */
    public int port() {
        return server.port();
    }

    /** The path served. */
    public String path() {
        return path;
    }

    /** Stops accepting connections and closes the open ones (waits up to 5 s). */
    @Override
    public void close() {
        if (!server.isDisposed()) {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return "RecordingEventsServer{port=" + server.port() + ", path=" + path + "}";
    }
}
