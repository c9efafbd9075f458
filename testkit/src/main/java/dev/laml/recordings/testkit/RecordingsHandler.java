package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.ByteRange;
import dev.laml.recordings.testkit.internal.HttpDates;
import dev.laml.recordings.testkit.internal.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Routes a request, builds the API's reply, and writes it through the request's {@link Fault}. Stateless apart from
 * the server it reads; called concurrently from every event loop.
 */
final class RecordingsHandler {

    /**
     * Body chunk size: large enough that per-chunk overhead is noise, small enough that Reactor Netty's
     * writability-driven flushing keeps at most a few chunks in flight when a client reads slowly.
     */
    static final int CHUNK = 64 * 1024;

    private static final String RECORDINGS = "/Recordings/";
    private static final String LIST = "/Recordings";
    private static final String LIST_JSON = "/Recordings.json";
    private static final String JSON = "application/json";
    private static final String XML = "application/xml";
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private static final ByteBuffer NOT_FOUND_JSON = utf8(ApiJson.NOT_FOUND);
    private static final ByteBuffer NOT_FOUND_XML = utf8(ApiJson.NOT_FOUND_XML);
    private static final ByteBuffer AUTHENTICATION_FAILED = utf8(ApiJson.AUTHENTICATION_FAILED);
    private static final ByteBuffer METHOD_NOT_ALLOWED = utf8(ApiJson.error(20004, "Method not allowed", 405));
    private static final ByteBuffer HTML_PAGE = utf8("<!DOCTYPE html>\n<html><head><title>Service notice</title></head>"
            + "<body><h1>We'll be right back</h1><p>This page is not a recording.</p></body></html>\n");

    private final RecordingsServer server;

