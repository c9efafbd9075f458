package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonParser;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionPage;
import dev.laml.recordings.TranscriptionStatus;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;

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
        for (String field = Json.nextField(p); field != null; field = Json.nextField(p)) {
            switch (field) {
                case "sid" -> sid = Json.text(p);
                case "account_sid" -> accountSid = Json.text(p);
                case "api_version" -> apiVersion = Json.text(p);
                case "recording_sid" -> recordingSid = Json.text(p);
                case "date_created" -> dateCreated = Json.date(p, field);
                case "date_updated" -> dateUpdated = Json.date(p, field);
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
        Json.endWithSid(p, "transcription", sid);
        return new Transcription(sid, accountSid, apiVersion, recordingSid, dateCreated, dateUpdated, duration, price,
                priceUnit, TranscriptionStatus.fromWire(status), text, type, uri, status);
    }

    /** As a recording's, but out of range is a decoding failure in words rather than the bare arithmetic one. */
    private static Duration duration(BigDecimal seconds) throws IOException {
        try {
            return Json.duration(seconds);
        } catch (ArithmeticException e) {
            throw new IOException("duration is out of range: " + seconds.toPlainString());
        }
    }
}
