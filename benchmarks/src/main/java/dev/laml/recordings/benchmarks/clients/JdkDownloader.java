package dev.laml.recordings.benchmarks.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java.net.http.HttpClient} (HTTP/1.1, its own unbounded keep-alive pool) with
 * {@code BodyHandlers.ofPublisher()}. Over TLS: its only engine (the JDK's), an
 * {@link javax.net.ssl.SSLContext} that trusts exactly the server's certificate; hostname
 * verification is the client's default (on).
 */
final class JdkDownloader implements Downloader {

    private final URI base;
    private final HttpClient client;

    JdkDownloader(URI base, Trust trust) {
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                // The JDK client's connect timeout also covers the TLS handshake: as long as the
                // other clients' handshake timeout (NettyClients.HANDSHAKE_TIMEOUT); 256 full JDK
                // handshakes at once on a busy 2-core machine took longer than 10 s.
                .connectTimeout(trust == null ? Duration.ofSeconds(10) : NettyClients.HANDSHAKE_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (trust != null) {
            b.sslContext(trust.sslContext());
        }
        this.client = b.build();
    }

    private CompletableFuture<Void> one(HttpRequest request, Sink sink) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher()).thenCompose(response -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            if (response.statusCode() != 200) {
                response.body().subscribe(new Drain());
                done.completeExceptionally(new IllegalStateException("HTTP " + response.statusCode()));
                return done;
            }
            response.body().subscribe(new Flow.Subscriber<List<ByteBuffer>>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(List<ByteBuffer> buffers) {
                    for (int i = 0; i < buffers.size(); i++) {
                        sink.accept(buffers.get(i));
                    }
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    done.complete(null);
                }
            });
            return done;
        });
    }

    @Override
    public long downloadAll(int n, String sid, long size) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(dev.laml.recordings.benchmarks.Fixtures.mediaPath(sid)))
                .header("Accept", "audio/*")
                .GET()
                .build();
        Sink[] sinks = new Sink[n];
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            sinks[i] = new Sink();
            all[i] = one(request, sinks[i]);
        }
        try {
            CompletableFuture.allOf(all).get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
        long acc = 0;
        for (Sink s : sinks) {
            acc ^= s.verify(size);
        }
        return acc;
    }

    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
    }

    private static final class Drain implements Flow.Subscriber<List<ByteBuffer>> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }
}
