package dev.laml.recordings.benchmarks.clients;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.net.URI;
import java.nio.ByteBuffer;

/**
 * Bare Reactor Netty. {@code copy=false}: folds each inbound {@link ByteBuf} in place (Reactor
 * Netty releases it when {@code onNext} returns). {@code copy=true}: first copies it into a fresh
 * heap {@link ByteBuffer}, which is what the adapter hands its subscribers. Over TLS: HTTP/1.1 on
 * OpenSSL, or on the JDK's engine ({@code reactorNettyCopyJdkTls}); Reactor Netty's defaults
 * otherwise (8 KiB {@code maxChunkSize}, default {@code SslHandler}).
 */
final class ReactorNettyDownloader extends ReactiveDownloader {

    private final ConnectionProvider pool;
    private final HttpClient http;
    private final boolean copy;

    ReactorNettyDownloader(URI base, int maxConcurrency, boolean copy, Trust trust, boolean jdkTls) {
        super(base);
        this.pool = NettyClients.pool(copy ? "bench-copy" : "bench-raw", maxConcurrency);
        this.http = NettyClients.secure(NettyClients.http(pool), trust, jdkTls);
        this.copy = copy;
    }

    @Override
    Mono<Void> one(String sid, Sink sink) {
        String uri = mediaUri(sid).toString();
        return http.get().uri(uri).response((res, body) -> {
            if (res.status().code() != 200) {
                return Mono.<Void>error(new IllegalStateException("HTTP " + res.status()));
            }
            if (copy) {
                return body.map(ReactorNettyDownloader::copy).doOnNext(sink::accept).then();
            }
            return body.doOnNext(sink::accept).then();
        }).then();
    }

    static ByteBuffer copy(ByteBuf buf) {
        ByteBuffer owned = ByteBuffer.allocate(buf.readableBytes());
        buf.getBytes(buf.readerIndex(), owned);
        owned.flip();
        return owned;
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
