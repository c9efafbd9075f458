package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonParser;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * Decodes one recording object, field by field, tolerating what real servers send: numbers as
 * strings and strings as numbers, nulls, unknown fields, enum values outside the spec, a negative
 * duration (not known yet), dates out of order. Refused, as no use can be made of them: a sid
 * that is not a UUID and a channel count below one (see {@link Recording}).
 */
public final class RecordingDecoder {

    private RecordingDecoder() {
    }

    /** Decodes a whole document that is one recording object. */
    public static Recording decode(byte[] body) throws IOException {
        return Json.one(body, RecordingDecoder::decodeObject);
    }

    /** Decodes a list envelope: {@code recordings[]}, {@code page}, {@code page_size}, {@code next_page_uri}. */
    public static RecordingPage decodePage(byte[] body) throws IOException {
        return Json.page(body, "recordings", RecordingDecoder::decodeObject, RecordingPage::new);
    }

    /** Decodes the object whose START_OBJECT is the parser's current token; leaves it on END_OBJECT. */
    public static Recording decodeObject(JsonParser p) throws IOException {
        String sid = null, accountSid = null, callSid = null, conferenceSid = null;
        Integer channels = null, channel = null, errorCode = null;
        OffsetDateTime dateCreated = null, dateUpdated = null, startTime = null, endTime = null;
        Duration duration = null;
        BigDecimal price = null;
        String priceUnit = null, source = null, status = null, uri = null, trim = null, apiVersion = null;

        for (String field = Json.nextField(p); field != null; field = Json.nextField(p)) {
            switch (field) {
                case "sid" -> sid = Json.text(p);
                case "account_sid" -> accountSid = Json.text(p);
                case "call_sid" -> callSid = Json.text(p);
                case "conference_sid" -> conferenceSid = Json.text(p);
                case "channels" -> channels = Json.integer(p, field);
                case "channel" -> channel = Json.integer(p, field);
                case "date_created" -> dateCreated = Json.date(p, field);
                case "date_updated" -> dateUpdated = Json.date(p, field);
                case "start_time" -> startTime = Json.date(p, field);
                case "end_time" -> endTime = Json.date(p, field);
                case "duration" -> duration = Json.duration(Json.decimal(p, field));
                case "price" -> price = Json.decimal(p, field);
                case "price_unit" -> priceUnit = Json.text(p);
                case "source" -> source = Json.text(p);
                case "status" -> status = Json.text(p);
                case "error_code" -> errorCode = Json.integer(p, field);
                case "uri" -> uri = Json.text(p);
                case "trim" -> trim = Json.text(p);
                case "api_version" -> apiVersion = Json.text(p);
                default -> p.skipChildren(); // unknown and nested fields: ignored by design
            }
        }
        Json.endWithSid(p, "recording", sid);
        int ch = channels != null ? channels : channel != null ? channel : 1;
        // No meaning to give a channel count below one, and code that sizes buffers by it would break.
        if (ch < 1) {
            throw new IOException((channels != null ? "channels" : "channel") + " is " + ch + ", not 1 or more");
        }
        return new Recording(sid, accountSid, callSid, conferenceSid, ch, dateCreated, dateUpdated, startTime,
                endTime, duration, price, priceUnit, RecordingSource.fromWire(source), RecordingStatus.fromWire(status),
                errorCode, uri, trim, apiVersion, status, source);
    }
}
