package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.ContentDecoder;
import dev.laml.recordings.protocol.RecordingsProtocol;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SynchronousSink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.zip.ZipException;

/**
 * Turns Reactor Netty's inbound {@link ByteBuf}s into what callers may keep.
 *
 * <p>Reactor Netty releases each inbound buffer as soon as {@code onNext} returns, so nothing
 * here hands out a plain view of one: audio is turned chunk by chunk, as demand arrives, into
 * either owned {@link ByteBuffer} copies ({@link #COPY}, the public {@code download}) or
 * <em>retained</em> slices that the subscriber must release ({@link #RETAIN}, for
 * {@code downloadTo}, which hands them to the file without copying); metadata and error bodies
 * are accumulated up to a cap. Bodies arrive already guarded by {@link Exchange}'s
 * demand-aware idle timeout.
 */
public final class Bodies {

    /**
     * How a chunk of an audio body becomes the element handed downstream. Two implementations
     * only, so the call in the per-chunk path stays cheap (bimorphic at worst); both stateless
     * and thread-safe. No argument or result is ever null.
     *
     * @param <T> the element type
     */
    public interface Chunks<T> {

        /**
         * Turns {@code len} bytes of {@code buf} from index {@code from} (never 0 bytes) into an
         * element that stays valid after {@code buf} is released by the transport.
         */
        T take(ByteBuf buf, int from, int len);

        /**
         * Called once per download on the stream of elements, outermost: makes sure elements
         * that an operator drops on the way (a discard) are not leaked.
         */
        <R> Flux<R> guard(Flux<R> elements);

        /**
         * Called once per response on the transport's raw body, before anything reads it:
         * keeps {@link #guard}'s measures away from buffers the transport releases itself.
         */
        Flux<ByteBuf> shield(Flux<ByteBuf> body);
    }

    /** Owned heap copies: valid forever, nothing to release. */
    public static final Chunks<ByteBuffer> COPY = new Chunks<>() {
        @Override
        public ByteBuffer take(ByteBuf buf, int from, int len) {
            ByteBuffer owned = ByteBuffer.allocate(len);
            buf.getBytes(from, owned);
            owned.flip();
            return owned;
        }

        @Override
        public <R> Flux<R> guard(Flux<R> elements) {
            return elements;
        }

        @Override
        public Flux<ByteBuf> shield(Flux<ByteBuf> body) {
            return body;
        }
    };

    /**
     * Retained slices of the inbound buffers: no copy, but each element holds a reference to
     * (pooled, usually direct) transport memory, which its subscriber must release exactly
     * once. An element an operator drops before it reaches the subscriber is released through
     * Reactor's discard hook ({@link #guard}). That hook travels up the subscription
     * (context) to every operator of the download, including those that see the transport's
     * own buffers, which Reactor Netty releases after {@code onNext}; releasing one of those
     * too would be a double release, so {@link #shield} removes the hook from the raw body's
     * subscription. The operators in between (the slicing {@code handle}, the idle timeout)
     * never discard.
     */
    public static final Chunks<ByteBuf> RETAIN = new Chunks<>() {
        @Override
        public ByteBuf take(ByteBuf buf, int from, int len) {
            return buf.retainedSlice(from, len);
        }

        @Override
        public <R> Flux<R> guard(Flux<R> elements) {
            return elements.doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
        }

        @Override
        public Flux<ByteBuf> shield(Flux<ByteBuf> body) {
            return DISCARD_KEY == null ? body : body.contextWrite(ctx -> ctx.delete(DISCARD_KEY));
        }
    };

    /**
     * The context key of Reactor's discard hook, which Reactor does not publish; found the way
     * Reactor Netty finds it (its {@code MonoSendMany}): the only key of a context that has
     * nothing but a hook. Null if a future Reactor stored it otherwise (then nothing is
     * removed, and {@link #RETAIN} relies on the raw-body operators never discarding).
     */
    private static final Object DISCARD_KEY = Operators.enableOnDiscard(null, ignored -> { })
            .stream().findAny().map(Map.Entry::getKey).orElse(null);

    private Bodies() {
    }

    /**
     * Streams an audio body as elements made by {@code chunks}, checking its length against
     * {@code expectedLength} (-1: unknown) and dropping its first {@code skip} bytes (a server
     * that ignored a resume's range sends the whole body again). Demand passes straight through
     * (no prefetch), so a subscriber that stops requesting stops the socket reads; the idle
     * timeout only runs while demand is outstanding.
     *
     * <p>A body that ends short of, or runs past, its length, breaks in transfer or goes idle
     * ends in the protocol's {@code IncompleteBodyException}; it never completes normally.
     * {@code emitted} hears of every byte handed downstream, so a retry knows where to resume.
     *
     * <p>The idle timeout ({@link Exchange}) watches the raw body, before the chunks are made:
     * it may drop an element that arrives after it fired, which for the transport's buffers is
     * harmless (the transport releases them), but would leak a retained slice. Demand is the
     * same on both sides of the {@code handle} (a chunk it swallows while skipping is replaced
     * by a request of one), so the timeout still only counts while the subscriber waits.
     */
    public static <T> Flux<T> stream(Flux<ByteBuf> body, long expectedLength, long skip, ApiRequest request,
            RecordingsProtocol protocol, LongConsumer emitted, Chunks<T> chunks) {
        return stream(body, new Continuation(skip, expectedLength), received -> protocol.incompleteBody(request,
                received, expectedLength < 0 ? skip : expectedLength, null), request, protocol, emitted, chunks);
    }

