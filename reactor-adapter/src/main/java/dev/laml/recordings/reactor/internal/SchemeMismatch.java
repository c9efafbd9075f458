package dev.laml.recordings.reactor.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.http.HttpResources;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Tells a plain-HTTP client that the server at the other end speaks TLS ({@code http://} given for an {@code https}
 * port), so that the failure says so and is not retried: the next attempt would meet the same server.
 *
 * <p>Two signs, because TLS servers differ in how they meet a plain request:
 * <ul>
 *   <li>Some answer with TLS bytes (an alert record): the first bytes of the connection are a TLS record header
 *       ({@code 15 03 0x} or {@code 16 03 0x}) where {@code HTTP/} was expected. Netty's HTTP decoder would skip
 *       most of them as control characters and report only a premature close, so {@link Sniffer} looks at the
 *       first bytes of every plain connection, before the decoder, and then removes itself.</li>
 *   <li>Most (every Netty server, Java's, many proxies) close the connection without a byte. That looks exactly
 *       like a server that crashed before answering, which is worth retrying; only asking the server tells them
 *       apart. So when a plain connection that never received a byte is closed or reset before any response,
 *       {@link #probe} opens one more connection, sends a TLS ClientHello (made by the JDK's TLS engine; no
 *       request, no credentials) and reads the first bytes of the answer: a TLS record means the server speaks
 *       TLS. Anything else (a close, an HTTP error, silence until the probe's timeout) leaves the original failure
 *       as it was, retried as before.</li>
 * </ul>
 * The reverse (plain HTTP spoken to {@code https://}) needs no help: Netty's TLS handler reports the first bytes
 * that are not a TLS record as {@code NotSslRecordException}, which {@link Transport} words.
 *
 * <p>Stateless and thread-safe.
 */
final class SchemeMismatch {

    static final String NAME = "laml.schemeSniffer";

    /** Set on a plain connection once its first bytes arrived: it spoke, so a later close says nothing of TLS. */
    private static final AttributeKey<Boolean> READ = AttributeKey.valueOf("laml.schemeSniffer.read");

    /** How long the probe waits for its connection and the server's first bytes. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private SchemeMismatch() {
    }

    /**
     * The first bytes of a plain connection were a TLS record. Neither an {@code IOException} nor a
     * {@code DecoderException}, so that nothing on the way takes it for a broken connection; no stack trace.
     */
    static final class SpeaksTls extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SpeaksTls(String firstBytes) {
            super("a TLS record (" + firstBytes + ") where an HTTP response was expected", null, false, false);
        }
    }

    /**
     * Whether {@code bytes} start with a TLS record header: content type 20 to 24 (change_cipher_spec, alert,
     * handshake, application_data, heartbeat), then a protocol version 3.0 to 3.4. An HTTP response starts with
     * {@code HTTP/}, never with these control bytes.
     */
    static boolean isTlsRecord(ByteBuf bytes) {
        int at = bytes.readerIndex();
        if (bytes.readableBytes() < 3) {
            return false;
        }
        int type = bytes.getUnsignedByte(at);
        return type >= 0x14 && type <= 0x18 && bytes.getUnsignedByte(at + 1) == 3 && bytes.getUnsignedByte(at + 2) <= 4;
    }

    /**
     * Adds the sniffer in front of the HTTP codec of a new plain connection: not over TLS (the TLS handler reads the
     * bytes first), nor through a proxy (the first bytes are the proxy's); idempotent.
     */
    static void install(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NAME) == null && pipeline.get(NettyPipeline.HttpCodec) != null
                && pipeline.get(SslHandler.class) == null && pipeline.get(ProxyHandler.class) == null
                && channel.attr(READ).get() == null) {
            pipeline.addBefore(NettyPipeline.HttpCodec, NAME, Sniffer.INSTANCE);
        }
    }

    /**
     * Whether {@code channel} is a plain connection on which nothing ever arrived: the only kind whose close before
     * a response may come from a TLS server. A pooled connection that carried an answer before is not one.
     */
    static boolean silent(Channel channel) {
        return channel != null && channel.attr(READ).get() == Boolean.FALSE;
    }

    /** Looks at the first read of a plain connection, then leaves the pipeline. Sharable: it keeps no state. */
    @ChannelHandler.Sharable
    static final class Sniffer extends ChannelInboundHandlerAdapter {
        static final Sniffer INSTANCE = new Sniffer();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().attr(READ).setIfAbsent(Boolean.FALSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes) || !bytes.isReadable()) {
                ctx.fireChannelRead(msg);
                return;
            }
            ctx.channel().attr(READ).set(Boolean.TRUE);
            ctx.pipeline().remove(this);
            if (isTlsRecord(bytes)) {
                String first = ByteBufUtil.hexDump(bytes, bytes.readerIndex(), Math.min(5, bytes.readableBytes()));
                ReferenceCountUtil.release(msg);
                ctx.fireExceptionCaught(new SpeaksTls(first.replaceAll("(..)(?!$)", "$1 ")));
                ctx.close();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Asks {@code host:port} whether it speaks TLS: one connection, on {@code loops}, carrying a ClientHello; true
     * when the first bytes of the answer are a TLS record. False on any other answer, on a failure, and after
     * {@link #PROBE_TIMEOUT}; never an error. The connection is closed once the first bytes are in.
     */
    static Mono<Boolean> probe(LoopResources loops, String host, int port) {
        return Mono.defer(() -> {
            byte[] hello;
            try {
                hello = clientHello(host, port);
            } catch (Exception cannotMakeOne) {
                return Mono.just(false);
            }
            return TcpClient.newConnection()
                    .runOn(loops != null ? loops : HttpResources.get())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) PROBE_TIMEOUT.toMillis())
                    .host(host)
                    .port(port)
                    .connect()
                    .flatMap(connection -> connection.outbound().sendByteArray(Mono.just(hello)).then()
                            .then(connection.inbound().receive().next().map(SchemeMismatch::isTlsRecord))
                            .doFinally(signal -> connection.dispose()))
                    .timeout(PROBE_TIMEOUT)
                    .onErrorReturn(false)
                    .defaultIfEmpty(false);
        });
    }

    /** The first flight of a TLS client, as the JDK's engine writes it for {@code host} (with SNI for a name). */
    static byte[] clientHello(String host, int port) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, port);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        engine.closeOutbound();
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }
}
