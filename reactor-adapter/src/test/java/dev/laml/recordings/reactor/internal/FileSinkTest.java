package dev.laml.recordings.reactor.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file writer on its own, over a disk that can be slow, write little at a time or fail:
 * one buffer in flight, every retained buffer released exactly once, the file published whole
 * or not at all, and {@code force} only when durable.
 */
class FileSinkTest {

    @TempDir
    Path dir;

    /** Every buffer a test made; each must end released (refCnt 0). */
    private final List<ByteBuf> made = new ArrayList<>();

    @AfterEach
    void everyBufferWasReleased() throws InterruptedException {
        awaitUntil(() -> made.stream().allMatch(b -> b.refCnt() == 0), "every buffer released");
    }

    private ByteBuf direct(byte[] bytes) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        b.writeBytes(bytes);
        made.add(b);
        return b;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] out = new byte[n];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void writesEveryKindOfBufferThroughItsOwnViewsDespitePartialWrites() throws IOException {
        byte[] a = bytes(100_000, 1);
        byte[] b = bytes(70_000, 2);
        byte[] c1 = bytes(30_000, 3);
        byte[] c2 = bytes(50_000, 4);
        byte[] d = bytes(20_000, 5);
        // Two components (released with it): direct, then heap.
        CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer()
                .addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(c1))
                .addComponent(true, Unpooled.wrappedBuffer(c2));
        made.add(composite);
        assertThat(composite.nioBufferCount()).as("written as two views").isEqualTo(2);
        ByteBuf heap = Unpooled.wrappedBuffer(b);
        made.add(heap);
        // A buffer whose readable bytes start past index 0 (as a slice of a larger read does).
        ByteBuf offset = direct(d);
        offset.readerIndex(7_000);
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Opener disk = new InstrumentedChannel.Opener(0, 16 * 1024, 0, target);

        StepVerifier.create(FileSink.write(Flux.just(direct(a), heap, composite, offset), target, true, FileSink.NETTY, disk))
                .expectNext((long) a.length + b.length + c1.length + c2.length + d.length - 7_000)
                .verifyComplete();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        expected.write(c1);
        expected.write(c2);
        expected.write(d, 7_000, d.length - 7_000);
        assertThat(Files.readAllBytes(target)).isEqualTo(expected.toByteArray());
        assertThat(disk.opened.writes.get()).as("partial writes were continued").isGreaterThan(5);
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void requestsTheNextBufferOnlyAfterThePreviousWasWrittenAndReleased() {
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Opener slowDisk = new InstrumentedChannel.Opener(3, 8 * 1024, 0, target);
        List<ByteBuf> emitted = new CopyOnWriteArrayList<>();
        List<Long> requests = new CopyOnWriteArrayList<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<ByteBuf> source = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            source.add(direct(bytes(20_000, i)));
        }
        Flux<ByteBuf> watched = Flux.fromIterable(source)
                .doOnRequest(n -> {
                    requests.add(n);
                    for (ByteBuf b : emitted) {
                        if (b.refCnt() != 0) {
                            violations.add("request(" + n + ") while buffer " + emitted.indexOf(b) + " was still held");
                        }
                    }
                })
                .doOnNext(emitted::add);

        StepVerifier.create(FileSink.write(watched, target, false, FileSink.NETTY, slowDisk))
                .expectNext(20L * 20_000)
                .verifyComplete();

        assertThat(requests).as("one buffer at a time").containsOnly(1L).hasSizeGreaterThanOrEqualTo(20);
        assertThat(violations).isEmpty();
        assertThat(slowDisk.opened.maxInFlight.get()).as("writes in flight at once").isEqualTo(1);
    }

    @ParameterizedTest(name = "durable={0}")
    @ValueSource(booleans = {true, false})
    void forcesBeforeTheMoveOnlyWhenDurable(boolean durable) throws IOException {
        Path target = dir.resolve("out.wav");
        Files.writeString(target, "old");
        InstrumentedChannel.Opener disk = new InstrumentedChannel.Opener(0, Integer.MAX_VALUE, 0, dir.resolve("never"));
        byte[] data = bytes(300_000, 9);

        StepVerifier.create(FileSink.write(Flux.just(direct(data)), target, durable, FileSink.NETTY, disk))
                .expectNext((long) data.length)
                .verifyComplete();

        assertThat(disk.opened.forces.get()).isEqualTo(durable ? 1 : 0);
        assertThat(Files.readAllBytes(target)).isEqualTo(data);
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void theForceComesBeforeTheTargetAppears() {
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Opener disk = new InstrumentedChannel.Opener(0, Integer.MAX_VALUE, 0, target);

        StepVerifier.create(FileSink.write(Flux.just(ByteBuffer.wrap(bytes(1000, 3))), target, true, FileSink.NIO, disk))
                .expectNext(1000L)
                .verifyComplete();

        assertThat(disk.opened.forces.get()).isEqualTo(1);
        assertThat(disk.opened.targetExistedAtForce).isFalse();
        assertThat(target).exists();
    }

    @Test
    void heapByteBuffersStillWorkAndAreLeftToTheCaller() throws IOException {
        byte[] a = bytes(50_000, 1);
        byte[] b = bytes(60_000, 2);
        Path target = dir.resolve("out.wav");

        StepVerifier.create(FileSink.write(Flux.just(ByteBuffer.wrap(a), ByteBuffer.wrap(b)), target))
                .expectNext(110_000L)
                .verifyComplete();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);
        assertThat(Files.readAllBytes(target)).isEqualTo(expected.toByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"before the disk starts", "while the disk reports back", "between partial writes"})
    void cancellingDuringAWriteDeletesTheTempFileAndReleasesTheBufferOnceTheWriteIsOver(String when) throws Exception {
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Gate disk = new InstrumentedChannel.Gate();
        InstrumentedChannel.Opener slowDisk = switch (when) {
            // The write then meets a closed channel and fails.
            case "before the disk starts" -> new InstrumentedChannel.Opener(500, Integer.MAX_VALUE, 0, target);
            // The write succeeds; its completion arrives after the cancel.
            case "while the disk reports back" -> new InstrumentedChannel.Opener(500, Integer.MAX_VALUE, 0, target)
                    .delayingCompletion();
            // Likewise, with bytes of the buffer left to write, which must not be.
            default -> new InstrumentedChannel.Opener(500, 1000, 0, target).delayingCompletion();
        };
        slowDisk.heldBy(disk); // the disk's step waits until the test lets it go
        ByteBuf first = direct(bytes(10_000, 1));
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<ByteBuf> source = Flux.concat(Flux.just(first), Flux.<ByteBuf>never()).doOnCancel(() -> cancelled.set(true));

        Disposable d = FileSink.write(source, target, true, FileSink.NETTY, slowDisk).subscribe();
        // The gate holds the write's start, or (delayed completion) its report once the real write
        // is done: cancelling earlier would close the channel under a real write still running,
        // which then fails at once and rightly releases the buffer before the assertion below.
        awaitUntil(() -> slowDisk.opened != null && slowDisk.opened.writes.get() == 1 && disk.holding() == 1,
                "the first write started and is held");
        d.dispose();

        awaitUntil(cancelled::get, "the source cancelled");
        awaitUntil(() -> filesIn(dir) == 0, "temp file deleted");
        assertThat(first.refCnt()).as("still owned by the write in progress").isEqualTo(1);
        disk.open();
        awaitUntil(() -> first.refCnt() == 0, "the buffer released after its write ended");
        assertThat(slowDisk.opened.writes.get()).as("nothing written after the cancel").isEqualTo(1);
        assertThat(target).doesNotExist();
    }

    @Test
    void aFailedWriteFailsTheSinkCancelsTheSourceAndReleasesEverything() throws IOException {
        Path target = dir.resolve("out.wav");
        Files.writeString(target, "keep");
        InstrumentedChannel.Opener failing = new InstrumentedChannel.Opener(0, Integer.MAX_VALUE, 3, target);
        AtomicBoolean cancelled = new AtomicBoolean();
        List<ByteBuf> source = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            source.add(direct(bytes(1000, i)));
        }

        StepVerifier.create(FileSink.write(Flux.fromIterable(source).doOnCancel(() -> cancelled.set(true)),
                        target, true, FileSink.NETTY, failing))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("disk full"))
                .verify(Duration.ofSeconds(5));

        assertThat(cancelled).isTrue();
        assertThat(Files.readString(target)).isEqualTo("keep");
        assertThat(filesIn(dir)).isEqualTo(1);
        // Never emitted, never the sink's: released here, so the after-each check is about what the sink saw.
        source.subList(3, 10).forEach(ByteBuf::release);
    }

    @Test
    void anUpstreamErrorWaitsForTheWriteInFlightThenDeletesTheTempFile() throws Exception {
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Opener slowDisk = new InstrumentedChannel.Opener(200, Integer.MAX_VALUE, 0, target);
        ByteBuf first = direct(bytes(10_000, 1));
        Flux<ByteBuf> source = Flux.concat(Flux.just(first), Flux.error(new IOException("connection reset")));

        StepVerifier.create(FileSink.write(source, target, true, FileSink.NETTY, slowDisk))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessage("connection reset");
                    assertThat(slowDisk.opened.completedWrites.get()).as("the write had ended first").isEqualTo(1);
                    assertThat(first.refCnt()).isZero();
                })
                .verify(Duration.ofSeconds(5));

        awaitUntil(() -> filesIn(dir) == 0, "temp file deleted");
    }

    @Test
    void buffersArrivingAfterCancellationOrBeyondDemandAreReleasedNotWritten() throws Exception {
        Path target = dir.resolve("out.wav");
        InstrumentedChannel.Opener slowDisk = new InstrumentedChannel.Opener(200, Integer.MAX_VALUE, 0, target);
        TestPublisher<ByteBuf> source = TestPublisher.createNoncompliant(
                TestPublisher.Violation.REQUEST_OVERFLOW, TestPublisher.Violation.DEFER_CANCELLATION);

        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Disposable d = FileSink.write(source, target, true, FileSink.NETTY, slowDisk).subscribe(v -> { }, errors::add);
        awaitUntil(source::wasSubscribed, "subscribed once the temp file exists");
        source.assertMinRequested(1);
        ByteBuf first = direct(bytes(1000, 1));
        ByteBuf overflow = direct(bytes(1000, 2));
        source.next(first, overflow); // the second one was not requested
        assertThat(overflow.refCnt()).as("released at once, not written").isZero();
        source.assertCancelled();

        awaitUntil(() -> !errors.isEmpty(), "the overflow reported after the write in flight");
        assertThat(errors.get(0)).hasMessageContaining("requested one buffer at a time");
        assertThat(slowDisk.opened.writes.get()).isEqualTo(1);

        ByteBuf late = direct(bytes(1000, 3));
        source.next(late);
        assertThat(late.refCnt()).as("after the sink finished").isZero();
        d.dispose();
        awaitUntil(() -> filesIn(dir) == 0, "temp file deleted");
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(Condition condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError(what, e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
