package dev.laml.recordings.benchmarks.server;

import dev.laml.recordings.benchmarks.Fixtures;
import dev.laml.recordings.testkit.internal.ByteRange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A deliberately bare Reactor Netty {@link HttpServer} that answers from memory, so that it is
 * never what a benchmark measures.
 *
 * <ul>
 *   <li>{@code GET /api/laml/2010-04-01/Accounts/{A}/Recordings/{Sid}.mp3|.wav}: {@code 200},
 *       {@code Content-Type: audio/mpeg}, {@code Content-Length}, keep-alive; the body is a slice
 *       of one shared, pre-filled, never-released direct {@link ByteBuf} (no copy, no refcount
 *       contention between event loops). The size is the last 12 hex digits of the Sid
 *       ({@link Fixtures#mediaSid(long)}), at most {@link #PAYLOAD_CAPACITY} bytes, sent over plain
 *       HTTP as one write, over TLS as 64 KiB slices each written only when the connection can take
 *       it ({@code Pacer}). Sids from {@link Fixtures#chunkedMediaSid(long)} are always sent as paced
 *       64 KiB slices (any size; the payload repeats), which lets {@link #bytesWritten()} see progress.
 *       Every media answer carries {@code Accept-Ranges: bytes} and a strong {@code ETag} (the Sid, quoted:
 *       the bytes of a Sid never change), and honours a single {@code Range} (206 with {@code Content-Range},
 *       416 when unsatisfiable) unless an {@code If-Range} names another validator, parsed as the testkit
 *       does; so a client's resume after a broken body is served, not refused. Sids
 *       from {@link Fixtures#closingMediaSid(long)} are answered with {@code Connection: close}
 *       and the server closes the connection after the body, so every such download needs a new
 *       connection (and, over TLS, a new handshake).</li>
 *   <li>{@code GET /api/laml/…/Recordings/{Sid}.json}: the fixed recording document; requires
 *       Basic auth ({@link Fixtures#LAML_AUTHORIZATION}), else 401.</li>
 *   <li>{@code GET /2010-04-01/Accounts/{AC…}/Recordings/{RE…}.json}: the same in Twilio's shape,
 *       for twilio-java; requires {@link Fixtures#TWILIO_AUTHORIZATION}.</li>
 *   <li>{@code GET /tls}: TLS handshakes so far by protocol, cipher suite, ALPN protocol and
 *       whether resumed, one {@code "<count> <what>"} a line.</li>
 *   <li>{@code GET /memory}: the direct memory this process uses, as {@code "<JDK direct buffers> <Netty's
 *       counter>"} in bytes (for diagnosing the server itself).</li>
 *   <li>{@code GET /stats}: bytes written to sockets (counted only when started with write
 *       counting), connections accepted, TLS handshakes completed and how many of those resumed
 *       a session, as {@code "<bytes> <connections> <handshakes> <resumed>"}.</li>
 * </ul>
 *
 * <p>With TLS ({@link BenchServer.Tls#ON}) it serves HTTPS on OpenSSL (BoringSSL) with an EC
 * P-256 certificate generated at start for 127.0.0.1 and localhost, offering {@code h2} and
 * {@code http/1.1} by ALPN (clients that send no ALPN get HTTP/1.1). {@link BenchServer.Tls#WRONG_NAME}
 * presents a certificate for another name, to show that clients verify host names.
 *
 * <p>Runs on its own {@link LoopResources}, never the clients'. {@link #main} runs it as a
 * separate process (what the benchmarks use by default, see {@link BenchServer}): it prints
 * {@code LISTENING <port>} (then, with TLS, {@code CERTIFICATE <base64 of the PEM>}) and exits
 * when its standard input closes.
 */
public final class LoopbackServer implements BenchServer {

    /** Largest body served as one write; the shared payload buffer has this many bytes. */
    public static final int PAYLOAD_CAPACITY = 16 << 20;
    static final int CHUNK = 64 * 1024;

    private final LoopResources loops;
    private final DisposableServer server;
    private final ByteBuf payload;
    private final ByteBuf lamlJson;
    private final ByteBuf twilioJson;
    private final ByteBuf unauthorized;
    private final LongAdder written = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    /** Handshakes by "protocol cipher alpn", for {@code GET /tls}. */
    private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> negotiated = new java.util.concurrent.ConcurrentHashMap<>();
    /** The certificate's PEM; null without TLS. */
    private final String certificatePem;

    private LoopbackServer(int threads, boolean countWrites, Tls tls) {
        byte[] bytes = new byte[PAYLOAD_CAPACITY];
        new SplittableRandom(42).nextBytes(bytes);
        this.payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(PAYLOAD_CAPACITY).writeBytes(bytes));
        this.lamlJson = constant(Fixtures.RECORDING_JSON);
        this.twilioJson = constant(Fixtures.TWILIO_RECORDING_JSON);
        this.unauthorized = constant(("{\"code\":20003,\"message\":\"Authenticate\","
                + "\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}").getBytes(StandardCharsets.UTF_8));
        // One event loop of its own for accepting connections, apart from the `threads` that serve them. Reactor
        // Netty's default puts the listening socket on one of the serving loops, and Netty's epoll transport
        // accepts one connection per wake-up of that loop (AbstractEpollServerChannel.epollInReady stops after one
        // accept: EpollRecvByteAllocatorHandle's "maybe more" test compares the accepted fd with the 1 byte it
        // "attempted"). With hundreds of connections opened at once while that loop also serves bodies, the
        // backlog then drained at one connection per loop iteration: connections waited 30 s or more unaccepted,
        // their handshakes and requests unread, until the clients' timeouts fired (BENCHMARKS.md, MemoryBound over
        // TLS). An idle acceptor wakes for every connection at once.
        this.loops = LoopResources.create("bench-server", 1, threads, true);
        HttpServer http = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .option(ChannelOption.SO_BACKLOG, 8192)
                .doOnChannelInit((observer, channel, remote) -> {
                    connections.increment();
                    channel.pipeline().addFirst(PACER_HANDLER, new PacerWakeUp());
                    if (countWrites) {
                        channel.pipeline().addFirst("bench.writeCounter", new WriteCounter(written));
                    }
                    if (channel.pipeline().get(NettyPipeline.SslHandler) != null) {
                        channel.pipeline().addAfter(NettyPipeline.SslHandler, "bench.handshakes", new HandshakeCounter());
                    }
                })
                .handle(this::handle);
        if (tls != Tls.OFF) {
            X509Bundle certificate = certificate(tls == Tls.WRONG_NAME ? "elsewhere.invalid" : "localhost");
            Http2SslContextSpec spec = Http2SslContextSpec.forServer(certificate.getKeyPair().getPrivate(),
                            certificate.getCertificatePath())
                    .configure(b -> b.sslProvider(SslProvider.OPENSSL));
            // A generous handshake timeout: a thousand handshakes at once on a busy 2-core machine
            // can take longer than the default 10 s, and the server is not what is measured.
            http = http.protocol(HttpProtocol.HTTP11, HttpProtocol.H2)
                    .secure(s -> s.sslContext(spec).handshakeTimeout(Duration.ofSeconds(120)));
            this.certificatePem = certificate.getCertificatePEM();
        } else {
            this.certificatePem = null;
        }
        this.server = http.bindNow(Duration.ofSeconds(10));
    }

    /** Starts a server in this JVM on {@code threads} event loop threads of its own. */
    public static LoopbackServer start(int threads, boolean countWrites, Tls tls) {
        return new LoopbackServer(threads, countWrites, tls);
    }

    /**
     * A self-signed EC P-256 certificate (a CA flag, as pkitesting requires of anything
     * self-signed) for {@code name}; for localhost also for 127.0.0.1 and ::1.
     */
    private static X509Bundle certificate(String name) {
        Instant now = Instant.now();
        CertificateBuilder b = new CertificateBuilder().subject("CN=" + name).ecp256().setIsCertificateAuthority(true)
                .notBefore(now.minus(Duration.ofDays(1))).notAfter(now.plus(Duration.ofDays(7)))
                .addSanDnsName(name).addExtendedKeyUsageServerAuth();
        if (name.equals("localhost")) {
            b.addSanIpAddress("127.0.0.1").addSanIpAddress("::1");
        }
        try {
            return b.buildSelfSigned();
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate the server certificate", e);
        }
    }

    @Override
    public String certificatePem() {
        return certificatePem;
    }

    private static ByteBuf constant(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
    }

    private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (req.method() != HttpMethod.GET) {
            return res.status(HttpResponseStatus.METHOD_NOT_ALLOWED).send();
        }
        if (path.startsWith(Fixtures.API_ROOT)) {
            int r = path.lastIndexOf("/Recordings/");
            if (r < 0) {
                return notFound(res);
            }
            String file = path.substring(r + "/Recordings/".length());
            if (file.endsWith(".json")) {
                return json(req, res, Fixtures.LAML_AUTHORIZATION, lamlJson);
            }
            if (file.endsWith(".mp3") || file.endsWith(".wav")) {
                return media(req, res, file.substring(0, file.length() - 4));
            }
            return notFound(res);
        }
        if (path.startsWith(Fixtures.TWILIO_ROOT) && path.endsWith(".json") && path.contains("/Recordings/")) {
            return json(req, res, Fixtures.TWILIO_AUTHORIZATION, twilioJson);
        }
        if (path.equals("/tls")) {
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain").sendString(Mono.just(tlsSummary()));
        }
        if (path.equals("/memory")) {
            // Direct memory in this process (JDK direct buffers, Netty's own counter): for diagnosing the server.
            long jdk = java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)
                    .stream().filter(b -> b.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed).sum();
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .sendString(Mono.just(jdk + " " + io.netty.util.internal.PlatformDependent.usedDirectMemory()));
        }
        if (path.equals("/stats")) {
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .sendString(Mono.just(written.sum() + " " + connections.sum() + " " + handshakes.sum() + " " + resumed.sum()));
        }
        return notFound(res);
    }

    private Publisher<Void> media(HttpServerRequest req, HttpServerResponse res, String sid) {
        boolean chunked = sid.startsWith(Fixtures.CHUNKED_SID_PREFIX);
        boolean closing = sid.startsWith(Fixtures.CLOSING_SID_PREFIX);
        if (sid.length() != 36 || !(chunked || closing || sid.startsWith(Fixtures.MEDIA_SID_PREFIX))) {
            return notFound(res);
        }
        if (closing) {
            res.keepAlive(false); // Connection: close, and the server closes after the body
        }
        long size;
        try {
            size = Long.parseLong(sid.substring(Fixtures.MEDIA_SID_PREFIX.length()), 16);
        } catch (NumberFormatException e) {
            return notFound(res);
        }
        if (!chunked && size > PAYLOAD_CAPACITY) {
            return notFound(res);
        }
        // The content of a Sid never changes, so a strong validator per Sid: a resume's If-Range matches.
        String etag = '"' + sid + '"';
        String range = req.requestHeaders().get(HttpHeaderNames.RANGE);
        String ifRange = req.requestHeaders().get(HttpHeaderNames.IF_RANGE);
        if (range != null && ifRange != null && !ifRange.trim().equals(etag)) {
            range = null; // RFC 9110 13.1.5: a validator that does not match strongly gets the whole body
        }
        ByteRange byteRange = ByteRange.parse(range, size);
        res.header(HttpHeaderNames.ACCEPT_RANGES, "bytes").header(HttpHeaderNames.ETAG, etag);
        if (byteRange == ByteRange.UNSATISFIABLE) {
            return res.status(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    .header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size)
                    .header(HttpHeaderNames.CONTENT_LENGTH, "0").send();
        }
        long from = 0;
        long to = size;
        if (byteRange.isPartial()) {
            from = byteRange.first();
            to = byteRange.last() + 1;
            res.status(HttpResponseStatus.PARTIAL_CONTENT)
                    .header(HttpHeaderNames.CONTENT_RANGE, "bytes " + from + '-' + byteRange.last() + '/' + size);
        } else {
            res.status(HttpResponseStatus.OK);
        }
        res.header(HttpHeaderNames.CONTENT_TYPE, "audio/mpeg")
                .header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(to - from));
        Channel[] channel = new Channel[1];
        res.withConnection(c -> channel[0] = c.channel());
        Pacer pacer = channel[0] == null || !channel[0].eventLoop().inEventLoop()
                || channel[0].pipeline().get(PacerWakeUp.class) == null ? null
                : new Pacer(channel[0], payload, from, to, chunked);
        if (pacer != null && (chunked || certificatePem != null)) {
            // Over TLS (and for the chunked Sids) the body goes out a slice at a time, each only when the
            // connection can take it: see Pacer for why.
            return res.send(pacer.body());
        }
        if (!chunked) {
            // Plain HTTP: one write of a slice of the shared buffer; nothing is copied or encrypted, so a
            // large write costs no memory and no time on the event loop.
            return res.send(Mono.just(payload.retainedSlice((int) from, (int) (to - from))));
        }
        // HTTP/2 streams (their writability is per stream, not the connection's): slices, as before.
        long first = from;
        long end = to;
        return res.send(Flux.<ByteBuf, long[]>generate(() -> new long[] {first}, (state, sink) -> {
            ByteBuf slice = slice(payload, state[0], end, true);
            state[0] += slice.readableBytes();
            sink.next(slice);
            if (state[0] == end) {
                sink.complete();
            }
            return state;
        }));
    }

    /**
     * The body's bytes from {@code position} to at most the next {@link #CHUNK} boundary (and not past
     * {@code end}), as a retained slice of the shared payload. A Sid's byte at offset {@code o} is always the
     * same, whichever range is asked for: {@code payload[o]} for ordinary Sids, and for the chunked ones (any
     * size) chunk {@code o / CHUNK} is the payload's slice at {@code (o / CHUNK) * CHUNK % (capacity - CHUNK)}.
     */
    static ByteBuf slice(ByteBuf payload, long position, long end, boolean repeating) {
        long chunk = position / CHUNK;
        int within = (int) (position % CHUNK);
        int n = (int) Math.min(CHUNK - within, end - position);
        long base = repeating ? chunk * CHUNK % (PAYLOAD_CAPACITY - CHUNK) : chunk * CHUNK;
        return payload.retainedSlice((int) (base + within), n);
    }

    private Publisher<Void> json(HttpServerRequest req, HttpServerResponse res, String expectedAuth, ByteBuf body) {
        if (!expectedAuth.equals(req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
            return res.status(HttpResponseStatus.UNAUTHORIZED)
                    .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .header(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"bench\"")
                    .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(unauthorized.readableBytes()))
                    .send(Mono.just(unauthorized.retainedDuplicate()));
        }
        return res.status(HttpResponseStatus.OK)
                .header(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.readableBytes()))
                .send(Mono.just(body.retainedDuplicate()));
    }

    private static Publisher<Void> notFound(HttpServerResponse res) {
        return res.status(HttpResponseStatus.NOT_FOUND).header(HttpHeaderNames.CONTENT_LENGTH, "0").send();
    }

    @Override
    public URI baseUrl() {
        return URI.create((certificatePem == null ? "http" : "https") + "://127.0.0.1:" + server.port());
    }

    @Override
    public String tlsSummary() {
        StringBuilder b = new StringBuilder();
        negotiated.forEach((k, v) -> b.append(v.sum()).append(' ').append(k).append('\n'));
        return b.toString();
    }

    @Override
    public long[] stats() {
        return new long[] {written.sum(), connections.sum(), handshakes.sum(), resumed.sum()};
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(10));
    }

    /** Counts completed TLS handshakes and, on OpenSSL, those that resumed a session. */
    private final class HandshakeCounter extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                handshakes.increment();
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                if (ssl != null) {
                    boolean reused = sessionReused(ssl);
                    if (reused) {
                        resumed.increment();
                    }
                    String key = ssl.engine().getSession().getProtocol() + " " + ssl.engine().getSession().getCipherSuite()
                            + " alpn=" + ssl.applicationProtocol() + (reused ? " resumed" : " full");
                    negotiated.computeIfAbsent(key, k -> new LongAdder()).increment();
                }
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    private static final String PACER_HANDLER = "bench.pacer";
    private static final io.netty.util.AttributeKey<Pacer> PACER = io.netty.util.AttributeKey.valueOf("bench.pacer");

    /**
     * Sends a body a {@link #CHUNK} at a time, the next slice only while the connection is writable (below
     * Netty's write-buffer high-water mark), resuming when {@link PacerWakeUp} sees it writable again.
     *
     * <p>Why: the server used to write each body as one buffer. Over plain HTTP that costs nothing (a slice of
     * the shared payload waits in the outbound buffer), but over TLS the {@code SslHandler} encrypts
     * everything written at once, whether or not the socket can take it: an 8 MiB body became 8 MiB of fresh
     * ciphertext, produced in one go on the event loop as soon as the request was read. With hundreds of
     * requests arriving together, each server event loop spent seconds encrypting bodies far ahead of the
     * sockets (on a loaded machine, tens of seconds) while it accepted no connection, read no {@code
     * ClientHello} and no request of the others: the clients' response and idle timeouts fired on
     * connections that had been waiting, not ones that were slow (BENCHMARKS.md, MemoryBound over TLS). A
     * real server encrypts what the socket can take (nginx's {@code ssl_buffer_size}, 16 KiB records as the
     * socket drains); this one now does the same, and its memory per connection is bounded too.
     *
     * <p>Confined to the channel's event loop. Reactor Netty's sender requests many slices ahead; the pacer
     * emits them only as the channel allows.
     */
    private static final class Pacer {
        private final Channel channel;
        private final ByteBuf payload;
        private final long end;
        private final boolean repeating;
        private long position;
        private reactor.core.publisher.FluxSink<ByteBuf> sink;
        private boolean over;

        Pacer(Channel channel, ByteBuf payload, long from, long end, boolean repeating) {
            this.channel = channel;
            this.payload = payload;
            this.position = from;
            this.end = end;
            this.repeating = repeating;
        }

        /**
         * The body; call on the channel's event loop (the request handler runs there). The pacer becomes the
         * connection's before anything is written, so no writability change can come before it is found.
         */
        Flux<ByteBuf> body() {
            channel.attr(PACER).set(this);
            return Flux.create(s -> {
                this.sink = s;
                s.onRequest(n -> wake());
                s.onDispose(() -> channel.eventLoop().execute(() -> {
                    over = true;
                    if (channel.attr(PACER).get() == this) {
                        channel.attr(PACER).set(null);
                    }
                }));
            });
        }

        /** Emits while there is demand and room; called on request, and by {@link PacerWakeUp}. */
        void wake() {
            if (!channel.eventLoop().inEventLoop()) {
                channel.eventLoop().execute(this::wake);
                return;
            }
            while (sink != null && !over && position < end && sink.requestedFromDownstream() > 0 && channel.isWritable()) {
                ByteBuf slice = slice(payload, position, end, repeating);
                position += slice.readableBytes();
                sink.next(slice);
            }
            if (sink != null && !over && position == end) {
                over = true;
                sink.complete();
            }
        }
    }

    /** Wakes the connection's {@link Pacer} when the connection becomes writable again. */
    private static final class PacerWakeUp extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                Pacer pacer = ctx.channel().attr(PACER).get();
                if (pacer != null) {
                    pacer.wake();
                }
            }
            super.channelWritabilityChanged(ctx);
        }
    }

    /** The engine's package-private isSessionReused() (ReferenceCountedOpenSslEngine); false elsewhere. */
    private static boolean sessionReused(SslHandler ssl) {
        try {
            Method m = IS_SESSION_REUSED;
            return m != null && m.getDeclaringClass().isInstance(ssl.engine()) && (boolean) m.invoke(ssl.engine());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static final Method IS_SESSION_REUSED = findIsSessionReused();

    private static Method findIsSessionReused() {
        try {
            // Not initialised here: that needs the native library, which OpenSsl loads first.
            Method m = Class.forName("io.netty.handler.ssl.ReferenceCountedOpenSslEngine", false,
                    LoopbackServer.class.getClassLoader()).getDeclaredMethod("isSessionReused");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Counts the bytes of each outbound buffer once its write to the socket completed. */
    private static final class WriteCounter extends ChannelDuplexHandler {
        private final LongAdder written;

        WriteCounter(LongAdder written) {
            this.written = written;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf) {
                int n = ((ByteBuf) msg).readableBytes();
                ChannelPromise p = promise.unvoid();
                p.addListener(f -> {
                    if (f.isSuccess()) {
                        written.add(n);
                    }
                });
                ctx.write(msg, p);
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    /**
     * Runs the server as a process of its own: {@code [--threads N] [--count-writes] [--tls on|wrong-name]}.
     * Prints {@code LISTENING <port>} and, with TLS, {@code CERTIFICATE <base64 of the PEM>}, then
     * serves until standard input reaches end of file (the parent closed it or died).
     */
    public static void main(String[] args) throws IOException {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        boolean count = false;
        Tls tls = Tls.OFF;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--count-writes" -> count = true;
                case "--tls" -> tls = Tls.parse(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LoopbackServer server = start(threads, count, tls);
        System.out.println("LISTENING " + server.server.port());
        if (server.certificatePem != null) {
            System.out.println("CERTIFICATE " + Base64.getEncoder().encodeToString(
                    server.certificatePem.getBytes(StandardCharsets.US_ASCII)));
        }
        System.out.flush();
        InputStream in = System.in;
        byte[] sink = new byte[256];
        while (in.read(sink) >= 0) {
            // wait for EOF
        }
        server.close();
        System.exit(0);
    }
}
