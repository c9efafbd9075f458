package dev.laml.recordings.benchmarks.clients;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.AttributeKey;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.net.URI;
import java.time.Duration;

/**
 * Bare Reactor Netty over HTTP/2 ({@code .protocol(HttpProtocol.H2)}, negotiated by ALPN with
 * {@link Http2SslContextSpec} on OpenSSL), each inbound buffer copied into a fresh heap buffer
 * exactly as {@code reactorNettyCopy} does, so the two differ only in the protocol. Reactor
 * Netty's HTTP/2 defaults: its pool multiplexes streams over as few connections as the server's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows (the loopback server sets no limit, so one
 * connection), 64 KiB flow-control windows, 16 KiB frames.
 *
 * <p>{@code tuned} ({@code reactorNettyH2Tuned}): what one would try against those limits: a
 * 1 MiB stream window ({@code SETTINGS_INITIAL_WINDOW_SIZE}), a 16 MiB connection window (a
 * {@code WINDOW_UPDATE} on stream 0 when a connection carries its first request) and at most 64
 * streams per connection, so that 256 downloads spread over 4 connections (both event loops).
 */
final class ReactorNettyH2Downloader extends ReactiveDownloader {

    private final ConnectionProvider pool;
    private final HttpClient http;

    static final int STREAMS_PER_CONNECTION = Integer.getInteger("bench.h2.streams", 64);
    static final int STREAM_WINDOW = Integer.getInteger("bench.h2.window", 1 << 20);
    static final int CONNECTION_WINDOW = Integer.getInteger("bench.h2.connWindow", 16 << 20);
    private static final AttributeKey<Boolean> WIDENED = AttributeKey.valueOf("bench.h2.widened");

    ReactorNettyH2Downloader(URI base, int maxConcurrency, Trust trust, boolean tuned) {
        super(base);
        if (trust == null) {
            throw new IllegalArgumentException("reactorNettyH2 runs only over TLS");
        }
        this.pool = tuned
                ? ConnectionProvider.builder("bench-h2-tuned")
                        .maxConnections(Math.max(1, maxConcurrency))
                        .pendingAcquireMaxCount(Math.max(4096, 4 * maxConcurrency))
                        .pendingAcquireTimeout(Duration.ofSeconds(60))
                        .maxIdleTime(Duration.ofSeconds(60))
                        .allocationStrategy(Http2AllocationStrategy.builder()
                                .maxConcurrentStreams(STREAMS_PER_CONNECTION)
                                .maxConnections(Math.max(1, (maxConcurrency + STREAMS_PER_CONNECTION - 1) / STREAMS_PER_CONNECTION))
                                .minConnections(1)
                                .build())
                        .build()
                : NettyClients.pool("bench-h2", maxConcurrency);
        Http2SslContextSpec spec = Http2SslContextSpec.forClient()
                .configure(b -> b.sslProvider(Trust.provider(false)).trustManager(trust.trustManagerFactory()));
        HttpClient h = HttpClient.create(pool)
                .protocol(HttpProtocol.H2)
                .secure(s -> s.sslContext(spec).handshakeTimeout(NettyClients.HANDSHAKE_TIMEOUT))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .compress(false)
                .followRedirect(false);
        if (tuned) {
            h = h.http2Settings(s -> s.initialWindowSize(STREAM_WINDOW))
                    .doOnRequest((req, conn) -> widenConnectionWindow(conn.channel().parent()));
        }
        this.http = h;
    }

    /** Once per connection (on its event loop): grows the connection's receive window to {@link #CONNECTION_WINDOW}. */
    private static void widenConnectionWindow(Channel parent) {
        if (parent == null || parent.attr(WIDENED).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
            return;
        }
        Http2Connection c = codec.connection();
        try {
            int now = c.local().flowController().windowSize(c.connectionStream());
            if (now < CONNECTION_WINDOW) {
                c.local().flowController().incrementWindowSize(c.connectionStream(), CONNECTION_WINDOW - now);
                parent.flush();
            }
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    Mono<Void> one(String sid, Sink sink) {
        String uri = mediaUri(sid).toString();
        return http.get().uri(uri).response((res, body) -> {
            if (res.status().code() != 200) {
                return Mono.<Void>error(new IllegalStateException("HTTP " + res.status()));
            }
            return body.map((ByteBuf b) -> ReactorNettyDownloader.copy(b)).doOnNext(sink::accept).then();
        }).then();
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