    RecordingsHandler(RecordingsServer server) {
        this.server = server;
    }

    Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        HttpMethod method = request.method();
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.DELETE.equals(method)) {
            return handle(request, response, ""); // no body to wait for: media requests stay allocation-light
        }
        // A write (POST, ...): read the whole form first, so that the request log shows it and the live API reads it.
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .flatMap(body -> Mono.from(handle(request, response, body)));
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response, String body) {
        String target = request.uri();
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        server.requests().record(request.method().name(), target, path, request.requestHeaders(), body);
        Route route = Route.parse(path);
        Fault fault = server.nextFault(route == null ? null : route.sid);
        if (fault.replacement == Fault.Replacement.RAW) {
            return fault.latency.isZero() ? raw(response, fault) : Mono.delay(fault.latency).then(raw(response, fault));
        }
        Reply reply;
        try {
            // A replacing fault stands in for the API entirely: the request has no effect (a DELETE deletes nothing).
            String rawQuery = query < 0 ? null : target.substring(query + 1);
            TranscriptionsEndpoint.Target transcriptions = route == null ? TranscriptionsEndpoint.parse(path) : null;
            reply = fault.replacement != Fault.Replacement.NONE ? replace(fault, request, target, server.isTls())
                    : transcriptions != null ? transcriptions(request, transcriptions, rawQuery)
                    : live(request, path, rawQuery, body);
            if (reply == null) {
                reply = reply(request, route, rawQuery);
            }
        } catch (RuntimeException e) {
            reply = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, utf8(ApiJson.error(20500, e.toString(), 500)));
        }
        return send(request, response, reply, fault);
    }

    // --------------------------------------------------------------------------------------------- the reply

    /** The live calls' and conferences' answer, or null when the path is not theirs. */
    private Reply live(HttpServerRequest request, String path, String rawQuery, String body) {
        if (!server.live().mayAnswer(path)) {
            return null;
        }
        String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
        // As the API, only a declared form is read as one; any other body leaves every field unset.
        boolean form = contentType != null
                && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
        LiveCalls.Answer answer = server.live().answer(request.method().name(), path, rawQuery,
                request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION),
                form ? RecordedRequest.decodeForm(body) : java.util.Map.of());
        if (answer == null) {
            return null;
        }
        if (answer.body() == null) {
            return new Reply(HttpResponseStatus.valueOf(answer.status()), EMPTY);
        }
        Reply reply = json(HttpResponseStatus.valueOf(answer.status()), utf8(answer.body()));
        if (answer.allow() != null) {
            reply.headers.set(HttpHeaderNames.ALLOW, answer.allow());
        }
        return reply;
    }

    /** What the API answers, before any fault. */
    private Reply reply(HttpServerRequest request, Route route, String rawQuery) {
        HttpMethod method = request.method();
        boolean deletable = route != null && route.kind == Kind.JSON;
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)
                && !(deletable && HttpMethod.DELETE.equals(method))) {
            Reply reply = error(HttpResponseStatus.METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED);
            reply.headers.set(HttpHeaderNames.ALLOW, deletable ? "GET, HEAD, DELETE" : "GET, HEAD");
            return reply;
        }
        if (route == null || route.kind == Kind.UNKNOWN) {
            return error(HttpResponseStatus.NOT_FOUND, NOT_FOUND_JSON);
        }
        if (route.kind == Kind.JSON || route.kind == Kind.LIST) {
            // Credentials are checked before existence, as on the real API: a 404 would confirm a sid to a stranger.
            if (!server.authorizes(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
                return error(HttpResponseStatus.UNAUTHORIZED, AUTHENTICATION_FAILED);
            }
            if (route.kind == Kind.LIST) {
                RecordingsList.Result list = RecordingsList.list(server, route.accountSid, rawQuery);
                return json(HttpResponseStatus.valueOf(list.status()), utf8(list.body()));
            }
            TestRecording recording = lookup(route);
            if (recording == null) {
                return error(HttpResponseStatus.NOT_FOUND, NOT_FOUND_JSON);
            }
            if (HttpMethod.DELETE.equals(method)) {
                return server.remove(recording) ? new Reply(HttpResponseStatus.NO_CONTENT, EMPTY)
                        : error(HttpResponseStatus.NOT_FOUND, NOT_FOUND_JSON); // a concurrent DELETE won
            }
            Reply reply = new Reply(HttpResponseStatus.OK, recording.jsonBytes(server.now()));
            reply.headers.set(HttpHeaderNames.CONTENT_TYPE, JSON);
            return reply;
        }
        TestRecording recording = lookup(route);
        if (recording == null || !recording.servesMedia(server.now())) {
            Reply reply = new Reply(HttpResponseStatus.NOT_FOUND, NOT_FOUND_XML.duplicate());
            reply.headers.set(HttpHeaderNames.CONTENT_TYPE, XML);
            return reply;
        }
        return media(request.requestHeaders(), recording, route.kind == Kind.MP3 ? Format.MP3 : Format.WAV);
    }

    /** The transcription resources: GET (lists, one) and DELETE (one), with Basic auth checked first, as for .json. */
    private Reply transcriptions(HttpServerRequest request, TranscriptionsEndpoint.Target target, String rawQuery) {
        HttpMethod method = request.method();
        boolean deletable = !target.isList();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)
                && !(deletable && HttpMethod.DELETE.equals(method))) {
            Reply reply = error(HttpResponseStatus.METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED);
            reply.headers.set(HttpHeaderNames.ALLOW, deletable ? "GET, HEAD, DELETE" : "GET, HEAD");
            return reply;
        }
        if (!server.authorizes(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
            return error(HttpResponseStatus.UNAUTHORIZED, AUTHENTICATION_FAILED);
        }
        TranscriptionsEndpoint.Result result = HttpMethod.DELETE.equals(method)
                ? TranscriptionsEndpoint.delete(server, target) : TranscriptionsEndpoint.get(server, target, rawQuery);
        return result.status() == 204 ? new Reply(HttpResponseStatus.NO_CONTENT, EMPTY)
                : json(HttpResponseStatus.valueOf(result.status()), utf8(result.body()));
    }

    private static Reply media(HttpHeaders requestHeaders, TestRecording recording, Format format) {
        ByteBuffer content = recording.content(format);
        long total = content.remaining();
        String etag = recording.etag(format);
        String range = requestHeaders.get(HttpHeaderNames.RANGE);
        String ifRange = requestHeaders.get(HttpHeaderNames.IF_RANGE);
        if (range != null && ifRange != null && !ifRangeMatches(ifRange, etag, recording.lastModifiedInstant())) {
            range = null; // the client's copy is stale: send the whole current representation
        }
        ByteRange byteRange = ByteRange.parse(range, total);
        Reply reply;
        if (byteRange == ByteRange.UNSATISFIABLE) {
            reply = new Reply(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, EMPTY);
            reply.headers.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + total);
        } else if (byteRange.isPartial()) {
            reply = new Reply(HttpResponseStatus.PARTIAL_CONTENT,
                    content.slice((int) byteRange.first(), (int) byteRange.length()));
            reply.headers.set(HttpHeaderNames.CONTENT_TYPE, format.contentType());
            reply.headers.set(HttpHeaderNames.CONTENT_RANGE,
                    "bytes " + byteRange.first() + '-' + byteRange.last() + '/' + total);
        } else {
            reply = new Reply(HttpResponseStatus.OK, content);
            reply.headers.set(HttpHeaderNames.CONTENT_TYPE, format.contentType());
        }
        reply.headers.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        reply.headers.set(HttpHeaderNames.ETAG, etag);
        reply.headers.set(HttpHeaderNames.LAST_MODIFIED, recording.lastModified());
        return reply;
    }

    /** RFC 9110 13.1.5: an entity tag must match strongly; a date must equal Last-Modified exactly. */
    private static boolean ifRangeMatches(String ifRange, String etag, Instant lastModified) {
        String value = ifRange.trim();
        if (value.startsWith("\"")) {
            return value.equals(etag);
        }
        if (value.startsWith("W/")) {
            return false;
        }
        Instant date = HttpDates.parseHttpDate(value);
        return lastModified.equals(date);
    }

    private TestRecording lookup(Route route) {
        TestRecording recording = server.find(route.sid);
        return recording != null && recording.accountSid().equalsIgnoreCase(route.accountSid) ? recording : null;
    }

    /** The fault's substitute for the real reply; only for a fault that has a replacement. */
    private static Reply replace(Fault fault, HttpServerRequest request, String target, boolean https) {
        switch (fault.replacement) {
            case ERROR -> {
                HttpResponseStatus status = HttpResponseStatus.valueOf(fault.status);
                String body = switch (fault.status) {
                    case 401 -> ApiJson.AUTHENTICATION_FAILED;
                    case 404 -> ApiJson.NOT_FOUND;
                    default -> ApiJson.error(20000 + fault.status, status.reasonPhrase(), fault.status);
                };
                Reply reply = error(status, utf8(body));
                if (fault.retryAfter != null) {
                    long seconds = (fault.retryAfter.toMillis() + 999) / 1000;
                    reply.headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
                }
                return reply;
            }
            case CONTENT_TYPE -> {
                Reply reply = new Reply(HttpResponseStatus.OK, HTML_PAGE.duplicate());
                reply.headers.set(HttpHeaderNames.CONTENT_TYPE, fault.contentType);
                return reply;
            }
            case REDIRECT -> {
                Reply reply = new Reply(HttpResponseStatus.valueOf(fault.status), EMPTY);
                reply.headers.set(HttpHeaderNames.LOCATION, location(fault.location, request, target, https));
                return reply;
            }
            default -> throw new IllegalStateException("not a replacing fault: " + fault);
        }
    }

    /**
     * The redirect target; "self" is rebuilt from the Host the client used, so it stays on the same name, and on the
     * scheme the server speaks.
     */
    private static String location(URI configured, HttpServerRequest request, String target, boolean https) {
        if (configured == null) {
            String host = request.requestHeaders().get(HttpHeaderNames.HOST);
            if (host == null) {
                host = request.hostAddress().getHostString() + ':' + request.hostAddress().getPort();
            }
            return (https ? "https://" : "http://") + host + target;
        }
        String path = configured.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return configured.getScheme() + "://" + configured.getRawAuthority() + target;
        }
        return configured.toString();
    }

    private static Reply error(HttpResponseStatus status, ByteBuffer jsonBody) {
        return json(status, jsonBody);
    }

    private static Reply json(HttpResponseStatus status, ByteBuffer body) {
        Reply reply = new Reply(status, body.duplicate());
        reply.headers.set(HttpHeaderNames.CONTENT_TYPE, JSON);
        return reply;
    }

    // ----------------------------------------------------------------------------------------------- writing

    private static Publisher<Void> send(HttpServerRequest request, HttpServerResponse response, Reply reply,
                                        Fault fault) {
        Mono<Void> write = Mono.defer(() -> write(request, response, reply, fault));
        return fault.latency.isZero() ? write : Mono.delay(fault.latency).then(write);
    }

    private static Mono<Void> write(HttpServerRequest request, HttpServerResponse response, Reply reply, Fault fault) {
        ByteBuffer body = HttpMethod.HEAD.equals(request.method()) ? EMPTY : reply.body;
        // HEAD: the length GET would send. A 204 must not carry one (RFC 9110 8.6).
        if (reply.status.code() != HttpResponseStatus.NO_CONTENT.code()) {
            reply.headers.set(HttpHeaderNames.CONTENT_LENGTH, reply.body.remaining());
        }
        response.status(reply.status).headers(reply.headers);

        long length = body.remaining();
        if (fault.cut == Fault.Cut.NONE) {
            if (fault.bytesPerSecond == 0 && length <= CHUNK) {
                // One write; Reactor Netty sends headers and body together.
                return length == 0 ? response.send().then() : response.send(Mono.fromSupplier(() -> wrap(body))).then();
            }
            return response.send(chunks(body, length, fault.bytesPerSecond)).then();
        }
        long limit = Math.min(length, fault.cutAfter);
        Channel[] channel = new Channel[1];
        response.withConnection(connection -> channel[0] = connection.channel());
        // Headers first, on their own: with nothing (or little) to follow they would otherwise wait for completion.
        Mono<Void> partial = response.sendHeaders().then()
                .then(limit == 0 ? Mono.empty() : response.send(chunks(body, limit, fault.bytesPerSecond)).then());
        return switch (fault.cut) {
            case STALL -> partial.then(Mono.never()); // ends when the client or server.close() drops the connection
            default -> partial.then(Mono.defer(() -> terminate(channel[0], fault.cut)));
        };
    }

    /**
     * Writes a raw answer under the HTTP encoder: from the codec's own context, so the bytes go toward the socket
     * through only the handlers before it (TLS, when the server has it), exactly as given. The handler's publisher
     * never completes, so Reactor Netty never writes a response of its own after them; closing the connection (or the
     * client closing it, for a stall) ends the exchange.
     */
    private static Mono<Void> raw(HttpServerResponse response, Fault fault) {
        return Mono.defer(() -> {
            Channel[] channel = new Channel[1];
            response.withConnection(connection -> channel[0] = connection.channel());
            ChannelHandlerContext codec = channel[0].pipeline().context(NettyPipeline.HttpCodec);
            if (codec == null) {
                return Mono.error(new IllegalStateException("no HTTP codec in the pipeline: " + channel[0].pipeline()));
            }
            ChannelFuture written = codec.writeAndFlush(Unpooled.wrappedBuffer(fault.raw));
            if (fault.after == Fault.After.CLOSE) {
                written.addListener(done -> channel[0].close());
            }
            return Mono.never();
        });
    }

    /**
     * Closes once everything written so far has reached the socket: the empty write completes only after the
     * writes queued before it (over TLS too: the SslHandler completes it with the encrypted bytes before it). With
     * SO_LINGER 0 the close is an abortive RST instead of a FIN. Only CLOSE_NOTIFY lets a TLS connection send its
     * close_notify; the others end as if the server had crashed.
     */
    private static Mono<Void> terminate(Channel channel, Fault.Cut cut) {
        return Mono.create(sink -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (cut == Fault.Cut.RESET) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            ChannelFuture close = cut == Fault.Cut.CLOSE_NOTIFY ? channel.close()
                    : ServerTls.closeWithoutCloseNotify(channel);
            close.addListener(closed -> sink.success());
        }));
    }

    /**
     * The body as slices of the shared content, created only as Reactor Netty requests them: it requests while the
     * channel is writable, so a client that stops reading stops production, and nothing is copied.
     */
    private static Flux<ByteBuf> chunks(ByteBuffer body, long length, long bytesPerSecond) {
        int chunk = bytesPerSecond == 0 ? CHUNK : (int) Math.max(1, Math.min(CHUNK, bytesPerSecond / 10));
        Flux<ByteBuf> slices = Flux.generate(() -> 0L, (Long offset, SynchronousSink<ByteBuf> sink) -> {
            int n = (int) Math.min(chunk, length - offset);
            sink.next(Unpooled.wrappedBuffer(body.slice(offset.intValue(), n)));
            long next = offset + n;
            if (next >= length) {
                sink.complete();
            }
            return next;
        });
        if (bytesPerSecond == 0) {
            return slices;
        }
        // About ten chunks a second, each released after its share of the second has passed.
        return slices.delayElements(Duration.ofNanos(chunk * 1_000_000_000L / bytesPerSecond));
    }

    private static ByteBuf wrap(ByteBuffer body) {
        return Unpooled.wrappedBuffer(body.duplicate());
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    // ------------------------------------------------------------------------------------------------ routing

    private enum Kind { JSON, WAV, MP3, LIST, UNKNOWN }

    /**
     * {@code /api/laml/2010-04-01/Accounts/{account}/Recordings/{sid}{ext}}, or the list
     * {@code .../Recordings.json} (or {@code .../Recordings}, as the list's own {@code *_uri} spell it), parsed with
     * plain string scans.
     */
    private static final class Route {
        final String accountSid;
        final String sid;
        final Kind kind;

        private Route(String accountSid, String sid, Kind kind) {
            this.accountSid = accountSid;
            this.sid = sid;
            this.kind = kind;
        }

        /** Null when the path is not a recording resource at all. */
        static Route parse(String path) {
            int accountEnd = ApiJson.accountEnd(path);
            if (accountEnd < 0) {
                return null;
            }
            int accountStart = ApiJson.API_PREFIX.length();
            int rest = path.length() - accountEnd; // compared in place: media requests allocate nothing here
            if (rest == LIST.length() && path.startsWith(LIST, accountEnd)
                    || rest == LIST_JSON.length() && path.startsWith(LIST_JSON, accountEnd)) {
                return new Route(path.substring(accountStart, accountEnd), null, Kind.LIST);
            }
            if (!path.startsWith(RECORDINGS, accountEnd)) {
                return null;
            }
            int nameStart = accountEnd + RECORDINGS.length();
            if (nameStart == path.length() || path.indexOf('/', nameStart) >= 0) {
                return null; // a subresource such as /Transcriptions.json
            }
            String account = path.substring(accountStart, accountEnd);
            String name = path.substring(nameStart);
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                return new Route(account, name, Kind.WAV); // the extension-less media URL serves WAV
            }
            Kind kind = switch (name.substring(dot).toLowerCase(Locale.ROOT)) {
                case ".json" -> Kind.JSON;
                case ".wav" -> Kind.WAV;
                case ".mp3" -> Kind.MP3;
                default -> Kind.UNKNOWN;
            };
            return new Route(account, name.substring(0, dot), kind);
        }
    }

    /** A response before it is written: status, headers and a body that is a read-only view positioned at 0. */
    private static final class Reply {
        final HttpResponseStatus status;
        final HttpHeaders headers = new DefaultHttpHeaders();
        final ByteBuffer body;

        Reply(HttpResponseStatus status, ByteBuffer body) {
            this.status = status;
            this.body = body;
        }
    }
}
