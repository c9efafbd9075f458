package dev.laml.recordings.reactor;

import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A recording's audio answer whose status and headers are in and checked, and whose body has
 * not been read yet: what a service needs to answer its own client (length, type, validators,
 * range) before the first byte. Emitted by {@link RecordingsClient#open}.
 *
 * <pre>{@code
 * client.open(MediaRequest.of(accountSid, recordingSid, AudioFormat.MP3).range(ByteRange.of(0, 65_535)))
 *       .flatMapMany(audio -> {
 *           response.setContentLength(audio.contentLength());   // before any byte
 *           return audio.body();
 *       })
 * }</pre>
 *
 * <p><b>One body, one owner.</b> {@link #body()} may be subscribed once; until it is, the
 * response holds a connection (the socket is not read: nothing is buffered but what one read
 * brought in). Either subscribe to the body or {@link #close()} the response; a response whose
 * body is not subscribed within the client's idle timeout (30 s by default) closes itself, so a
 * forgotten one cannot hold its connection for ever. {@code close()} after the body was
 * subscribed does nothing (cancel the body's subscription instead), so try-with-resources is
 * always safe.
 *
 * <p>The headers describe what {@link #body()} emits. When a server ignored the asked range and
 * sent the whole recording, the client cuts the asked bytes out of it: {@link #contentLength()}
 * and {@link #contentRange()} then describe those bytes, not the server's body.
 *
 * <p><b>Thread-safety.</b> Safe to use from any thread; the header accessors are immutable values.
 * {@link #body()} follows the Reactive Streams rules for its one subscriber.
 */
public interface AudioResponse extends AutoCloseable {

    /** The {@code Content-Type} as the server sent it (e.g. {@code audio/mpeg}); null when it sent none. */
    @Nullable String contentType();

    /** How many bytes {@link #body()} emits; -1 when unknown (a chunked answer). */
    long contentLength();

    /** The {@code ETag} as the server sent it, quotes and any {@code W/} included; null when absent. */
    @Nullable String etag();

    /** The {@code Last-Modified} time; null when absent or not an HTTP date. */
    @Nullable Instant lastModified();

    /**
     * Which part of the recording {@link #body()} emits, for a request with a {@link ByteRange};
     * null for the whole recording (and for a range from an offset to the end when the server
     * ignored the range and gave no length, so that the end is unknown).
     */
    @Nullable ContentRange contentRange();

    /**
     * The body, streamed exactly as {@link RecordingsClient#download} streams: owned heap
     * buffers, demand passed to the socket, a broken transfer resumed within the asked range
     * (with {@code If-Range}, so a changed recording fails with
     * {@link dev.laml.recordings.ContentChangedException} instead of mixing versions), and a body
     * short of its length failed with {@link dev.laml.recordings.IncompleteBodyException}.
     * Cancelling the subscription closes the connection.
     *
     * <p>May be subscribed once: a second subscription, or one after {@link #close()} or after
     * the response closed itself unread, fails with {@link IllegalStateException}. Never null.
     */
    Flux<ByteBuffer> body();

    /**
     * Releases the connection without reading the body. Idempotent; does nothing once
     * {@link #body()} has been subscribed. Never throws.
     */
    @Override
    void close();
}
