package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.HeaderLookup;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import dev.laml.recordings.TransferException;
import reactor.netty.Connection;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.LoopResources;
import reactor.util.context.Context;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Puts one {@link ApiRequest} on the wire with Reactor Netty and hands the response head and
 * body to a handler. The only class that talks to {@link HttpClient}.
 *
 * <p>Nothing is sent before subscription, and every subscription sends its own request (the
 * returned {@code Flux} is cold). Two timeouts guard every exchange, both kept by the
 * connection's {@link ConnectionClock}: the response timeout runs from the request being sent
 * to the response headers arriving, and ends there, so it never fires while a slow subscriber
 * holds back the body; the body handed to the handler carries the demand-aware
 * {@link IdleTimeout}. Every connection carries {@link MalformedResponses} after its HTTP codec,
 * so that a response the codec cannot parse is told apart from other failures and its
 * connection is never reused, and then {@link InterimResponses}, so that the answer is the final
 * response, never a 1xx before it. A plain connection without a proxy also carries {@link SchemeMismatch}'s
 * sniffer before the codec until its first bytes arrive, and a plain request whose fresh connection closed
 * without a byte asks, with one probe, whether the server speaks TLS: either way a server that does fails the
 * request as such, never retried.
 *
 * <p>Immutable and thread-safe.
 */
public final class Exchange {

    /** Reads the response; called on the event loop, once per request. */
    @FunctionalInterface
    public interface ResponseHandler<T> {
        Publisher<T> handle(int status, String reason, HeaderLookup headers, Flux<ByteBuf> body);
    }

    /** One side per scheme, each with its own request senders (see {@link Side}). */
    private final Side plain;
    private final Side tls;
    private final RecordingsProtocol protocol;
    private final Duration idleTimeout;
    private final Transport transport;
    /** Where the probe of {@link SchemeMismatch} runs: the client's own event loops (null: Reactor Netty's). */
    private final LoopResources loops;

    /**
     * One plain-http exchange: the connection its request went out on, and whether an answer arrived. Written on
     * the event loop, read after the error signal, which comes later.
     */
    private static final class Attempt {
        volatile Channel channel;
        volatile boolean answered;
    }

    /**
     * The request senders of one scheme for the two methods this client uses, made once: each
     * call of the builder copies the client's whole configuration, and that copy showed up in
     * profiles. The schemes are kept apart for the same reason: a client configured for TLS
     * copies its configuration on every plain-http request to drop the TLS settings (and one
     * without copies it on every https request to add the defaults).
     */
    private record Side(HttpClient http, HttpClient.RequestSender get, HttpClient.RequestSender delete) {
        Side(HttpClient http) {
            this(http, http.request(HttpMethod.GET), http.request(HttpMethod.DELETE));
        }

        HttpClient.RequestSender sender(String method) {
            return switch (method) {
                case "GET" -> get;
                case "DELETE" -> delete;
                default -> http.request(HttpMethod.valueOf(method));
            };
        }
    }

    /**
     * @param http    the client for plain-http URIs (loopback, or with {@code allowInsecureHttp})
     * @param tls     how https URIs are secured, applied to {@code http}
     */
    public Exchange(HttpClient http, UnaryOperator<HttpClient> tls, RecordingsProtocol protocol, Duration responseTimeout,
            Duration idleTimeout, Transport transport) {
        long headersNanos = responseTimeout.toNanos();
        HttpClient timed = http
                .doOnConnected(connection -> {
                    SchemeMismatch.install(connection.channel());
                    MalformedResponses.install(connection.channel());
                    InterimResponses.install(connection.channel());
                })
                .doOnRequest((request, connection) -> {
                    Channel channel = connection.channel();
                    request.currentContextView().<Attempt>getOrEmpty(Attempt.class).ifPresent(a -> a.channel = channel);
                    ConnectionClock.onLoop(channel, () -> ConnectionClock.of(channel).awaitHeaders(headersNanos));
                })
                .doOnResponse((response, connection) -> {
                    Channel channel = connection.channel();
                    ConnectionClock.onLoop(channel, () -> ConnectionClock.of(channel).headersArrived());
                });
        this.loops = timed.configuration().loopResources();
        this.plain = new Side(timed);
        this.tls = new Side(tls.apply(timed));
        this.protocol = protocol;
        this.idleTimeout = idleTimeout;
        this.transport = transport;
    }

    public RecordingsProtocol protocol() {
        return protocol;
    }

