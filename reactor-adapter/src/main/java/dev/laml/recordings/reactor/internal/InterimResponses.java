package dev.laml.recordings.reactor.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.net.ProtocolException;

/**
 * Reads past interim (1xx) responses, so that the request's answer is the final response that follows them.
 *
 * <p>Why: RFC 9110 (15.2) requires a client to parse one or more 1xx responses before the final one, "even if the
 * client does not expect one"; a server or CDN may send {@code 103 Early Hints}, or {@code 100 Continue} to a request
 * that did not ask for it. Netty's decoder parses a 1xx head (never with content) and then the next response, but
 * Reactor Netty takes the first head it sees as the answer, so the client reported "HTTP 103" as the server's error
 * (found by {@code SocketFuzzTest}; {@code FuzzRegressionsTest.interimResponsesBeforeTheAnswerAreReadPast}). Here,
 * right after the codec and {@link MalformedResponses}, a well-formed 1xx head and its empty last content are
 * dropped. The response timeout still runs until the final head, so an endless stream of 1xx ends there.
 *
 * <p>{@code 101 Switching Protocols} is a malformed answer: this client never asks to switch (RFC 9110 15.2.2: a
 * server must not switch to a protocol the request did not name in {@code Upgrade}), and after it nothing on the
 * connection is HTTP any more. It is marked like a decoder failure ({@link MalformedResponses.Malformed}), so it
 * ends in a {@link dev.laml.recordings.MalformedResponseException}, and the connection is closed: pooled, it would
 * hand the next request's answer to a decoder that no longer parses HTTP (found by {@code SocketFuzzTest};
 * {@code FuzzRegressionsTest.anUnaskedSwitchOfProtocolsIsMalformedAndItsConnectionIsNotReused}).
 *
 * <p>One instance per connection (it remembers whether it is inside an interim response); used on the connection's
 * event loop only.
 */
final class InterimResponses extends ChannelInboundHandlerAdapter {

    static final String NAME = "laml.interimResponses";

    /** Inside an interim response: its (empty) content is dropped up to its last part. */
    private boolean skipping;

    private InterimResponses() {
    }

    /** Adds the handler after {@link MalformedResponses} (or the HTTP codec) of a new connection; idempotent. */
    static void install(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NAME) != null) {
            return;
        }
        String after = pipeline.get(MalformedResponses.NAME) != null ? MalformedResponses.NAME
                : pipeline.get(reactor.netty.NettyPipeline.HttpCodec) != null ? reactor.netty.NettyPipeline.HttpCodec : null;
        if (after != null) {
            pipeline.addAfter(after, NAME, new InterimResponses());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
                && response.status().code() == 101) {
            response.setDecoderResult(DecoderResult.failure(new MalformedResponses.Malformed("status line or headers",
                    new ProtocolException("101 Switching Protocols, but the request asked for no upgrade"))));
            skipping = false;
            ctx.fireChannelRead(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // A head may come with its content in one message (a full response); otherwise the content follows.
            skipping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (skipping && msg instanceof HttpContent content && content.decoderResult().isSuccess()) {
            skipping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        skipping = false;
        ctx.fireChannelRead(msg);
    }
}
