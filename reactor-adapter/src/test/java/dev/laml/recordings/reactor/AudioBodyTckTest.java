package dev.laml.recordings.reactor;

import dev.laml.recordings.MediaRequest;
import org.reactivestreams.Publisher;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The Reactive Streams TCK over {@link AudioResponse#body()}: the same server, rules and
 * strictness as {@link DownloadPublisherTckTest} ({@link ChunkedBodyTck}), for the body that {@code open()} hands over
 * after the head (a relay with its own demand and terminal-signal hand-off).
 *
 * <p>A body may be subscribed once (it is one HTTP response); a second subscriber is told so with
 * {@code onError(IllegalStateException)} ({@code OpenTest} proves it). The TCK's optional
 * multi-subscribe rules (§1.11) do not apply to such a unicast publisher: each is replaced by a test of
 * the unicast contract, so only the TCK's {@code untested_*} methods are skipped.
 */
public class AudioBodyTckTest extends ChunkedBodyTck {


    /**
     * The optional multi-subscribe rules (§1.11) assume a publisher that may serve several subscribers; a body is one
     * HTTP response and serves one. Run as the TCK would, they leave a first subscriber that never requests holding
     * the response (and its queued buffers). In their place each proves the unicast contract this publisher has:
     * the first subscriber gets every element and completes, a second one is told {@code onError}
     * ({@link IllegalStateException}) at once.
     */

    @Override
    public void optional_spec111_maySupportMultiSubscribe() throws Throwable {
        unicast();
    }

    @Override
    public void optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals() throws Throwable {
        unicast();
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne() throws Throwable {
        unicast();
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront() throws Throwable {
        unicast();
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected() throws Throwable {
        unicast();
    }

    private void unicast() {
        Publisher<ByteBuffer> body = createPublisher(3);
        reactor.test.StepVerifier.create(reactor.core.publisher.Flux.from(body))
                .expectNextCount(3).verifyComplete();
        reactor.test.StepVerifier.create(reactor.core.publisher.Flux.from(body))
                .expectErrorSatisfies(e -> org.assertj.core.api.Assertions.assertThat(e)
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("once"))
                .verify(Duration.ofSeconds(10));
    }

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return client().open(MediaRequest.of(URI.create(baseUrl() + "/chunks/" + elements))).block(Duration.ofSeconds(10)).body();
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        AudioResponse closed = client().open(MediaRequest.of(URI.create(baseUrl() + "/chunks/1"))).block(Duration.ofSeconds(10));
        closed.close();
        return closed.body();
    }
}
