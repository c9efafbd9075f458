package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.benchmarks.Fixtures;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared driver of the Reactor-based clients: N cold downloads subscribed at once, awaited together. */
abstract class ReactiveDownloader implements Downloader {

    static final Duration OP_TIMEOUT = Duration.ofMinutes(5);

    final URI base;

    ReactiveDownloader(URI base) {
        this.base = base;
    }

    /** One download of {@code sid} into {@code sink}; nothing happens before subscription. */
    abstract Mono<Void> one(String sid, Sink sink);

    URI mediaUri(String sid) {
        return base.resolve(Fixtures.mediaPath(sid));
    }

    @Override
    public long downloadAll(int n, String sid, long size) {
        Sink[] sinks = new Sink[n];
        List<Mono<Void>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sinks[i] = new Sink();
            all.add(one(sid, sinks[i]));
        }
        Mono.when(all).block(OP_TIMEOUT);
        long acc = 0;
        for (Sink s : sinks) {
            acc ^= s.verify(size);
        }
        return acc;
    }
}
