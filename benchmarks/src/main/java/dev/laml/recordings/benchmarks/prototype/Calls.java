package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.HeaderLookup;
import dev.laml.recordings.protocol.RecordingsProtocol;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The client's operations as sequences of attempts: each attempt follows redirects, and a failed
 * attempt is retried, or, for a broken download, resumed from the first byte not yet delivered,
 * as the {@link Retries} policy allows. What each status means is always the protocol's call.
 *
 * <p>Immutable and thread-safe; every returned publisher is cold.
 */
public final class Calls {

    private static final int MAX_REDIRECT_BODY = 64 * 1024;

    private final Exchange exchange;
    private final RecordingsProtocol protocol;
    private final Retries retries;
    private final Duration idleTimeout;
    private final Supplier<Scheduler> timer;

    public Calls(Exchange exchange, Retries retries, Duration idleTimeout, Supplier<Scheduler> timer) {
        this.exchange = exchange;
        this.protocol = exchange.protocol();
        this.retries = retries;
        this.idleTimeout = idleTimeout;
        this.timer = timer;
    }

    // ------------------------------------------------------------------ metadata

    public Mono<Recording> fetch(ApiRequest request) {
        return retries.run(attempts -> metadataHop(request, newChain(request))).next();
    }

    private Flux<Recording> metadataHop(ApiRequest request, List<URI> visited) {
        return exchange.execute(request, (status, reason, headers, body) -> {
            if (protocol.isRedirect(status)) {
                return follow(request, status, headers, body, visited, next -> metadataHop(next, visited));
            }
            boolean success = status >= 200 && status <= 299;
            int cap = success ? protocol.maxMetadataBytes() : RecordingsProtocol.MAX_ERROR_BODY_BYTES;
            if (success && protocol.contentLength(headers) > cap) {
                return Mono.error(protocol.bodyTooLarge(request, status, cap));
            }
            Flux<ByteBuf> guarded = idleTimeout == null ? body : IdleTimeout.apply(body, idleTimeout, timer.get());
            return Bodies.collect(guarded, cap, !success, () -> protocol.bodyTooLarge(request, status, cap),
                    bytes -> Mono.fromCallable(() -> protocol.decodeRecording(request, status, reason, headers, bytes)));
        });
    }

    // ------------------------------------------------------------------ audio

    /** Where a download stands across its attempts; signals are serial, so plain fields suffice. */
    private static final class Download {
        ApiRequest current;
        long emitted;
        long totalLength = -1;
        String validator;
        boolean started;

        Download(ApiRequest request) {
            this.current = request;
        }
    }

    public Flux<ByteBuffer> download(ApiRequest request) {
        return Flux.defer(() -> {
            Download d = new Download(request);
            return retries.run(attempts -> {
                ApiRequest next = d.started ? protocol.resumeFrom(d.current, d.emitted, d.validator) : d.current;
                return mediaHop(d, next, newChain(next));
            });
        });
    }

    /** PROTOTYPE: {@link #download} emitting retained inbound buffers instead of heap copies. */
    public Flux<ByteBuf> downloadRetained(ApiRequest request) {
        return Flux.defer(() -> {
            Download d = new Download(request);
            return retries.run(attempts -> {
                ApiRequest next = d.started ? protocol.resumeFrom(d.current, d.emitted, d.validator) : d.current;
                return mediaHop(d, next, newChain(next), true);
            });
        });
    }

    private Flux<ByteBuffer> mediaHop(Download d, ApiRequest request, List<URI> visited) {
        return mediaHop(d, request, visited, false);
    }

    @SuppressWarnings("unchecked")
    private <T> Flux<T> mediaHop(Download d, ApiRequest request, List<URI> visited, boolean retained) {
        return exchange.execute(request, (status, reason, headers, body) -> {
            if (protocol.isRedirect(status)) {
                return follow(request, status, headers, body, visited, next -> {
                    d.current = next; // resume where the bytes actually come from
                    return mediaHop(d, next, visited, retained);
                });
            }
            if (!protocol.isAudio(status, headers)) {
                return Bodies.collect(body, RecordingsProtocol.MAX_ERROR_BODY_BYTES, true, () -> null,
                        bytes -> Mono.<T>error(protocol.error(request, status, reason, headers, bytes)));
            }
            long expected;
            long skip;
            if (!d.started) {
                d.started = true;
                d.validator = protocol.resumeValidator(headers);
                d.totalLength = protocol.contentLength(headers);
                expected = d.totalLength;
                skip = 0;
            } else {
                try {
                    Continuation c = protocol.continuation(request, status, headers, d.emitted, d.totalLength, d.validator);
                    expected = c.expectedLength();
                    skip = c.skip();
                } catch (ContentChangedException e) {
                    return Mono.error(e);
                }
            }
            if (retained) {
                return (Flux<T>) Bodies.streamRetained(body, expected, skip, request, protocol, n -> d.emitted += n, idleTimeout, timer.get());
            }
            return (Flux<T>) Bodies.stream(body, expected, skip, request, protocol, n -> d.emitted += n, idleTimeout, timer.get());
        });
    }

    // ------------------------------------------------------------------ shared

    private static List<URI> newChain(ApiRequest first) {
        List<URI> visited = new ArrayList<>(RecordingsProtocol.MAX_REDIRECTS + 1);
        visited.add(first.uri());
        return visited;
    }

    /** Drains the redirect's body (so its connection can go back to the pool), then follows it. */
    private <T> Flux<T> follow(ApiRequest request, int status, HeaderLookup headers, Flux<ByteBuf> body,
            List<URI> visited, java.util.function.Function<ApiRequest, Flux<T>> next) {
        ApiRequest target;
        try {
            target = protocol.redirect(request, status, headers, visited);
        } catch (RuntimeException refused) {
            return Bodies.drain(body, MAX_REDIRECT_BODY).then(Mono.<T>error(refused)).flux();
        }
        visited.add(target.uri());
        return Bodies.drain(body, MAX_REDIRECT_BODY).thenMany(Flux.defer(() -> next.apply(target)));
    }
}
