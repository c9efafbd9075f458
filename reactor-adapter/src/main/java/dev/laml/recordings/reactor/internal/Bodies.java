package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Turns Reactor Netty's inbound {@link ByteBuf}s into what callers may keep.
 *
 * <p>Reactor Netty releases each inbound buffer as soon as {@code onNext} returns, so nothing
 * here hands out a view of one: bodies are either copied into owned {@link ByteBuffer}s one by
 * one as demand arrives (audio), or accumulated up to a cap (metadata and error bodies). Bodies
 * arrive already guarded by {@link Exchange}'s demand-aware idle timeout.
 */
public final class Bodies {

    private Bodies() {
    }

    /**
     * Streams an audio body as owned buffers, checking its length against
     * {@code expectedLength} (-1: unknown) and dropping its first {@code skip} bytes (a server
     * that ignored a resume's range sends the whole body again). Demand passes straight through
     * (no prefetch), so a subscriber that stops requesting stops the socket reads; the idle
     * timeout only runs while demand is outstanding.
     *
     * <p>A body that ends short of, or runs past, its length, breaks in transfer or goes idle
     * ends in the protocol's {@code IncompleteBodyException}; it never completes normally.
     * {@code emitted} hears of every byte handed downstream, so a retry knows where to resume.
     */
    public static Flux<ByteBuffer> stream(Flux<ByteBuf> body, long expectedLength, long skip, ApiRequest request,
            RecordingsProtocol protocol, LongConsumer emitted) {
        LengthCounter counter = new LengthCounter(expectedLength, skip, request, protocol, emitted);
        return body.<ByteBuffer>handle(counter::copy)
                .onErrorMap(Transport::isTransportFailure,
                        e -> protocol.incompleteBody(request, counter.received, expectedLength, e))
                .concatWith(Mono.defer(counter::verifyAtEnd));
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
    private static final class LengthCounter {
        private final long expected;
        private final ApiRequest request;
        private final RecordingsProtocol protocol;
        private final LongConsumer emitted;
        private long toSkip;
        long received;

        LengthCounter(long expected, long skip, ApiRequest request, RecordingsProtocol protocol, LongConsumer emitted) {
            this.expected = expected;
            this.toSkip = skip;
            this.request = request;
            this.protocol = protocol;
            this.emitted = emitted;
        }

        void copy(ByteBuf buf, SynchronousSink<ByteBuffer> sink) {
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
            ByteBuffer owned = ByteBuffer.allocate(len);
            buf.getBytes(from, owned);
            owned.flip();
            emitted.accept(len);
            sink.next(owned);
        }

        Mono<ByteBuffer> verifyAtEnd() {
            if (expected >= 0 && received != expected) {
                return Mono.error(protocol.incompleteBody(request, received, expected, null));
            }
            return Mono.empty();
        }
    }
}
