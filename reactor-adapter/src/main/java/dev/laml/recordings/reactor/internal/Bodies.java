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
import java.util.function.Supplier;

/**
 * Turns Reactor Netty's inbound {@link ByteBuf}s into what callers may keep.
 *
 * <p>Reactor Netty releases each inbound buffer as soon as {@code onNext} returns, so nothing
 * here hands out a view of one: bodies are either copied into owned {@link ByteBuffer}s one by
 * one as demand arrives (audio), or accumulated up to a cap (metadata and error bodies).
 */
public final class Bodies {

    private Bodies() {
    }

    /**
     * Streams an audio body as owned buffers, checking its length against
     * {@code expectedLength} (-1: unknown). Demand passes straight through (no prefetch), so a
     * subscriber that stops requesting stops the socket reads.
     *
     * <p>A body that ends short of, or runs past, its length, or breaks in transfer, ends in the
     * protocol's {@code IncompleteBodyException}; it never completes normally.
     */
    public static Flux<ByteBuffer> stream(Flux<ByteBuf> body, long expectedLength, ApiRequest request,
            RecordingsProtocol protocol) {
        LengthCounter counter = new LengthCounter(expectedLength, request, protocol);
        return body.<ByteBuffer>handle(counter::copy)
                .onErrorMap(Transport::isTransportFailure,
                        e -> protocol.incompleteBody(request, counter.received, expectedLength, e))
                .concatWith(Mono.defer(counter::verifyAtEnd));
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
        long received;

        LengthCounter(long expected, ApiRequest request, RecordingsProtocol protocol) {
            this.expected = expected;
            this.request = request;
            this.protocol = protocol;
        }

        void copy(ByteBuf buf, SynchronousSink<ByteBuffer> sink) {
            int n = buf.readableBytes();
            if (expected >= 0 && received + n > expected) {
                sink.error(protocol.incompleteBody(request, received + n, expected, null));
                return;
            }
            ByteBuffer owned = ByteBuffer.allocate(n);
            buf.getBytes(buf.readerIndex(), owned);
            owned.flip();
            received += n;
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
