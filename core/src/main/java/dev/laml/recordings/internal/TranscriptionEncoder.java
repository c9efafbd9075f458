package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.laml.recordings.Transcription;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes a {@link Transcription} as one JSON object with the API's field names, for what this project writes out
 * (the CLI's JSON Lines, archived transcripts): one writer, so the two cannot drift apart. Dates are ISO-8601 rather
 * than the API's RFC 2822, as tools that read JSON expect; the duration is seconds, the price a number.
 */
public final class TranscriptionEncoder {

    private static final JsonFactory JSON = new JsonFactory();

    private TranscriptionEncoder() {
    }

    /** One compact JSON object; never null. */
    public static String encode(Transcription t) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("sid", t.sid());
            g.writeStringField("account_sid", t.accountSid());
            g.writeStringField("recording_sid", t.recordingSid());
            // The text as it arrived: an unlisted status is kept, not turned into "unknown".
            g.writeStringField("status", t.rawStatus() != null ? t.rawStatus() : t.status().wireValue());
            g.writeStringField("transcription_text", t.transcriptionText());
            g.writeFieldName("duration");
            if (t.duration() == null) {
                g.writeNull();
            } else if (t.duration().getNano() == 0) {
                g.writeNumber(t.duration().getSeconds());
            } else {
                g.writeNumber(new BigDecimal(t.duration().toNanos()).movePointLeft(9).stripTrailingZeros());
            }
            g.writeStringField("date_created", iso(t.dateCreated()));
            g.writeStringField("date_updated", iso(t.dateUpdated()));
            g.writeFieldName("price");
            if (t.price() == null) {
                g.writeNull();
            } else {
                g.writeNumber(t.price());
            }
            g.writeStringField("price_unit", t.priceUnit());
            g.writeStringField("type", t.type());
            g.writeStringField("uri", t.uri());
            g.writeStringField("api_version", t.apiVersion());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static String iso(OffsetDateTime t) {
        return t == null ? null : t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
