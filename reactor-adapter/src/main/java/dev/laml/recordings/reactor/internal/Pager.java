package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.protocol.ApiRequest;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A recordings list as a lazy, demand-driven {@code Flux}: a page is requested only when the
 * subscriber has outstanding demand and every recording of the previous page has been handed
 * over. So {@code take(3)} with a page size of 50 sends one request, and a subscriber that stops
 * requesting stops the paging.
 *
 * <pre>
 *  request(n) ─▶ [buffer empty, next page known] ─▶ GET page ─▶ onNext × min(n, page) ─▶ …
 *  request(0) ─▶ no request is sent, however many pages remain
 * </pre>
 *
 * <p>Every signal goes through one drain loop (work-in-progress counter), so page arrivals,
 * requests and cancellation never interleave their emissions.
 */
public final class Pager {

    private Pager() {
    }

    /**
     * @param first    the first page's request
     * @param fetch    fetches one page
     * @param nextPage the request for the page a response announced
     */
    public static Flux<Recording> list(ApiRequest first, Function<ApiRequest, Mono<RecordingPage>> fetch,
            BiFunction<ApiRequest, String, ApiRequest> nextPage) {
        return items(first, fetch, RecordingPage::recordings, RecordingPage::nextPageUri, nextPage);
    }

    /**
     * The same lazy paging over any list (transcriptions, ...): {@code items} and {@code nextPageUri} read a page.
     *
     * @param first       the first page's request
     * @param fetch       fetches one page
     * @param items       a page's items
     * @param nextPageUri a page's {@code next_page_uri}, null on the last
     * @param nextPage    the request for the page a response announced
     */
    public static <T, P> Flux<T> items(ApiRequest first, Function<ApiRequest, Mono<P>> fetch,
            Function<P, List<T>> items, Function<P, String> nextPageUri,
            BiFunction<ApiRequest, String, ApiRequest> nextPage) {
        return Flux.create(sink -> new State<>(sink, first, fetch, items, nextPageUri, nextPage).start());
    }

    private static final class State<T, P> {
        private final FluxSink<T> sink;
        private final Function<ApiRequest, Mono<P>> fetch;
        private final Function<P, List<T>> items;
        private final Function<P, String> nextPageUri;
        private final BiFunction<ApiRequest, String, ApiRequest> nextPage;
        private final AtomicInteger wip = new AtomicInteger();
        // The demand counted here, not read from sink.requestedFromDownstream(): Flux.create's buffering sink counts a
        // recording as delivered only when its own drain hands it on, which another thread may be doing (the one that
        // requested), so right after the last recording the subscriber asked for, the sink still reports demand and
        // a page past take(n) was fetched for nobody (seen under load: 'list --limit 3' sent a second request).
        private final AtomicLong demand = new AtomicLong();
        private final Deque<T> buffer = new ArrayDeque<>();
        // Guarded by the drain loop (wip) or set before the next drain through it.
        private ApiRequest next;
        private volatile boolean fetching;
        private volatile Throwable error;
        private volatile boolean cancelled;
        private volatile Disposable inFlight;
        private volatile P arrived;

        State(FluxSink<T> sink, ApiRequest first, Function<ApiRequest, Mono<P>> fetch, Function<P, List<T>> items,
                Function<P, String> nextPageUri, BiFunction<ApiRequest, String, ApiRequest> nextPage) {
            this.sink = sink;
            this.next = first;
            this.fetch = fetch;
            this.items = items;
            this.nextPageUri = nextPageUri;
            this.nextPage = nextPage;
        }

        void start() {
            sink.onRequest(n -> {
                demand.getAndAccumulate(n, (had, more) -> had + more < 0 ? Long.MAX_VALUE : had + more);
                drain();
            });
            sink.onDispose(() -> {
                cancelled = true;
                Disposable d = inFlight;
                if (d != null) {
                    d.dispose();
                }
            });
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                if (cancelled) {
                    buffer.clear();
                    return;
                }
                P page = arrived;
                if (page != null) {
                    arrived = null;
                    buffer.addAll(items.apply(page));
                    ApiRequest current = next;
                    String uri = nextPageUri.apply(page);
                    try {
                        next = uri != null ? nextPage.apply(current, uri) : null;
                    } catch (RuntimeException refused) {
                        error = refused;
                    }
                    fetching = false;
                }
                while (demand.get() > 0 && !buffer.isEmpty() && !cancelled) {
                    if (demand.get() != Long.MAX_VALUE) {
                        demand.decrementAndGet();
                    }
                    sink.next(buffer.poll());
                }
                if (buffer.isEmpty() && !fetching) {
                    if (error != null) {
                        sink.error(error);
                        return;
                    }
                    if (next == null) {
                        sink.complete();
                        return;
                    }
                    // Not after a cancel: a subscriber that cancels from onNext on a page's last recording (as
                    // take(n) does when n ends a page) may leave demand unconsumed, and the next page would be
                    // fetched for nobody.
                    if (demand.get() > 0 && !cancelled) {
                        fetching = true;
                        ApiRequest request = next;
                        Disposable d = fetch.apply(request)
                                .switchIfEmpty(Mono.error(() -> new IllegalStateException("a page request completed without a page")))
                                .subscribe(p -> {
                                    arrived = p;
                                    drain();
                                }, e -> {
                                    error = e;
                                    fetching = false;
                                    drain();
                                });
                        inFlight = d;
                        if (cancelled) {
                            d.dispose(); // a cancel that raced this fetch found no inFlight to dispose
                        }
                    }
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
