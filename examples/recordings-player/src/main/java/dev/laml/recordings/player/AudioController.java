package dev.laml.recordings.player;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.reactor.AudioResponse;
import dev.laml.recordings.reactor.RecordingsClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /recordings/{sid}.mp3} and {@code .wav}: a recording's audio, streamed from the API to the browser.
 *
 * <p><b>Headers first.</b> The API's answer is opened with {@link RecordingsClient#open} and its headers become this
 * response's ({@code Content-Type}, {@code Content-Length}, {@code ETag}, {@code Last-Modified}, {@code Content-Range},
 * and {@code Accept-Ranges: bytes}) before the first byte is read, so the status can still say 404, 416 or 502.
 *
 * <p><b>Ranges go upstream.</b> A {@code Range} the player honours ({@link RangeHeader}) is sent to the API as a
 * {@link ByteRange}, and answered 206 with the API's bytes of that range: seeking in a one-hour recording never
 * downloads the hour. The API's 416 is passed on with {@code Content-Range: bytes *}{@code /total}.
 *
 * <p><b>Conditional requests</b> ({@link Validators}): {@code If-None-Match} matching the API's {@code ETag} is answered
 * 304 without a body; {@code If-Range} that no longer matches makes the answer the whole recording, 200 (RFC 9110
 * §13.1.5), which costs a second API request only in that case.
 *
 * <p><b>Backpressure.</b> The body is {@code response.writeWith(audio.body().map(bufferFactory::wrap))}: the server
 * requests buffers as the browser's socket drains, the client requests them from the API's socket as asked, so a
 * browser that stops reading stops the API's transfer; each buffer is the client's own copy, handed to Netty, which
 * releases it once written. A browser that goes away cancels the body, and the client closes the API connection.
 *
 * <p><b>HEAD</b> (mapped to these GET handlers by Spring) answers the same headers and reads no body: the
 * {@link AudioResponse} is closed, because Spring's HEAD support would otherwise drain the body to count it.
 *
 * <p><b>Errors</b> before the first byte: an id that is not a UUID is 400; API failures are mapped by
 * {@link UpstreamErrors} (404, 504, 502). After the first byte, the connection is closed, short of its
 * {@code Content-Length}, which is how HTTP says that a body broke.
 *
 * <p>Spring creates it once; thread-safe (immutable; per-request state lives in each request's publisher chain).
 * Arguments must not be null; the handlers never return null.
 */
@RestController
public class AudioController {

    private static final Logger log = LoggerFactory.getLogger(AudioController.class);

    private final RecordingsClient client;
    private final String accountSid;

    /** Spring's constructor. */
    public AudioController(RecordingsClient client, PlayerAccount account) {
        this.client = client;
        this.accountSid = account.sid();
    }

    /** The MP3 audio of recording {@code sid}. */
    @GetMapping("/recordings/{sid}.mp3")
    public Mono<Void> mp3(@PathVariable("sid") String sid, ServerWebExchange exchange) {
        return serve(sid, AudioFormat.MP3, exchange);
    }

    /** The WAV audio of recording {@code sid}. */
    @GetMapping("/recordings/{sid}.wav")
    public Mono<Void> wav(@PathVariable("sid") String sid, ServerWebExchange exchange) {
        return serve(sid, AudioFormat.WAV, exchange);
    }

    private Mono<Void> serve(String sid, AudioFormat format, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders headers = request.getHeaders();
        Asked asked = new Asked(sid, format, RangeHeader.parse(headers.getFirst(HttpHeaders.RANGE)),
                joined(headers, HttpHeaders.IF_NONE_MATCH), headers.getFirst(HttpHeaders.IF_RANGE),
                HttpMethod.HEAD.equals(request.getMethod()));
        Mono<AudioResponse> opened;
        try {
            opened = open(asked, asked.range.range()); // ids are checked here, before anything is sent
        } catch (IllegalArgumentException e) {
            // The input is not echoed: a page that reflects it is a page an attacker can write on.
            return text(response, HttpStatus.BAD_REQUEST, "Bad request: not a recording id (a UUID).");
        }
        return Mono.usingWhen(opened, audio -> answer(asked, audio, response), AudioController::close)
                .onErrorResume(RangeNotSatisfiableException.class, e -> unsatisfiable(asked, e, response))
                .onErrorResume(e -> failed(asked, e, response));
    }

    /** Opens the API's answer: of {@code range}, or of the whole recording when it is null. */
    private Mono<AudioResponse> open(Asked asked, ByteRange range) {
        return client.open(MediaRequest.of(accountSid, asked.sid, asked.format).range(range));
    }

    /** The answer once the API's headers are in; {@code audio} is closed by the caller's usingWhen. */
    private Mono<Void> answer(Asked asked, AudioResponse audio, ServerHttpResponse response) {
        if (Validators.ifNoneMatchMatches(asked.ifNoneMatch, audio.etag())) {
            audio.close();
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            response.getHeaders().setETag(audio.etag());
            return response.setComplete();
        }
        if (asked.range.isPresent() && asked.ifRange != null
                && !Validators.ifRangeMatches(asked.ifRange, audio.etag(), audio.lastModified())) {
            // The browser's partial copy is of another version: it gets the whole current one.
            if (audio.contentRange() == null) {
                return send(asked, audio, response); // opened whole already (an unsatisfiable range)
            }
            audio.close();
            return Mono.usingWhen(open(asked, null), whole -> send(asked, whole, response), AudioController::close);
        }
        if (asked.range.isUnsatisfiable()) {
            audio.close();
            return notSatisfiable(response, audio.contentLength());
        }
        return send(asked, audio, response);
    }

    /** Status, headers, then the body: 206 when the answer is a range, else 200. */
    private static Mono<Void> send(Asked asked, AudioResponse audio, ServerHttpResponse response) {
        ContentRange part = audio.contentRange();
        HttpHeaders headers = response.getHeaders();
        response.setStatusCode(part != null ? HttpStatus.PARTIAL_CONTENT : HttpStatus.OK);
        headers.set(HttpHeaders.CONTENT_TYPE, audio.contentType() != null ? audio.contentType()
                : asked.format.mediaType());
        if (audio.contentLength() >= 0) {
            headers.setContentLength(audio.contentLength());
        }
        if (part != null) {
            headers.set(HttpHeaders.CONTENT_RANGE, part.headerValue());
        }
        if (audio.etag() != null) {
            headers.setETag(audio.etag());
        }
        if (audio.lastModified() != null) {
            headers.setLastModified(audio.lastModified());
        }
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        if (asked.head) {
            audio.close();
            return response.setComplete();
        }
        DataBufferFactory buffers = response.bufferFactory();
        return response.writeWith(audio.body().map(buffers::wrap));
    }

    /**
     * The API said 416. With a conditional header the answer may still be 304 or a whole 200, which only the API's
     * validators decide: the whole recording is opened (headers only, unless it is then sent) to read them.
     */
    private Mono<Void> unsatisfiable(Asked asked, RangeNotSatisfiableException e, ServerHttpResponse response) {
        if (asked.ifNoneMatch == null && asked.ifRange == null) {
            return notSatisfiable(response, e.totalLength());
        }
        Asked whole = asked.unsatisfiable();
        return Mono.usingWhen(open(whole, null), audio -> answer(whole, audio, response), AudioController::close);
    }

    private static Mono<Void> notSatisfiable(ServerHttpResponse response, long total) {
        Mono<Void> body = text(response, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                "Range not satisfiable: the recording has " + (total >= 0 ? total + " bytes." : "fewer bytes."));
        if (total >= 0) {
            response.getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + total);
        }
        response.getHeaders().set(HttpHeaders.ACCEPT_RANGES, "bytes");
        return body;
    }

    private static Mono<Void> failed(Asked asked, Throwable e, ServerHttpResponse response) {
        if (response.isCommitted()) {
            // Mid-body: the status is out. Failing the write makes the server close the connection short of its
            // Content-Length, which the browser reads as a broken transfer (and retries with a Range).
            log.warn("streaming recording {} broke: {}", asked.sid, e.toString());
            return Mono.error(e);
        }
        HttpStatus status = UpstreamErrors.status(e);
        if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
            log.error("serving recording {} failed", asked.sid, e);
        } else {
            log.warn("recording {}: {} ({})", asked.sid, status.value(), e.toString());
        }
        return text(response, status, UpstreamErrors.message(e));
    }

    /**
     * A one-line {@code text/plain} answer. Clears the headers first: a body that failed before its first byte
     * leaves the audio's {@code Content-Length} and validators set on the still uncommitted response.
     */
    private static Mono<Void> text(ServerHttpResponse response, HttpStatus status, String message) {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers.clear();
        headers.setContentType(UpstreamErrors.TEXT_PLAIN_UTF8);
        headers.setContentLength(bytes.length);
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
    }

    private static Mono<Void> close(AudioResponse audio) {
        return Mono.fromRunnable(audio::close); // a no-op once the body was subscribed
    }

    /** All values of a list header, comma-joined (a client may send If-None-Match on several lines). */
    private static String joined(HttpHeaders headers, String name) {
        var values = headers.get(name);
        return values == null || values.isEmpty() ? null : String.join(", ", values);
    }

    /** What one request asked for. */
    private record Asked(String sid, AudioFormat format, RangeHeader range, String ifNoneMatch, String ifRange,
                         boolean head) {

        /** The same request, its range known to be unsatisfiable. */
        Asked unsatisfiable() {
            return new Asked(sid, format, RangeHeader.parse("bytes=-0"), ifNoneMatch, ifRange, head);
        }
    }
}
