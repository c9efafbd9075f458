package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionPage;
import dev.laml.recordings.TranscriptionStatus;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes transcription documents as loosely as {@link RecordingDecoder} decodes recordings: numbers
 * as strings and strings as numbers, nulls, missing and unknown fields, statuses outside the spec.
 * Refused is only a sid that is not a UUID (see {@link Transcription}).
 */
public final class TranscriptionDecoder {

    private TranscriptionDecoder() {
    }

    /** Decodes a whole document that is one transcription object. */
    public static Transcription decode(byte[] body) throws IOException {
        return Json.one(body, TranscriptionDecoder::decodeObject);
    }

    /** Decodes a list envelope: {@code transcriptions[]}, {@code page}, {@code page_size}, {@code next_page_uri}. */
    public static TranscriptionPage decodePage(byte[] body) throws IOException {
        return Json.page(body, "transcriptions", TranscriptionDecoder::decodeObject, TranscriptionPage::new);
    }

    /** Decodes the object whose START_OBJECT is the parser's current token; leaves it on END_OBJECT. */
    public static Transcription decodeObject(JsonParser p) throws IOException {
        String sid = null, accountSid = null, apiVersion = null, recordingSid = null, priceUnit = null, status = null;
        String text = null, type = null, uri = null;
        OffsetDateTime dateCreated = null, dateUpdated = null;
        Duration duration = null;
        BigDecimal price = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "sid" -> sid = Json.text(p);
                case "account_sid" -> accountSid = Json.text(p);
                case "api_version" -> apiVersion = Json.text(p);
                case "recording_sid" -> recordingSid = Json.text(p);
                case "date_created" -> dateCreated = date(p, field);
                case "date_updated" -> dateUpdated = date(p, field);
                case "duration" -> duration = duration(Json.decimal(p, field));
                case "price" -> price = Json.decimal(p, field);
                case "price_unit" -> priceUnit = Json.text(p);
                case "status" -> status = Json.text(p);
                case "transcription_text" -> text = Json.text(p);
                case "type" -> type = Json.text(p);
                case "uri" -> uri = Json.text(p);
                default -> p.skipChildren(); // unknown and nested fields: ignored by design
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("malformed transcription object");
        }
        if (sid == null || sid.isBlank()) {
            throw new IOException("transcription has no sid");
        }
        // Handed back to this client (fetch, delete) and so into a URL path: one that is not a UUID
        // would only fail later, as the caller's IllegalArgumentException.
        if (!Validation.isUuid(sid)) {
            throw new IOException("sid is not a UUID: " + Validation.quote(sid));
        }
        return new Transcription(sid, accountSid, apiVersion, recordingSid, dateCreated, dateUpdated, duration, price,
                priceUnit, TranscriptionStatus.fromWire(status), text, type, uri, status);
    }

    private static OffsetDateTime date(JsonParser p, String field) throws IOException {
        String s = Json.text(p);
        try {
            return HttpDates.parse(s);
        } catch (DateTimeParseException e) {
            throw new IOException(field + " is not an RFC 2822 date: " + Validation.quote(s));
        }
    }

    private static Duration duration(BigDecimal seconds) throws IOException {
        if (seconds == null) {
            return null;
        }
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        try {
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
            return Duration.ofSeconds(whole.longValueExact(), nanos);
        } catch (ArithmeticException e) {
            throw new IOException("duration is out of range: " + seconds.toPlainString());
        }
    }
}
