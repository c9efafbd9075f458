package dev.laml.recordings.benchmarks.server;

import dev.laml.recordings.benchmarks.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 *       ({@link Fixtures#mediaSid(long)}), at most {@link #PAYLOAD_CAPACITY} bytes, sent as one
 *       write. Sids from {@link Fixtures#chunkedMediaSid(long)} are sent as 64 KiB slices instead
 *       (any size; the payload repeats), which lets {@link #bytesWritten()} see progress. Sids
 *       from {@link Fixtures#closingMediaSid(long)} are answered with {@code Connection: close}
 *       and the server closes the connection after the body, so every such download needs a new
 *       connection (and, over TLS, a new handshake).</li>
 *   <li>{@code GET /api/laml/…/Recordings/{Sid}.json}: the fixed recording document; requires
 *       Basic auth ({@link Fixtures#LAML_AUTHORIZATION}), else 401.</li>
 *   <li>{@code GET /2010-04-01/Accounts/{AC…}/Recordings/{RE…}.json}: the same in Twilio's shape,
 *       for twilio-java; requires {@link Fixtures#TWILIO_AUTHORIZATION}.</li>
 *   <li>{@code GET /tls}: TLS handshakes so far by protocol, cipher suite, ALPN protocol and
 *       whether resumed, one {@code "<count> <what>"} a line.</li>
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
        this.loops = LoopResources.create("bench-server", threads, true);
        HttpServer http = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .option(ChannelOption.SO_BACKLOG, 8192)
                .doOnChannelInit((observer, channel, remote) -> {
                    connections.increment();
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
                return media(res, file.substring(0, file.length() - 4));
            }
            return notFound(res);
        }
        if (path.startsWith(Fixtures.TWILIO_ROOT) && path.endsWith(".json") && path.contains("/Recordings/")) {
            return json(req, res, Fixtures.TWILIO_AUTHORIZATION, twilioJson);
        }
        if (path.equals("/tls")) {
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain").sendString(Mono.just(tlsSummary()));
        }
        if (path.equals("/stats")) {
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .sendString(Mono.just(written.sum() + " " + connections.sum() + " " + handshakes.sum() + " " + resumed.sum()));
        }
        return notFound(res);
    }

    private Publisher<Void> media(HttpServerResponse res, String sid) {
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
        res.status(HttpResponseStatus.OK)
                .header(HttpHeaderNames.CONTENT_TYPE, "audio/mpeg")
                .header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(size));
        if (!chunked) {
            if (size > PAYLOAD_CAPACITY) {
                return notFound(res);
            }
            return res.send(Mono.just(payload.retainedSlice(0, (int) size)));
        }
        long chunks = (size + CHUNK - 1) / CHUNK;
        return res.send(Flux.<ByteBuf, long[]>generate(() -> new long[1], (state, sink) -> {
            long offset = state[0] * CHUNK;
            int n = (int) Math.min(CHUNK, size - offset);
            sink.next(payload.retainedSlice((int) (offset % (PAYLOAD_CAPACITY - CHUNK)), n));
            if (++state[0] == chunks) {
                sink.complete();
            }
            return state;
        }));
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
