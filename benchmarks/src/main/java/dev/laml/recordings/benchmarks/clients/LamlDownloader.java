package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.benchmarks.Fixtures;
import dev.laml.recordings.reactor.RecordingsClient;
import reactor.core.publisher.Mono;

import java.net.URI;

/** The library under test: {@code RecordingsClient.download(account, sid, MP3)}, pool sized to the concurrency. */
final class LamlDownloader extends ReactiveDownloader {

    private final RecordingsClient client;

    LamlDownloader(URI base, int maxConcurrency) {
        super(base);
        this.client = RecordingsClient.builder()
                .baseUrl(base)
                .maxConnections(Math.max(1, maxConcurrency))
                .pendingAcquireMaxCount(Math.max(4096, 4 * maxConcurrency))
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
