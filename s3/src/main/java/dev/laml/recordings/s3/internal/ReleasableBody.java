package dev.laml.recordings.s3.internal;

import org.reactivestreams.Subscriber;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A request body over buffers the uploader owns, which lets go of them once the request is over.
 *
 * <p>Why: the SDK's Netty client keeps each pooled connection's last request (its
 * {@code RequestContext}, and through it the request body) in the channel's attributes until the
 * connection carries another request. With a plain buffer-backed body, every idle connection
 * would keep its last part alive: up to one part per pooled connection, on top of the upload's
 * own bound (measured: a 16 MiB part still reachable after the upload, and after the client was
 * closed). After {@link #release()} the body holds nothing, so the connection holds nothing.
 *
 * <p>Until then it is replayable, as the SDK's retries need: each subscription reads the same
 * buffers from their start. Thread-safe.
 */
final class ReleasableBody implements AsyncRequestBody {

    private final long length;
    private volatile AsyncRequestBody delegate;

    /** Over {@code buffers} (position to limit, {@code length} bytes in all), not copied. */
    ReleasableBody(ByteBuffer[] buffers, long length) {
        this.length = length;
        this.delegate = AsyncRequestBody.fromRemainingByteBuffersUnsafe(buffers);
    }

    @Override
    public Optional<Long> contentLength() {
        return Optional.of(length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
        AsyncRequestBody body = delegate;
        if (body == null) {
            // Only a request still running after its own end (a retry racing a cancellation) gets here.
            Flux.<ByteBuffer>error(new IllegalStateException("request body already released")).subscribe(subscriber);
            return;
        }
        body.subscribe(subscriber);
    }

    /** Drops the buffers: the request is over (succeeded, failed or cancelled). */
    void release() {
        AsyncRequestBody body = delegate;
        delegate = null;
        // The SDK's buffer body also lets go of its buffers and of its subscriptions' when closed.
        if (body instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }
}
