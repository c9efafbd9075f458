package dev.laml.recordings.benchmarks.clients;

import io.netty.channel.ChannelOption;
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
}
