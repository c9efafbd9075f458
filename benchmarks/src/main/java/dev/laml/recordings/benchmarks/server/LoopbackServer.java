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
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 *       (any size; the payload repeats), which lets {@link #bytesWritten()} see progress.</li>
 *   <li>{@code GET /api/laml/…/Recordings/{Sid}.json}: the fixed recording document; requires
 *       Basic auth ({@link Fixtures#LAML_AUTHORIZATION}), else 401.</li>
 *   <li>{@code GET /2010-04-01/Accounts/{AC…}/Recordings/{RE…}.json}: the same in Twilio's shape,
 *       for twilio-java; requires {@link Fixtures#TWILIO_AUTHORIZATION}.</li>
 *   <li>{@code GET /stats}: bytes written to sockets (counted only when started with write
 *       counting) and connections accepted, as {@code "<bytes> <connections>"}.</li>
 * </ul>
 *
 * <p>Runs on its own {@link LoopResources}, never the clients'. {@link #main} runs it as a
 * separate process (what the benchmarks use by default, see {@link BenchServer}): it prints
 * {@code LISTENING <port>} and exits when its standard input closes.
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

    private LoopbackServer(int threads, boolean countWrites) {
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
                })
                .handle(this::handle);
        this.server = http.bindNow(Duration.ofSeconds(10));
    }

    /** Starts a server in this JVM on {@code threads} event loop threads of its own. */
    public static LoopbackServer start(int threads, boolean countWrites) {
        return new LoopbackServer(threads, countWrites);
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
        if (path.equals("/stats")) {
            return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .sendString(Mono.just(written.sum() + " " + connections.sum()));
        }
        return notFound(res);
    }

    private Publisher<Void> media(HttpServerResponse res, String sid) {
        boolean chunked = sid.startsWith(Fixtures.CHUNKED_SID_PREFIX);
        if (sid.length() != 36 || !(chunked || sid.startsWith(Fixtures.MEDIA_SID_PREFIX))) {
            return notFound(res);
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
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** Bytes whose socket write completed (only counted when started with write counting). */
    @Override
    public long bytesWritten() {
        return written.sum();
    }

    /** Connections accepted so far. */
    @Override
    public long connectionsAccepted() {
        return connections.sum();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(10));
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
     * Runs the server as a process of its own: {@code [--threads N] [--count-writes]}. Prints
     * {@code LISTENING <port>}, then serves until standard input reaches end of file (the parent
     * closed it or died).
     */
    public static void main(String[] args) throws IOException {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        boolean count = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--count-writes" -> count = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        LoopbackServer server = start(threads, count);
        System.out.println("LISTENING " + server.server.port());
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
