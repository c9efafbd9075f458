package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.HeaderLookup;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

import java.time.Duration;
import java.util.Map;

/**
 * Puts one {@link ApiRequest} on the wire with Reactor Netty and hands the response head and
 * body to a handler. The only class that talks to {@link HttpClient}.
 *
 * <p>Nothing is sent before subscription, and every subscription sends its own request (the
 * returned {@code Flux} is cold). Two timeouts guard every exchange, both kept by the
 * connection's {@link ConnectionClock}: the response timeout runs from the request being sent
 * to the response headers arriving, and ends there, so it never fires while a slow subscriber
 * holds back the body; the body handed to the handler carries the demand-aware
 * {@link IdleTimeout}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Exchange {

    /** Reads the response; called on the event loop, once per request. */
    @FunctionalInterface
    public interface ResponseHandler<T> {
        Publisher<T> handle(int status, String reason, HeaderLookup headers, Flux<ByteBuf> body);
    }

    private final HttpClient http;
    /**
     * The request senders of the two methods this client uses, made once: each call of the
     * builder copies the client's whole configuration, and that copy showed up in profiles.
     */
    private final HttpClient.RequestSender get;
    private final HttpClient.RequestSender delete;
    private final RecordingsProtocol protocol;
    private final Duration idleTimeout;
    private final Transport transport;

    public Exchange(HttpClient http, RecordingsProtocol protocol, Duration responseTimeout, Duration idleTimeout,
            Transport transport) {
        long headersNanos = responseTimeout.toNanos();
        this.http = http
                .doOnRequest((request, connection) -> {
                    Channel channel = connection.channel();
                    ConnectionClock.onLoop(channel, () -> ConnectionClock.of(channel).awaitHeaders(headersNanos));
                })
                .doOnResponse((response, connection) -> {
                    Channel channel = connection.channel();
                    ConnectionClock.onLoop(channel, () -> ConnectionClock.of(channel).headersArrived());
                });
        this.get = this.http.request(HttpMethod.GET);
        this.delete = this.http.request(HttpMethod.DELETE);
        this.protocol = protocol;
        this.idleTimeout = idleTimeout;
        this.transport = transport;
    }

    private HttpClient.RequestSender sender(String method) {
        return switch (method) {
            case "GET" -> get;
            case "DELETE" -> delete;
            default -> http.request(HttpMethod.valueOf(method));
        };
    }

    public RecordingsProtocol protocol() {
        return protocol;
    }

    /** Executes {@code request}; the handler decides what the response means. */
    public <T> Flux<T> execute(ApiRequest request, ResponseHandler<T> handler) {
        Map<String, String> headers = request.headers();
        return sender(request.method())
                .uri(request.uri())
                .send((outbound, out) -> {
                    headers.forEach(outbound::header);
                    return out;
                })
                .response((HttpClientResponse response, Flux<ByteBuf> body) -> handler.handle(
                        response.status().code(), response.status().reasonPhrase(),
                        response.responseHeaders()::get, IdleTimeout.apply(body, idleTimeout, channelOf(response))))
                .onErrorMap(e -> transport.translate(request, e));
    }

    /**
     * The channel a response arrived on. Reactor Netty's response object is the connection's
     * operations object ({@code HttpClientOperations} implements both interfaces); every
     * idle-timeout test fails loudly should a future version change that.
     */
    private static Channel channelOf(HttpClientResponse response) {
        if (response instanceof Connection connection) {
            return connection.channel();
        }
        throw new IllegalStateException("Reactor Netty's HttpClientResponse is no longer its Connection ("
                + response.getClass().getName() + "); the idle timeout cannot find the channel");
    }
}
