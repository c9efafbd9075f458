package dev.laml.recordings.benchmarks.clients;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.net.URI;

/**
 * Bare Reactor Netty over HTTP/2 ({@code .protocol(HttpProtocol.H2)}, negotiated by ALPN with
 * {@link Http2SslContextSpec} on OpenSSL), each inbound buffer copied into a fresh heap buffer
 * exactly as {@code reactorNettyCopy} does, so the two differ only in the protocol. Reactor
 * Netty's HTTP/2 defaults: its pool multiplexes streams over as few connections as the server's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows (the loopback server sets no limit, so one
 * connection), 64 KiB flow-control windows, 16 KiB frames.
 */
final class ReactorNettyH2Downloader extends ReactiveDownloader {

    private final ConnectionProvider pool;
    private final HttpClient http;

    ReactorNettyH2Downloader(URI base, int maxConcurrency, Trust trust) {
        super(base);
        if (trust == null) {
            throw new IllegalArgumentException("reactorNettyH2 runs only over TLS");
        }
        this.pool = NettyClients.pool("bench-h2", maxConcurrency);
        Http2SslContextSpec spec = Http2SslContextSpec.forClient()
                .configure(b -> b.sslProvider(Trust.provider(false)).trustManager(trust.trustManagerFactory()));
        this.http = HttpClient.create(pool)
                .protocol(HttpProtocol.H2)
                .secure(s -> s.sslContext(spec).handshakeTimeout(NettyClients.HANDSHAKE_TIMEOUT))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .compress(false)
                .followRedirect(false);
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
