package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.Fixtures;
import dev.laml.recordings.benchmarks.prototype.PrototypeClient;
import dev.laml.recordings.benchmarks.prototype.Tuning;
import reactor.core.publisher.Mono;

import java.net.URI;

/** The prototype copy of the adapter with the changes named in the client name ({@link Tuning#parse}). */
final class PrototypeDownloader extends ReactiveDownloader {

    private final PrototypeClient client;

    PrototypeDownloader(URI base, int maxConcurrency, Tuning tuning) {
        super(base);
        this.client = PrototypeClient.builder()
                .baseUrl(base)
                .maxConnections(Math.max(1, maxConcurrency))
                .pendingAcquireMaxCount(Math.max(4096, 4 * maxConcurrency))
                .tuning(tuning)
                .build();
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
