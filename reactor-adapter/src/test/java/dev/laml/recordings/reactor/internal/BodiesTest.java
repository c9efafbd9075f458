package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Bodies#stream} with retained slices: the same bytes, length checks and skipping as the
 * copies, no copy, and the discard hook confined to the slices.
 *
 * <p>The "transport" here is a list of buffers the test owns (one reference each, released
 * after each test), standing in for Reactor Netty's inbound buffers, which it releases itself
 * after {@code onNext}. A buffer whose count is above 1 at the end is still held by a slice;
 * one at 0 was released by someone who did not own it.
 */
class BodiesTest {

    private static final RecordingsProtocol PROTOCOL =
            RecordingsProtocol.builder(ApiEndpoint.of(URI.create("http://127.0.0.1:9"), false)).build();
    private static final ApiRequest REQUEST = PROTOCOL.media(URI.create("http://127.0.0.1:9/media/a.wav"));

    private final List<ByteBuf> transport = new ArrayList<>();

    @AfterEach
    void releaseTheTransportsReferences() {
        transport.forEach(ByteBuf::release);
    }

    /** Chunks of 10 bytes: 0..9, 10..19, ... */
    private Flux<ByteBuf> chunks(int count) {
        for (int c = 0; c < count; c++) {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(10);
            for (int i = 0; i < 10; i++) {
                b.writeByte(c * 10 + i);
            }
            transport.add(b);
        }
        return Flux.fromIterable(transport);
    }

    private static <T> Flux<T> stream(Flux<ByteBuf> body, long expected, long skip, AtomicLong emitted, Bodies.Chunks<T> chunks) {
        return Bodies.stream(body, expected, skip, REQUEST, PROTOCOL, emitted::addAndGet, chunks);
    }

    @Test
    void retainedSlicesHoldTheBodysBytesAfterTheSkipSharingTheTransportsMemory() {
        AtomicLong emitted = new AtomicLong();
        List<ByteBuf> slices = stream(chunks(3), 30, 15, emitted, Bodies.RETAIN).collectList().block(Duration.ofSeconds(5));

        assertThat(slices).hasSize(2);
        assertThat(ByteBufUtil.getBytes(slices.get(0))).containsExactly(15, 16, 17, 18, 19);
        assertThat(ByteBufUtil.getBytes(slices.get(1))).containsExactly(20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
        assertThat(emitted).hasValue(15);
        assertThat(transport.get(0).refCnt()).as("a chunk skipped whole is not retained").isEqualTo(1);
        assertThat(transport.get(1).refCnt()).as("retained by its slice").isEqualTo(2);
        assertThat(transport.get(2).refCnt()).isEqualTo(2);
        // No copy: the slice reads the transport buffer's memory.
        transport.get(2).setByte(0, 99);
        assertThat(slices.get(1).getByte(slices.get(1).readerIndex())).isEqualTo((byte) 99);

        slices.forEach(ByteBuf::release);
        assertThat(transport).allMatch(b -> b.refCnt() == 1);
    }

    @Test
    void copiesAndSlicesCarryTheSameBytes() {
        List<ByteBuffer> copies = stream(chunks(4), 40, 3, new AtomicLong(), Bodies.COPY).collectList().block(Duration.ofSeconds(5));
        List<ByteBuf> slices = stream(Flux.fromIterable(transport), 40, 3, new AtomicLong(), Bodies.RETAIN)
                .collectList().block(Duration.ofSeconds(5));

        List<Byte> fromCopies = new ArrayList<>();
        copies.forEach(b -> {
            while (b.hasRemaining()) {
                fromCopies.add(b.get());
            }
        });
        List<Byte> fromSlices = new ArrayList<>();
        slices.forEach(b -> {
            for (byte x : ByteBufUtil.getBytes(b)) {
                fromSlices.add(x);
            }
            b.release();
        });
        assertThat(fromSlices).hasSize(37).isEqualTo(fromCopies);
        assertThat(transport).allMatch(b -> b.refCnt() == 1);
    }

    @Test
    void aBodyThatRunsPastItsLengthFailsWithoutRetainingTheChunkThatOverflowed() {
        List<ByteBuf> received = new ArrayList<>();
        StepVerifier.create(stream(chunks(3), 25, 0, new AtomicLong(), Bodies.RETAIN))
                .recordWith(() -> received)
                .expectNextCount(2)
                .expectError(IncompleteBodyException.class)
                .verify(Duration.ofSeconds(5));

        received.forEach(ByteBuf::release);
        assertThat(transport).allMatch(b -> b.refCnt() == 1);
    }

    @Test
    void slicesDroppedOnTheWayAreReleasedAndTheTransportsOwnBuffersAreNot() {
        Flux<ByteBuf> raw = chunks(4);
        // An operator that discards on the raw side, as Reactor's operators may: those buffers are
        // the transport's to release, so the guard's hook must not reach them (the shield's job).
        Flux<ByteBuf> rawWithDrops = raw.filter(b -> b != transport.get(1));
        // And one that discards slices between the stream and its subscriber: the guard's job.
        Flux<ByteBuf> slices = Bodies.RETAIN.guard(
                stream(Bodies.RETAIN.shield(rawWithDrops), -1, 0, new AtomicLong(), Bodies.RETAIN)
                        .filter(b -> b.getByte(b.readerIndex()) != 20));

        List<ByteBuf> kept = slices.collectList().block(Duration.ofSeconds(5));

        assertThat(kept).hasSize(2);
        assertThat(transport.get(1).refCnt()).as("dropped raw: not released by the hook").isEqualTo(1);
        assertThat(transport.get(2).refCnt()).as("dropped slice: released by the hook").isEqualTo(1);
        kept.forEach(ByteBuf::release);
        assertThat(transport).allMatch(b -> b.refCnt() == 1);
    }
}
