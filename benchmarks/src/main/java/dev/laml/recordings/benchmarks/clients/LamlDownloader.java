package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.Fixtures;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import reactor.core.publisher.Mono;

import java.net.URI;

/**
 * The library under test: {@code RecordingsClient.download(account, sid, MP3)}, pool sized to the
 * concurrency. Over TLS it trusts the server's PEM ({@code trustedCertificates}) with the default
 * engine ({@code TlsEngine.AUTO}: OpenSSL here) or, for {@code lamlJdkTls}, {@code TlsEngine.JDK}.
 */
final class LamlDownloader extends ReactiveDownloader {

    private final RecordingsClient client;

    LamlDownloader(URI base, int maxConcurrency, Trust trust, boolean jdkTls) {
        super(base);
        RecordingsClient.Builder b = RecordingsClient.builder()
                .baseUrl(base)
                .maxConnections(Math.max(1, maxConcurrency))
                .pendingAcquireMaxCount(Math.max(4096, 4 * maxConcurrency));
        if (trust != null) {
            b.trustedCertificates(trust.file()).tlsEngine(jdkTls ? TlsEngine.JDK : TlsEngine.AUTO)
                    .tlsHandshakeTimeout(NettyClients.HANDSHAKE_TIMEOUT);
        }
        this.client = b.build();
        if (trust != null && client.tlsEngine() != (jdkTls ? TlsEngine.JDK : TlsEngine.OPENSSL)) {
            throw new IllegalStateException("laml runs on " + client.tlsEngine() + " here, not the engine this benchmark names");
        }
    }

    @Override
    Mono<Void> one(String sid, Sink sink) {
        return client.download(Fixtures.ACCOUNT, sid, AudioFormat.MP3).doOnNext(sink::accept).then();
    }

    @Override
    public void close() {
        client.close();
    }
}