    /** Executes {@code request}; the handler decides what the response means. */
    public <T> Flux<T> execute(ApiRequest request, ResponseHandler<T> handler) {
        Map<String, String> headers = request.headers();
        URI uri = request.uri();
        boolean secure = "https".equalsIgnoreCase(uri.getScheme());
        if (secure || transport.proxied(uri)) {
            return (secure ? tls : plain).sender(request.method())
                    .uri(uri)
                    .send((outbound, out) -> {
                        headers.forEach(outbound::header);
                        // A write's form, already encoded by the protocol (its Content-Length among the headers).
                        return request.hasBody() ? out.sendByteArray(Mono.just(request.body())) : out;
                    })
                    .response((HttpClientResponse response, Flux<ByteBuf> body) -> handle(handler, response, body))
                    .onErrorMap(e -> transport.translate(request, e));
        }
        return Flux.defer(() -> {
            Attempt attempt = new Attempt();
            return plain.sender(request.method())
                    .uri(uri)
                    .send((outbound, out) -> {
                        headers.forEach(outbound::header);
                        // A write's form, already encoded by the protocol (its Content-Length among the headers).
                        return request.hasBody() ? out.sendByteArray(Mono.just(request.body())) : out;
                    })
                    .response((HttpClientResponse response, Flux<ByteBuf> body) -> {
                        attempt.answered = true;
                        return handle(handler, response, body);
                    })
                    .onErrorResume(e -> mayBeTls(attempt, e)
                            ? SchemeMismatch.probe(loops, unbracketed(uri.getHost()), Transport.port(uri)).flatMapMany(tls ->
                                    Flux.<T>error(tls ? transport.speaksTls(request, e) : e))
                            : Flux.error(e))
                    .onErrorMap(e -> transport.translate(request, e))
                    .contextWrite(Context.of(Attempt.class, attempt));
        });
    }

    /** {@code ::1} for {@code [::1]}: a URI writes an IPv6 host in brackets, a socket address without. */
    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /**
     * Whether a failed plain exchange may have met a TLS server that closed on the request without a byte (see
     * {@link SchemeMismatch}): its fresh connection was closed or reset before any answer, nothing ever arrived on
     * it. A refused or timed-out connection, a pooled connection that answered before, a failure after the head:
     * none of these.
     */
    private static boolean mayBeTls(Attempt attempt, Throwable e) {
        return !attempt.answered && SchemeMismatch.silent(attempt.channel)
                && (e instanceof PrematureCloseException
                || e instanceof IOException && !(e instanceof ConnectException) && !(e instanceof TransferException));
    }

    /**
     * Hands the response to {@code handler}; an exception it throws becomes the returned publisher's error.
     *
     * <p>Why: Reactor Netty discards the response (releases what its body had already received, and the
     * connection) when the publisher the handler returned terminates. A handler that throws returns none, so
     * nothing was discarded: a coded {@code 206} to a resume, which the protocol refuses by throwing, leaked the
     * body's last buffer (found by {@code SocketFuzzTest} with leak detection at paranoid;
     * {@code FuzzRegressionsTest.aRefusedAnswerToAResumeLeaksNoBuffer}).
     */
    private <T> Publisher<T> handle(ResponseHandler<T> handler, HttpClientResponse response, Flux<ByteBuf> body) {
        try {
            return handler.handle(response.status().code(), response.status().reasonPhrase(),
                    headers(response.responseHeaders()), IdleTimeout.apply(body, idleTimeout, channelOf(response)));
        } catch (RuntimeException e) {
            return Flux.error(e);
        }
    }

    /**
     * The response's headers as the protocol reads them: the first line of a field, except for the two codings.
     *
     * <p>A field sent on several lines is one comma-separated list (RFC 9110 5.3), and for
     * {@code Content-Encoding} and {@code Transfer-Encoding} the list is the meaning: {@code gzip} on two lines
     * means the body was coded twice. Read by its first line only, such a body was decoded once and handed on
     * still coded, as audio (found by {@code SocketFuzzTest};
     * {@code FuzzRegressionsTest.aCodingSplitOverTwoHeaderLinesIsReadAsOneList}). Joined, two codings are refused
     * as the protocol refuses them on one line. Every other field the protocol reads is a single value, for
     * which the first line stands, as before.
     */
    static HeaderLookup headers(HttpHeaders headers) {
        return name -> {
            if (HttpHeaderNames.CONTENT_ENCODING.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                java.util.List<String> all = headers.getAll(name);
                return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(", ", all);
            }
            return headers.get(name);
        };
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
