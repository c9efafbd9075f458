package dev.laml.recordings.benchmarks.clients;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import java.net.URI;
import java.nio.ByteBuffer;

/**
 * Spring WebFlux {@link WebClient} on its Reactor Netty connector, with a pool of its own.
 * {@code byteBuffers=true}: {@code bodyToFlux(ByteBuffer.class)} (Spring copies each chunk into a
 * heap buffer); false: {@code bodyToFlux(DataBuffer.class)}, folded in place and released by hand.
 * Requests take a pre-built {@link URI}, so no URI template is expanded per request. Over TLS:
 * OpenSSL, HTTP/1.1.
 */
final class WebClientDownloader extends ReactiveDownloader {

    private final ConnectionProvider pool;
    private final WebClient web;
    private final boolean byteBuffers;

    WebClientDownloader(URI base, int maxConcurrency, boolean byteBuffers, Trust trust) {
        super(base);
        this.pool = NettyClients.pool(byteBuffers ? "bench-webclient-bb" : "bench-webclient-db", maxConcurrency);
        this.web = WebClient.builder().clientConnector(new ReactorClientHttpConnector(
                NettyClients.secure(NettyClients.http(pool), trust, false))).build();
        this.byteBuffers = byteBuffers;
    }

    @Override
    Mono<Void> one(String sid, Sink sink) {
        WebClient.ResponseSpec spec = web.get().uri(mediaUri(sid)).retrieve();
        if (byteBuffers) {
            return spec.bodyToFlux(ByteBuffer.class).doOnNext(sink::accept).then();
        }
        return spec.bodyToFlux(DataBuffer.class).doOnNext(db -> {
            try (DataBuffer.ByteBufferIterator it = db.readableByteBuffers()) {
                while (it.hasNext()) {
                    sink.accept(it.next());
                }
            } finally {
                DataBufferUtils.release(db);
            }
        }).then();
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