    /**
     * As {@link #stream(Flux, long, long, ApiRequest, RecordingsProtocol, LongConsumer, Chunks)},
     * after the window's {@code skip}, handing on at most its {@code deliver} bytes: once they are
     * out the stream completes and the rest of the body is not read (the connection is closed,
     * not reused: it still carries unread bytes).
     *
     * @param endedBeforeStart the error for a body that ended (after that many bytes) before the
     *                         skipped bytes were through
     */
    public static <T> Flux<T> stream(Flux<ByteBuf> body, Continuation window, LongFunction<Throwable> endedBeforeStart,
            ApiRequest request, RecordingsProtocol protocol, LongConsumer emitted, Chunks<T> chunks) {
        long expectedLength = window.expectedLength();
        LengthCounter<T> counter = new LengthCounter<>(expectedLength, window.skip(), window.deliver(), request,
                protocol, emitted, chunks, endedBeforeStart);
        return body.<T>handle(counter::take)
                .onErrorMap(Transport::isTransportFailure,
                        e -> protocol.incompleteBody(request, counter.received, expectedLength, e,
                                Transport.reason(request.uri(), e)))
                .concatWith(Mono.defer(counter::verifyAtEnd));
    }

    /** Decoded bytes handed on per piece: the most one element of a coded body holds. */
    static final int DECODED_PIECE = 64 * 1024;

    /**
     * The decoded bytes of a body in a content coding (gzip or deflate), as buffers that are
     * valid only during {@code onNext}, as the transport's own are: to be fed to
     * {@link #stream} or {@link #collect}, which copy or retain what they keep.
     *
     * <p>Streamed, never whole: each coded chunk is copied (the transport releases it after
     * {@code onNext}) and decoded in pieces of at most {@value #DECODED_PIECE} bytes, each made
     * when downstream asks for it, and the next coded chunk is requested only once the last one
     * is used up (no prefetch), so demand still reaches the socket and a chunk that inflates a
     * thousandfold is never held decoded. The coded bytes are counted against
     * {@code codedLength}; a transfer that breaks is the protocol's
     * {@code IncompleteBodyException} (counting coded bytes). A stream that does not decode, or
     * that the body ends before its end, is the protocol's {@code undecodableBody}. The decoder's
     * native memory is freed however the stream ends.
     *
     * @param codedLength the body's {@code Content-Length} (coded bytes), -1 when unknown
     */
    public static Flux<ByteBuf> decoded(Flux<ByteBuf> body, RecordingsProtocol.ContentCoding coding, long codedLength,
            ApiRequest request, int status, RecordingsProtocol protocol) {
        return Flux.using(() -> new ContentDecoder(coding), decoder -> {
            long[] received = {0};
            Flux<byte[]> coded = body.<byte[]>handle((buf, sink) -> {
                int n = buf.readableBytes();
                if (codedLength >= 0 && received[0] + n > codedLength) {
                    sink.error(protocol.incompleteBody(request, received[0] + n, codedLength, null));
                    return;
                }
                received[0] += n;
                if (n > 0) {
                    byte[] copy = new byte[n];
                    buf.getBytes(buf.readerIndex(), copy);
                    sink.next(copy);
                }
            }).onErrorMap(Transport::isTransportFailure, e -> protocol.incompleteBody(request, received[0], codedLength, e,
                    Transport.reason(request.uri(), e)));
            return coded.concatMap(bytes -> pieces(decoder, bytes, request, status, protocol), 0)
                    .concatWith(Mono.defer(() -> {
                        if (codedLength >= 0 && received[0] != codedLength) {
                            return Mono.error(protocol.incompleteBody(request, received[0], codedLength, null));
                        }
                        try {
                            decoder.finish();
                            return Mono.empty();
                        } catch (ZipException e) {
                            return Mono.error(protocol.undecodableBody(request, status, coding, e));
                        }
                    }));
        }, ContentDecoder::close);
    }

