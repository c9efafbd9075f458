package dev.laml.recordings.benchmarks.clients;

import io.netty.channel.ChannelOption;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;

/** Bare Reactor Netty clients configured like the adapter's (default event loops, keep-alive, no compression). */
public final class NettyClients {

    private NettyClients() {
    }

    /** A pool that never throttles {@code maxConcurrency} requests. */
    public static ConnectionProvider pool(String name, int maxConcurrency) {
        return ConnectionProvider.builder(name)
                .maxConnections(Math.max(1, maxConcurrency))
                .pendingAcquireMaxCount(Math.max(4096, 4 * maxConcurrency))
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .maxIdleTime(Duration.ofSeconds(60))
                .build();
    }

    public static HttpClient http(ConnectionProvider pool) {
        return HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .keepAlive(true)
                .compress(false)
                .followRedirect(false);
    }

    /**
     * {@code http} over TLS (HTTP/1.1, no ALPN) trusting exactly {@code trust}, on OpenSSL or the
     * JDK's engine; Reactor Netty's {@code secure(...)} keeps hostname verification on. Plain
     * {@code http} when {@code trust} is null.
     */
    public static HttpClient secure(HttpClient http, Trust trust, boolean jdkEngine) {
        if (trust == null) {
            return http;
        }
        Http11SslContextSpec spec = Http11SslContextSpec.forClient()
                .configure(b -> b.sslProvider(Trust.provider(jdkEngine)).trustManager(trust.trustManagerFactory()));
        return http.secure(s -> s.sslContext(spec).handshakeTimeout(HANDSHAKE_TIMEOUT));
    }

    /**
     * Handshake timeout of every TLS client here (laml's included) instead of the usual 10 s:
     * a thousand handshakes at once on a busy 2-core machine can take longer than that.
     */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
}
