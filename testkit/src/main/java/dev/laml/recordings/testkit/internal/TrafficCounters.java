package dev.laml.recordings.testkit.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import reactor.netty.NettyPipeline;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection and byte counters of one server, fed from its channel pipelines. Thread-safe: updated from every event
 * loop, read from test threads.
 *
 * <p>Body bytes are counted when the socket write completes, not when the handler produces them: tests use this
 * number to prove that a server stops producing when the client stops reading, and bytes that merely sit in an
 * outbound buffer would hide exactly the bug they look for.
 */
public final class TrafficCounters {

    private static final String HANDLER_NAME = "laml.testkit.bodyBytes";

    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("laml-testkit", ImmediateEventExecutor.INSTANCE);
    private final ChannelHandler bodyCounter = new BodyByteCounter(bytesWritten);

    /** Hooks a freshly initialised child channel; call after Reactor Netty has installed its HTTP codec. */
    public void onChannelInit(Channel channel) {
        accepted.increment();
        peak.accumulateAndGet(open.incrementAndGet(), Math::max);
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        channels.add(channel); // removes itself on close
        if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
            // Between the codec and the application: sees content, not the encoded header bytes.
            channel.pipeline().addAfter(NettyPipeline.HttpCodec, HANDLER_NAME, bodyCounter);
        } else {
            channel.pipeline().addFirst(HANDLER_NAME, bodyCounter);
        }
    }

    /** Body bytes whose socket write completed. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Connections accepted since the last reset. */
    public long connectionsAccepted() {
        return accepted.sum();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Most connections open at once since the last reset. */
    public int peakConnections() {
        return peak.get();
    }

    /** Zeroes the totals; the peak restarts from the connections open now. */
    public void reset() {
        bytesWritten.reset();
        accepted.reset();
        peak.set(open.get());
    }

    /** Closes every open connection, waiting up to {@code timeout}. */
    public void closeAll(Duration timeout) {
        channels.close().awaitUninterruptibly(timeout.toMillis());
    }

    @ChannelHandler.Sharable
    private static final class BodyByteCounter extends ChannelOutboundHandlerAdapter {
        private final LongAdder sink;

        BodyByteCounter(LongAdder sink) {
            this.sink = sink;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            long bytes = bodyBytes(msg);
            if (bytes > 0) {
                // A void promise takes no listeners; unvoid() gives one that still reports failures to the pipeline.
                promise = promise.unvoid();
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        sink.add(bytes);
                    }
                });
            }
            ctx.write(msg, promise);
        }

        private static long bodyBytes(Object msg) {
            if (msg instanceof ByteBuf buf) {
                return buf.readableBytes();
            }
            if (msg instanceof ByteBufHolder holder) { // HttpContent, FullHttpResponse
                return holder.content().readableBytes();
            }
            if (msg instanceof FileRegion region) {
                return region.count() - region.transferred();
            }
            return 0;
        }
    }
}
