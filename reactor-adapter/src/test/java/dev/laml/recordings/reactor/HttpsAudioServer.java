package dev.laml.recordings.reactor;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.X509Bundle;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest HTTPS server that serves one audio body for any path, presenting whatever
 * certificate a test generated (right, wrong host, expired, untrusted), and counting TCP
 * connections as they are accepted (before any handshake).
 */
final class HttpsAudioServer implements AutoCloseable {

    private final DisposableServer server;
    private final AtomicInteger connections = new AtomicInteger();

    HttpsAudioServer(X509Bundle certificate, byte[] body) {
        SslContext context;
        try {
            context = SslContextBuilder.forServer(certificate.getKeyPair().getPrivate(), certificate.getCertificatePath())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(context))
                .doOnChannelInit((observer, channel, remote) -> connections.incrementAndGet())
                .handle((req, res) -> res.header("Content-Type", "audio/mpeg")
                        .header("Content-Length", String.valueOf(body.length))
                        .sendByteArray(Mono.just(body)))
                .bindNow(Duration.ofSeconds(10));
    }

    /** {@code https://127.0.0.1:PORT}. */
    URI uri() {
        return URI.create("https://127.0.0.1:" + server.port());
    }

    int port() {
        return server.port();
    }

    /** TCP connections accepted so far. */
    AtomicInteger connections() {
        return connections;
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