    /** The decoded pieces of one coded chunk, each made on demand; released once handed on. */
    private static Flux<ByteBuf> pieces(ContentDecoder decoder, byte[] coded, ApiRequest request, int status,
            RecordingsProtocol protocol) {
        return Flux.generate(() -> {
            decoder.feed(coded);
            return decoder;
        }, (ContentDecoder d, SynchronousSink<ByteBuf> sink) -> {
            byte[] piece;
            try {
                piece = d.read(DECODED_PIECE);
            } catch (ZipException e) {
                sink.error(protocol.undecodableBody(request, status, d.coding(), e));
                return d;
            }
            if (piece == null) {
                sink.complete();
                return d;
            }
            // Emitted synchronously: by the time next returns, downstream has copied or retained it.
            ByteBuf buf = Unpooled.wrappedBuffer(piece);
            try {
                sink.next(buf);
            } finally {
                buf.release();
            }
            return d;
        });
    }

    /** Reads and discards a body (a redirect's), at most {@code cap} bytes; past that the connection is closed. */
    public static Mono<Void> drain(Flux<ByteBuf> body, int cap) {
        long[] seen = {0};
        return body.<Void>handle((buf, sink) -> {
            seen[0] += buf.readableBytes();
            if (seen[0] > cap) {
                sink.complete();
            }
        }).then();
    }

    /**
     * Reads a whole body into memory, at most {@code cap} bytes, then continues with
     * {@code then}. Past the cap, either the bytes so far are used ({@code truncate}: for error
     * bodies, whose first bytes are enough to interpret them) or the {@code tooLarge} error is
     * signalled.
     *
     * <p>Why a continuation rather than {@code collect(...).flatMap(...)}: {@code Mono.flatMap}
     * waits for downstream demand before it takes the collected value, so an error derived from
     * it would never reach a subscriber that has not requested. Errors need no demand, so the
     * continuation is subscribed as soon as the body ends.
     */
    public static <T> Mono<T> collect(Flux<ByteBuf> body, int cap, boolean truncate,
            Supplier<? extends Throwable> tooLarge, Function<byte[], ? extends Mono<T>> then) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(cap, 1024));
        return body.<byte[]>handle((buf, sink) -> {
                    int n = buf.readableBytes();
                    int room = cap - out.size();
                    if (n > room) {
                        if (truncate) {
                            append(out, buf, room);
                            sink.complete();
                        } else {
                            sink.error(tooLarge.get());
                        }
                        return;
                    }
                    append(out, buf, n);
                })
                .then(Mono.defer(() -> then.apply(out.toByteArray())));
    }

    private static void append(ByteArrayOutputStream out, ByteBuf buf, int n) {
        byte[] chunk = new byte[n];
        buf.readBytes(chunk);
        out.write(chunk, 0, n);
    }

    /** Per-response state of {@link #stream}; signals are serial, so plain fields suffice. */
    private static final class LengthCounter<T> {
        private final long expected;
        private final ApiRequest request;
        private final RecordingsProtocol protocol;
        private final LongConsumer emitted;
        private final Chunks<T> chunks;
        private final LongFunction<Throwable> endedBeforeStart;
        private long toSkip;
        /** Bytes still to hand on; -1: all of the body. */
        private long remaining;
        long received;

        LengthCounter(long expected, long skip, long deliver, ApiRequest request, RecordingsProtocol protocol,
                LongConsumer emitted, Chunks<T> chunks, LongFunction<Throwable> endedBeforeStart) {
            this.expected = expected;
            this.toSkip = skip;
            this.remaining = deliver;
            this.endedBeforeStart = endedBeforeStart;
            this.request = request;
            this.protocol = protocol;
            this.emitted = emitted;
            this.chunks = chunks;
        }

        void take(ByteBuf buf, SynchronousSink<T> sink) {
            int n = buf.readableBytes();
            if (expected >= 0 && received + n > expected) {
                sink.error(protocol.incompleteBody(request, received + n, expected, null));
                return;
            }
            received += n;
            int from = buf.readerIndex();
            int len = n;
            if (toSkip > 0) {
                int skipped = (int) Math.min(toSkip, len);
                toSkip -= skipped;
                from += skipped;
                len -= skipped;
                if (len == 0) {
                    return; // handle() requests a replacement
                }
            }
            boolean last = false;
            if (remaining >= 0 && len >= remaining) {
                len = (int) remaining;
                last = true;
            }
            if (remaining >= 0) {
                remaining -= len;
            }
            emitted.accept(len);
            // Made last, so that nothing can throw between taking a reference and handing it on.
            sink.next(chunks.take(buf, from, len));
            if (last) {
                sink.complete(); // cancels the body: the bytes after the range are never read
            }
        }

        Mono<T> verifyAtEnd() {
            if (remaining == 0) {
                return Mono.empty();
            }
            if (toSkip > 0) {
                return Mono.error(endedBeforeStart.apply(received));
            }
            if (expected >= 0 && received != expected) {
                return Mono.error(protocol.incompleteBody(request, received, expected, null));
            }
            return Mono.empty();
        }
    }
}
