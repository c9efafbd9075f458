package dev.laml.recordings.reactor;

import org.reactivestreams.Publisher;
import org.testng.SkipException;

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
 * multi-subscribe rules (§1.11) do not apply to such a unicast publisher and are skipped, with
 * that reason; they, and the {@code untested_*} methods, are the only skips allowed.
 */
public class AudioBodyTckTest extends ChunkedBodyTck {

    @Override
    protected java.util.Set<String> skipsWithAReason() {
        return java.util.Set.of(
                "optional_spec111_maySupportMultiSubscribe",
                "optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals",
                "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne",
                "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront",
                "optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected");
    }

    /**
     * Why the multi-subscribe rules are not run: the TCK would leave its first subscriber, which
     * never requests, holding the response, whose queued buffers nobody then releases.
     */
    private static final String UNICAST = "a body is one HTTP response: unicast, a second subscriber gets onError";

    @Override
    public void optional_spec111_maySupportMultiSubscribe() throws Throwable {
        throw new SkipException(UNICAST);
    }

    @Override
    public void optional_spec111_registeredSubscribersMustReceiveOnNextOrOnCompleteSignals() throws Throwable {
        throw new SkipException(UNICAST);
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingOneByOne() throws Throwable {
        throw new SkipException(UNICAST);
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfront() throws Throwable {
        throw new SkipException(UNICAST);
    }

    @Override
    public void optional_spec111_multicast_mustProduceTheSameElementsInTheSameSequenceToAllOfItsSubscribersWhenRequestingManyUpfrontAndCompleteAsExpected() throws Throwable {
        throw new SkipException(UNICAST);
    }

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return client().open(URI.create(baseUrl() + "/chunks/" + elements)).block(Duration.ofSeconds(10)).body();
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        AudioResponse closed = client().open(URI.create(baseUrl() + "/chunks/1")).block(Duration.ofSeconds(10));
        closed.close();
        return closed.body();
    }
}
