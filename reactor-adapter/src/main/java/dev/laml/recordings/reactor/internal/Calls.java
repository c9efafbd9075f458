package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RecordingNotReadyException;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.reactor.AudioResponse;
import dev.laml.recordings.protocol.HeaderLookup;
import dev.laml.recordings.protocol.RecordingsProtocol;
import dev.laml.recordings.protocol.RecordingsProtocol.ContentCoding;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;
import dev.laml.recordings.protocol.RecordingsProtocol.RangeAnswer;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
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
    private final Supplier<Scheduler> timer;
    private final ClientMetrics metrics;

    public Calls(Exchange exchange, Retries retries, Supplier<Scheduler> timer, ClientMetrics metrics) {
        this.metrics = metrics;
        this.exchange = exchange;
        this.protocol = exchange.protocol();
        this.retries = retries;
        this.timer = timer;
    }

    // ------------------------------------------------------------------ metadata

    /** Interprets a complete metadata response; may throw the protocol's exceptions. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(int status, String reason, HeaderLookup headers, byte[] body);
    }

    public Mono<Recording> fetch(ApiRequest request) {
        return json(request, (status, reason, headers, body) -> protocol.decodeRecording(request, status, reason, headers, body));
    }

    public Mono<RecordingPage> page(ApiRequest request) {
        return json(request, (status, reason, headers, body) -> protocol.decodePage(request, status, reason, headers, body));
    }

    /**
     * DELETE: never retried (a retried delete that had succeeded would report 404) and never
     * redirected (a redirect answer is an error).
     */
    public Mono<Void> delete(ApiRequest request) {
        return timed(metadataHop(request, null, (status, reason, headers, body) -> {
            protocol.checkDeleted(request, status, reason, headers, body);
            return Boolean.TRUE;
        }).then());
    }

    /**
     * A write ({@code POST}) answered with a JSON document: repeated only when the request certainly did
     * not reach the server ({@link Retries#runWrite}), and never redirected (a redirect answer is an error:
     * a moved write would have to be re-sent, which only the caller may decide).
     */
    public <T> Mono<T> write(ApiRequest request, Decoder<T> decoder) {
        return timed(retries.runWrite(attempts -> {
            if (attempts.made() > 1) {
                metrics.retried();
            }
            return metadataHop(request, null, decoder);
        }).next());
    }

    /** A GET for a JSON document: redirects followed, failures retried per policy. */
    public <T> Mono<T> json(ApiRequest request, Decoder<T> decoder) {
        return timed(retries.run(attempts -> {
            if (attempts.made() > 1) {
                metrics.retried();
            }
            return metadataHop(request, newChain(request), decoder);
        }).next());
    }

    private <T> Mono<T> timed(Mono<T> call) {
        if (metrics == ClientMetrics.NONE) {
            return call;
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            // Recorded before the signal travels on, so a caller that saw the result sees the metric.
            return call.doOnSuccess(v -> metrics.metadataLatency(System.nanoTime() - start, true))
                    .doOnError(e -> metrics.metadataLatency(System.nanoTime() - start, false));
        });
    }

    /** One request and the redirects it leads to; {@code visited} null: redirects are not followed. */
    private <T> Flux<T> metadataHop(ApiRequest request, List<URI> visited, Decoder<T> decoder) {
        return exchange.execute(request, (status, reason, headers, body) -> {
            if (visited != null && protocol.isRedirect(status)) {
                return follow(request, status, headers, body, visited, next -> metadataHop(next, visited, decoder));
            }
            boolean success = status >= 200 && status <= 299;
            int cap = success ? protocol.maxMetadataBytes() : RecordingsProtocol.MAX_ERROR_BODY_BYTES;
            ContentCoding coding = protocol.contentCoding(headers);
            Flux<ByteBuf> readable;
            if (!success) {
                readable = errorBody(request, status, headers, body);
            } else if (coding == null) {
                return Mono.error(protocol.unsupportedCoding(request, status, headers));
            } else if (coding == ContentCoding.IDENTITY) {
                if (protocol.contentLength(headers) > cap) {
                    return Mono.error(protocol.bodyTooLarge(request, status, cap));
                }
                readable = body;
            } else {
                // The cap holds for the decoded document: a small coded body may inflate past it.
                readable = Bodies.decoded(body, coding, protocol.contentLength(headers), request, status, protocol);
            }
            return Bodies.collect(readable, cap, !success, () -> protocol.bodyTooLarge(request, status, cap),
                    bytes -> Mono.fromCallable(() -> decoder.decode(status, reason, headers, bytes)));
        });
    }

    // ------------------------------------------------------------------ audio

    /** Where a download stands across its attempts; signals are serial, so plain fields suffice. */
    private static final class Download {
        ApiRequest current;
        /** The range asked for; null: the whole recording. */
        final ByteRange range;
        long emitted;
        /** Absolute offsets of the first byte delivered and of the last (-1: to the end), once answered. */
        long first;
        long last = -1;
        /** The recording's length, -1 if unknown. */
        long total = -1;
        String validator;
        boolean started;
        /** Whether {@link #onHead} was told: from then on the answer is fixed, and every retry resumes it. */
        boolean headSent;

        final DownloadProgress progress;
        final Consumer<OpenedAudio.Head> onHead;
        /** The call's attempts, told of every delivered buffer: progress buys the body a resume budget of its own. */
        Retries.Attempts attempts;

        Download(ApiRequest request, ByteRange range, DownloadProgress progress, Consumer<OpenedAudio.Head> onHead) {
            this.current = request;
            this.range = range;
            this.progress = progress;
            this.onHead = onHead;
        }

        void emitted(long n) {
            emitted += n;
            if (n > 0) {
                attempts.progressed();
            }
            if (progress != null) {
                progress.delivered(n);
            }
        }
    }

    /**
     * The public download: owned heap copies of the body.
     *
     * @param progress        told of the total and of every delivered buffer; null for none
     * @param notFoundWindow  how long after the start a 404 is retried (media not there yet); zero: never
     */
    public Flux<ByteBuffer> download(ApiRequest request, DownloadProgress progress, Duration notFoundWindow) {
        return download(request, progress, notFoundWindow, Bodies.COPY);
    }

    /**
     * A download whose elements are made by {@code chunks}: the same attempts, resumes, checks,
     * redirects, progress and metrics whatever the element. With {@link Bodies#RETAIN} every
     * element is a retained {@link ByteBuf} that the subscriber must release (also the ones it
     * receives after cancelling); elements dropped on the way are released here.
     */
    public <T> Flux<T> download(ApiRequest request, DownloadProgress progress, Duration notFoundWindow,
            Bodies.Chunks<T> chunks) {
        return download(request, null, progress, notFoundWindow, chunks, null);
    }

    /**
     * A download of {@code range} (null: the whole recording): the exact bytes asked for, whether
     * the server answers 206 or ignores the range, and resumed within it.
     *
     * @param onHead told once, on the transport's thread, when the first answer is accepted and
     *               before any of its bytes; from then on a failed attempt is resumed (with
     *               {@code If-Range}) even before the first byte, so the body matches the head
     *               already reported. Null for none.
     */
    public <T> Flux<T> download(ApiRequest request, ByteRange range, DownloadProgress progress,
            Duration notFoundWindow, Bodies.Chunks<T> chunks, Consumer<OpenedAudio.Head> onHead) {
        return chunks.guard(Flux.defer(() -> {
            Download d = new Download(request, range, progress, onHead);
            if (progress != null) {
                progress.started();
            }
            metrics.downloadStarted();
            Flux<T> attempts = retries.run(attempt -> {
                d.attempts = attempt;
                // Nothing delivered yet: start afresh (a plain GET, no validator to honour);
                // otherwise ask for the rest only.
                d.started = d.emitted > 0 || d.headSent;
                if (attempt.made() > 1) {
                    if (d.started) {
                        metrics.resumed();
                    } else {
                        metrics.retried();
                    }
                }
                ApiRequest next;
                if (d.started) {
                    next = protocol.resumeFrom(d.current, d.first + d.emitted, d.last, d.validator);
                } else {
                    next = d.range == null ? d.current : protocol.ranged(d.current, d.range);
                }
                return mediaHop(d, next, newChain(next), chunks);
            });
            Flux<T> all = notFoundWindow.isZero() ? attempts : attempts.retryWhen(notFoundWindow(d, notFoundWindow));
            if (metrics == ClientMetrics.NONE) {
                return all;
            }
            // Before the signal travels on (unlike doFinally), so a caller that saw the end sees the metric.
            return all.doOnComplete(() -> metrics.downloadCompleted(d.emitted))
                    .doOnError(e -> metrics.downloadFailed(d.emitted))
                    .doOnCancel(() -> metrics.downloadFailed(d.emitted));
        }));
    }

    /**
     * Headers first: emits an {@link OpenedAudio} once the first answer of a
     * {@link #download(ApiRequest, ByteRange, DownloadProgress, Duration, Bodies.Chunks, Consumer)
     * download} is accepted, before any of its bytes is read; the download's errors before that
     * fail the Mono. Cancelling the Mono before it emits cancels the download; a response whose
     * body is not subscribed within {@code unreadTimeout} closes itself.
     */
    public Mono<AudioResponse> open(ApiRequest request, ByteRange range, Duration notFoundWindow, Duration unreadTimeout) {
        return Mono.create(sink -> {
            OpenedAudio audio = new OpenedAudio(sink, unreadTimeout, timer.get());
            download(request, range, null, notFoundWindow, Bodies.COPY, audio::head).subscribe(audio);
        });
    }

    /** Retries a 404 that arrives before any byte, with the policy's backoff, until the window closes. */
    private Retry notFoundWindow(Download d, Duration window) {
        Scheduler scheduler = timer.get();
        long deadline = scheduler.now(TimeUnit.MILLISECONDS) + window.toMillis();
        return Retry.from(signals -> signals.concatMap(signal -> {
            Throwable e = signal.failure();
            long now = scheduler.now(TimeUnit.MILLISECONDS);
            if (!(e instanceof NotFoundException) || d.emitted > 0 || now >= deadline) {
                return Mono.error(e);
            }
            long backoff = Math.min(retries.policy().maxDelay().toMillis(),
                    retries.policy().baseDelay().toMillis() << Math.min(signal.totalRetries(), 20));
            return Mono.delay(Duration.ofMillis(Math.max(1, Math.min(backoff, deadline - now))), scheduler);
        }));
    }

    /**
     * Polls metadata until the recording is {@code completed}, with backoff (0.5 s doubling to
     * 10 s); a 404 meanwhile counts as "not yet". Fails with {@link RecordingNotReadyException}
     * at once for {@code absent}/{@code failed}, or when {@code max} has passed.
     */
    public Mono<Recording> awaitCompleted(ApiRequest request, Duration max) {
        return Mono.defer(() -> {
            Scheduler scheduler = timer.get();
            long deadline = scheduler.now(TimeUnit.MILLISECONDS) + max.toMillis();
            Recording[] last = {null};
            return fetch(request)
                    .onErrorResume(NotFoundException.class, e -> Mono.empty())
                    .flatMap(r -> {
                        last[0] = r;
                        if (r.isCompleted()) {
                            return Mono.just(r);
                        }
                        if (r.status() == RecordingStatus.ABSENT || r.status() == RecordingStatus.FAILED) {
                            return Mono.error(notReady(request, r, "is " + r.rawStatus()));
                        }
                        return Mono.empty();
                    })
                    .repeatWhenEmpty(polls -> polls.concatMap(i -> {
                        long now = scheduler.now(TimeUnit.MILLISECONDS);
                        if (now >= deadline) {
                            return Mono.error(notReady(request, last[0], "was not completed within " + max));
                        }
                        long backoff = Math.min(10_000, 500L << Math.min(i, 10));
                        return Mono.delay(Duration.ofMillis(Math.min(backoff, deadline - now)), scheduler);
                    }));
        });
    }

    private static RecordingNotReadyException notReady(ApiRequest request, Recording last, String what) {
        String status = last == null ? "never found" : "last " + last.rawStatus();
        return new RecordingNotReadyException(request.describe() + ": the recording " + what + " (" + status
                + (last != null && last.errorCode() != null ? ", error code " + last.errorCode() : "") + ")",
                last == null ? null : last.status(), last == null ? null : last.errorCode());
    }

    private <T> Flux<T> mediaHop(Download d, ApiRequest request, List<URI> visited, Bodies.Chunks<T> chunks) {
        return exchange.execute(request, (status, reason, headers, transportBody) -> {
            Flux<ByteBuf> body = chunks.shield(transportBody);
            if (protocol.isRedirect(status)) {
                return follow(request, status, headers, body, visited, next -> {
                    d.current = next; // resume where the bytes actually come from
                    return mediaHop(d, next, visited, chunks);
                });
            }
            if (!protocol.isAudio(status, headers)) {
                return Bodies.collect(errorBody(request, status, headers, body), RecordingsProtocol.MAX_ERROR_BODY_BYTES,
                        true, () -> null, bytes -> Mono.<T>error(protocol.error(request, status, reason, headers, bytes)));
            }
            ContentCoding coding = protocol.contentCoding(headers);
            if (coding == null) {
                return Mono.error(protocol.unsupportedCoding(request, status, headers));
            }
            Continuation window;
            LongFunction<Throwable> endedBeforeStart;
            if (!d.started) {
                RangeAnswer answer;
                try {
                    answer = protocol.rangeAnswer(request, d.range, status, headers);
                } catch (ApiException e) {
                    return Mono.error(e);
                }
                d.started = true;
                d.validator = protocol.resumeValidator(headers);
                d.first = answer.first();
                // A whole download resumes "from here to the end", whatever length was announced.
                d.last = d.range == null ? -1 : answer.last();
                d.total = answer.total();
                long length = answer.length();
                if (d.progress != null) {
                    d.progress.total(length);
                }
                if (d.onHead != null) {
                    d.headSent = true;
                    d.onHead.accept(new OpenedAudio.Head(headers.get("Content-Type"), length, headers.get("ETag"),
                            protocol.lastModified(headers), answer.contentRange()));
                }
                window = new Continuation(answer.skip(), answer.expectedLength(), answer.deliver());
                endedBeforeStart = received -> protocol.rangeNotSatisfiable(request, d.range, status, received);
            } else {
                long offset = d.first + d.emitted;
                try {
                    window = protocol.continuation(request, status, headers, offset, d.last, d.total, d.validator);
                } catch (ContentChangedException e) {
                    return Mono.error(e);
                }
                endedBeforeStart = received -> new ContentChangedException(request.describe()
                        + ": the recording changed: the server sent it whole again with " + received
                        + " bytes, fewer than the " + offset + " already delivered");
            }
            // Audio is never handed on still coded: a gzip or deflate body is decoded as it streams, and
            // every offset above (skip, deliver, resume) counts decoded bytes.
            Flux<ByteBuf> audio = coding == ContentCoding.IDENTITY ? body : chunks.shield(Bodies.decoded(transportBody,
                    coding, protocol.contentLength(headers), request, status, protocol));
            return Bodies.stream(audio, window, endedBeforeStart, request, protocol, d::emitted, chunks);
        });
    }

    /**
     * An error body as far as it can be read, for its code and message: decoded when in gzip or
     * deflate; nothing when in another coding, or where it stops decoding. The status alone
     * already says what the error is, so a coding never turns it into another one.
     */
    private Flux<ByteBuf> errorBody(ApiRequest request, int status, HeaderLookup headers, Flux<ByteBuf> body) {
        ContentCoding coding = protocol.contentCoding(headers);
        if (coding == ContentCoding.IDENTITY) {
            return body;
        }
        if (coding == null) {
            return Flux.empty();
        }
        return Bodies.decoded(body, coding, protocol.contentLength(headers), request, status, protocol)
                .onErrorResume(UnexpectedResponseException.class, undecodable -> Flux.empty());
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
