package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RangeNotSatisfiableException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.internal.ErrorBodies;
import dev.laml.recordings.internal.ErrorBodies.ErrorInfo;
import dev.laml.recordings.internal.HttpDates;
import dev.laml.recordings.internal.RecordingDecoder;
import dev.laml.recordings.internal.Validation;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The response side of {@link RecordingsProtocol}: what a complete response means (a {@link Recording}, a
 * {@link RecordingPage}, a deletion, or the typed {@link ApiException} its status stands for) and the
 * {@link TransferException}s for a transfer that broke. It owns the contract that every answer ends in a value or
 * one of those exceptions, whose messages name the request and the reason in words, with whatever text the server
 * sent stripped of control characters and cut short ({@link #safe}).
 *
 * <p>Holds the clock that {@code Retry-After} dates are measured against, so that a test can fix it. Immutable and
 * thread-safe.
 */
final class Responses {

    private final Clock clock;

    Responses(Clock clock) {
        this.clock = clock;
    }

    /** See {@link RecordingsProtocol#decodeRecording}. */
    Recording decodeRecording(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
        try {
            return RecordingDecoder.decode(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a recording document: " + safe(e.getMessage()), status, null, null, null);
        }
    }

    /** See {@link RecordingsProtocol#decodePage}. */
    RecordingPage decodePage(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
        try {
            return RecordingDecoder.decodePage(body);
        } catch (IOException | RuntimeException e) {
            throw new UnexpectedResponseException(request.describe() + " returned HTTP " + status
                    + " with a body that is not a recordings list: " + safe(e.getMessage()), status, null, null, null);
        }
    }

    /** See {@link RecordingsProtocol#checkDeleted}. */
    void checkDeleted(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        if (status < 200 || status > 299) {
            throw error(request, status, reason, headers, body);
        }
    }

    /** See {@link RecordingsProtocol#error}. */
    ApiException error(ApiRequest request, int status, String reason, HeaderLookup headers, byte[] body) {
        String contentType = headers.get("Content-Type");
        ErrorInfo info = ErrorBodies.read(contentType, body);
        StringBuilder m = new StringBuilder(128).append(request.describe()).append(" failed: HTTP ").append(status);
        String phrase = reasonPhrase(status, reason);
        if (phrase != null) {
            m.append(' ').append(phrase);
        }
        if (info.code() != null) {
            m.append(", code ").append(info.code());
        }
        if (info.message() != null) {
            m.append(": ").append(info.message());
        }
        String message;
        if (status >= 200 && status <= 299) {
            message = m.append(" (expected audio, got ")
                    .append(contentType == null ? "no content type" : Validation.quote(contentType)).append(')').toString();
            return new UnexpectedResponseException(message, status, info.code(), info.message(), info.moreInfo());
        }
        message = m.toString();
        switch (status) {
            case 400:
                return new BadRequestException(message, status, info.code(), info.message(), info.moreInfo());
            case 401:
            case 403:
                return new AuthenticationException(message, status, info.code(), info.message(), info.moreInfo());
            case 404:
                return new NotFoundException(message, status, info.code(), info.message(), info.moreInfo());
            case 416:
                long unsatisfied = ByteRanges.contentRange416(headers.get("Content-Range"));
                return new RangeNotSatisfiableException(message, status, info.code(), info.message(), info.moreInfo(),
                        unsatisfied);
            case 429:
                return new RateLimitedException(message, status, info.code(), info.message(), info.moreInfo(),
                        retryAfter(headers.get("Retry-After")));
            default:
                if (status >= 500 && status <= 599) {
                    return new ServerException(message, status, info.code(), info.message(), info.moreInfo());
                }
                if (status >= 300 && status <= 399) {
                    return new UnexpectedResponseException(message + " (redirect not followed)", status, info.code(),
                            info.message(), info.moreInfo());
                }
                return new ApiException(message, status, info.code(), info.message(), info.moreInfo());
        }
    }

    /** See {@link RecordingsProtocol#bodyTooLarge}. */
    static UnexpectedResponseException bodyTooLarge(ApiRequest request, int status, long limit) {
        return new UnexpectedResponseException(request.describe() + " returned a body larger than the " + limit
                + "-byte limit", status, null, null, null);
    }

    /** See {@link RecordingsProtocol#incompleteBody(ApiRequest, long, long, Throwable, String)}. */
    static IncompleteBodyException incompleteBody(ApiRequest request, long received, long expected, Throwable cause,
            String why) {
        String what = received < expected || expected < 0 ? "ended after " : "ran past its length at ";
        return new IncompleteBodyException(request.describe() + ": body " + what + received + " of "
                + (expected < 0 ? "an unknown number of" : String.valueOf(expected)) + " bytes"
                + (why == null ? "" : " (" + safe(why) + ")"), received, expected, cause);
    }

    /** See {@link RecordingsProtocol#transferFailed}. */
    static TransferException transferFailed(ApiRequest request, Throwable cause) {
        String detail = cause == null ? null : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + safe(cause.getMessage()));
        return new TransferException(request.describe() + " failed in transfer" + (detail == null ? "" : " (" + detail + ")"),
                cause);
    }

    /** See {@link RecordingsProtocol#malformedResponse}. */
    static MalformedResponseException malformedResponse(ApiRequest request, String what, Throwable cause) {
        String detail = what != null ? what : cause == null ? "unreadable" : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + safe(cause.getMessage()));
        return new MalformedResponseException(request.describe() + ": the response is not valid HTTP (" + safe(detail)
                + ")", cause);
    }

    /**
     * A {@code Retry-After} value (delay-seconds or an HTTP date, measured against the clock) as a delay; null when
     * absent or unreadable, zero for a date in the past.
     */
    Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                OffsetDateTime at = HttpDates.parse(v);
                if (at == null) {
                    return null; // trimmed to nothing: a lone control character is no date either
                }
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static String reasonPhrase(int status, String reason) {
        String r = reason == null ? null : reason.replaceAll("\\p{Cc}", " ").trim();
        if (r != null && !r.isEmpty()) {
            return r.length() > 80 ? r.substring(0, 80) : r;
        }
        return null;
    }

    /**
     * Text from the other side (a server's message, a transport's exception message) made fit for an exception
     * message: control characters (line breaks among them, which could forge log lines) become spaces, and it is cut
     * after 200 characters. Never null.
     */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        String r = s.replaceAll("\\p{Cc}", " ");
        return r.length() > 200 ? r.substring(0, 200) + "…" : r;
    }
}
