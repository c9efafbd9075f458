package dev.laml.recordings.reactor;

import org.reactivestreams.Publisher;

import java.net.URI;
import java.nio.ByteBuffer;

/**
 * The Reactive Streams TCK over {@code download(URI)}: every required and every optional rule
 * runs and must pass (see {@link ChunkedBodyTck} for the server and the strictness).
 */
public class DownloadPublisherTckTest extends ChunkedBodyTck {

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return client().download(URI.create(baseUrl() + "/chunks/" + elements));
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return client().download(URI.create(baseUrl() + "/missing"));
    }
}
