package dev.laml.recordings.player;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.ResponseTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * What the player answers when the recordings API failed it: 404 for a recording the API does not know, 504 when the
 * API did not answer in time, 502 for any other error answer or broken transfer, 500 for anything else (a bug here),
 * each with a one-line {@code text/plain} body.
 *
 * <p>The body never repeats the exception's message: it names the request's path on the API, and a browser has no
 * business learning the account's upstream layout. The exception is logged instead.
 *
 * <p>Stateless and thread-safe; not instantiable. Arguments must not be null.
 */
public final class UpstreamErrors {

    /** {@code text/plain; charset=UTF-8}. */
    public static final MediaType TEXT_PLAIN_UTF8 = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    private UpstreamErrors() {
    }

    /** The status that stands for {@code error}. */
    public static HttpStatus status(Throwable error) {
        if (error instanceof NotFoundException) {
            return HttpStatus.NOT_FOUND;
        }
        if (error instanceof ResponseTimeoutException || error instanceof TimeoutException) {
            return HttpStatus.GATEWAY_TIMEOUT;
        }
        if (error instanceof ApiException || error instanceof IOException) {
            return HttpStatus.BAD_GATEWAY;
        }
        return HttpStatus.INTERNAL_SERVER_ERROR;
    }

    /** The one-line text for {@code error}, without the exception's message. */
    public static String message(Throwable error) {
        return switch (status(error)) {
            case NOT_FOUND -> "Not found: the recordings API has no such recording.";
            case GATEWAY_TIMEOUT -> "Gateway timeout: the recordings API did not answer in time.";
            case BAD_GATEWAY -> error instanceof ApiException api
                    ? "Bad gateway: the recordings API answered " + api.httpStatus() + "."
                    : "Bad gateway: the transfer from the recordings API failed.";
            default -> "Internal error.";
        };
    }

    /** A complete response for {@code error}: its status and its one line as {@code text/plain}. */
    public static ResponseEntity<String> response(Throwable error) {
        return ResponseEntity.status(status(error)).contentType(TEXT_PLAIN_UTF8).body(message(error) + "\n");
    }
}
