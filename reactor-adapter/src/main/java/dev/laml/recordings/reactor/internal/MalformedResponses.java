package dev.laml.recordings.reactor.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import reactor.netty.NettyPipeline;

import javax.net.ssl.SSLException;

/**
 * Marks every failure of the HTTP response decoder, so that it can be told apart from everything
 * else on its way to the caller, and closes the connection it happened on.
 *
 * <p>Why a handler: Netty's {@code HttpObjectDecoder} reports a response it cannot parse as a
 * message whose {@code DecoderResult} failed, with whatever the parser threw as the cause:
 * {@code IllegalArgumentException} (a negative or duplicated {@code Content-Length}, control
 * bytes in a header), {@code NumberFormatException} (a status code or chunk size that is not a
 * number), {@code TooLongHttpHeaderException}. Reactor Netty passes that cause on as it is, so by
 * the time it reaches {@link Transport} an {@code IllegalArgumentException} from the server's bytes
 * looks like one from a bug. Here, right after the codec, the origin is certain: the cause is
 * wrapped in {@link Malformed}, which {@link Transport} turns into a
 * {@link dev.laml.recordings.MalformedResponseException} with the original as its cause.
 *
 * <p>Why close: after a failure the decoder discards every later byte of the connection, so a
 * connection returned to the pool would swallow the next request's response until its response
 * timeout, and bytes left over from a previous answer must never be read as the next one.
 * Reactor Netty (1.3) does not reuse such a connection either, as {@code MalformedResponsesTest}
 * shows; closing it here keeps that true whatever a later version does, also for a failure that
 * arrives while no request is in flight (excess bytes on an idle kept-alive connection).
 *
 * <p>TLS bytes where a plain response was expected (an {@code http://} URL for a TLS server) are not recognised
 * here but before the codec, by {@link SchemeMismatch}: the decoder skips a TLS alert's control bytes and would
 * report, at best, a premature close.
 *
 * <p>Stateless and {@linkplain ChannelHandler.Sharable sharable}: one instance serves every
 * connection.
 */
@ChannelHandler.Sharable
final class MalformedResponses extends ChannelInboundHandlerAdapter {

    static final String NAME = "laml.malformedResponses";

    private static final MalformedResponses INSTANCE = new MalformedResponses();

    private MalformedResponses() {
    }

    /**
     * The decoder's failure, and in which part of the response it was found; its cause is the
     * decoder's own exception. Deliberately neither an {@code IOException} nor a
     * {@code DecoderException}, which the body and transport mappings would take for a broken
     * connection or a TLS record error. No stack trace: where it was made says nothing.
     */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String part;

        Malformed(String part, Throwable cause) {
            super(part, cause, false, false);
            this.part = part;
        }

        /** "status line or headers", or "body framing". */
        String part() {
            return part;
        }
    }

    /** Adds the handler right after the HTTP codec of a new connection; idempotent. */
    static void install(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NAME) == null && pipeline.get(NettyPipeline.HttpCodec) != null) {
            pipeline.addAfter(NettyPipeline.HttpCodec, NAME, INSTANCE);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && answeredBeforeTheTunnel(ctx, response)) {
            return;
        }
        if (msg instanceof HttpObject http && http.decoderResult().isFailure()
                && !(http.decoderResult().cause() instanceof Malformed)) {
            String part = msg instanceof HttpResponse ? "status line or headers" : "body framing";
            http.setDecoderResult(DecoderResult.failure(new Malformed(part, http.decoderResult().cause())));
            ctx.fireChannelRead(msg);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Refuses what arrives on a proxied connection whose tunnel never opened.
     *
     * <p>Netty's {@code ProxyHandler} decodes the proxy's answer to {@code CONNECT} with its own codec; when that
     * answer fails the handshake (here: {@code 100 Continue}, which it takes for the final answer) it fails the
     * connection, but whatever else its codec had already decoded from the same read (a following
     * {@code 200 Connection established}) it passes on as if the tunnel were open. Reactor Netty took that for the
     * server's answer to the request, which was never sent: a download "succeeded" with no bytes (found by
     * {@code ProxyFuzzTest}; {@code FuzzRegressionsTest.aProxyAnswerAfterAFailedHandshakeIsNeverTakenForTheServers}).
     * So while a proxy handler is present and not connected, a response head fails with the handshake's own
     * exception (the {@code ProxyConnectException}, which {@link Transport} makes a
     * {@link dev.laml.recordings.ProxyException}), and the connection is closed; what follows it is released by
     * Reactor Netty, whose exchange has then failed. Checked once per response head, not per body chunk.
     */
    private static boolean answeredBeforeTheTunnel(ChannelHandlerContext ctx, HttpResponse response) {
        ProxyHandler proxy = ctx.pipeline().get(ProxyHandler.class);
        if (proxy == null || proxy.isConnected()) {
            return false;
        }
        Throwable failed = proxy.connectFuture().cause();
        response.setDecoderResult(DecoderResult.failure(failed != null ? failed
                : new ProxyConnectException("an answer arrived before the proxy opened the tunnel")));
        ctx.fireChannelRead(response);
        ctx.close();
        return true;
    }

    /**
     * A decoder that threw instead of reporting a failed message. TLS record errors pass through
     * here too (the TLS handler sits before the codec) and stay as they are: {@link Transport}
     * treats them as a connection that broke.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && Transport.find(cause, SSLException.class) == null) {
            ctx.fireExceptionCaught(new Malformed("decoding", cause));
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
