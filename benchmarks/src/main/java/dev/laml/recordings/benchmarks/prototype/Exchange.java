package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.HeaderLookup;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Puts one {@link ApiRequest} on the wire with Reactor Netty and hands the response head and
 * body to a handler. The only class that talks to {@link HttpClient}.
 *
 * <p>Nothing is sent before subscription, and every subscription sends its own request (the
 * returned {@code Flux} is cold). The response timeout covers the time from the request being
 * written to the response headers arriving; it is removed once they arrive, so it never fires
 * while a slow subscriber holds back the body.
 *
 * <p>Immutable and thread-safe.
 */
public final class Exchange {

    /** The pipeline name of the time-to-headers timeout handler. */
    static final String HEADERS_TIMEOUT = "laml.headersTimeout";

    /** Reads the response; called on the event loop, once per request. */
    @FunctionalInterface
    public interface ResponseHandler<T> {
        Publisher<T> handle(int status, String reason, HeaderLookup headers, ByteBufFlux body);
    }

    private final HttpClient http;
    private final RecordingsProtocol protocol;
    private final Duration responseTimeout;

    public Exchange(HttpClient http, RecordingsProtocol protocol, Duration responseTimeout, boolean headersTimeout) {
        long millis = responseTimeout.toMillis();
        this.http = !headersTimeout ? http : http
                .doAfterRequest((request, connection) ->
                        connection.addHandlerFirst(HEADERS_TIMEOUT, new ReadTimeoutHandler(millis, TimeUnit.MILLISECONDS)))
                .doOnResponse((response, connection) -> connection.removeHandler(HEADERS_TIMEOUT));
        this.protocol = protocol;
        this.responseTimeout = responseTimeout;
    }

    public RecordingsProtocol protocol() {
        return protocol;
    }

    /** Executes {@code request}; the handler decides what the response means. */
    public <T> Flux<T> execute(ApiRequest request, ResponseHandler<T> handler) {
        Map<String, String> headers = request.headers();
        return http.request(HttpMethod.valueOf(request.method()))
                .uri(request.uri())
                .send((outbound, out) -> {
                    headers.forEach(outbound::header);
                    return out;
                })
                .response((HttpClientResponse response, ByteBufFlux body) -> handler.handle(
                        response.status().code(), response.status().reasonPhrase(),
                        response.responseHeaders()::get, body))
                .onErrorMap(e -> Transport.translate(request, protocol, responseTimeout, e));
    }
}
