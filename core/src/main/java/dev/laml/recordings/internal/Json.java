package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The few lenient readers the API's loose payloads need (scalars, and the list envelope every list shares), over Jackson's streaming parser
 * (no data binding: a field that is a string on one server and a number on another must not
 * fail the whole document).
 */
public final class Json {

    /** Shared and thread-safe once configured; parsers it creates are not. */
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength(1 << 20)
                    .maxNumberLength(64)
                    .build())
            .build();

    private Json() {
    }

    /** The current scalar as text (strings as they are, numbers and booleans as written); null for null. */
    public static String text(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    /** The current scalar as a decimal: a number, or a numeric string; null for null or blank. */
    public static BigDecimal decimal(JsonParser p, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            // From the text as written, so 0.0 stays 0.0 and no binary rounding creeps in.
            return new BigDecimal(p.getText());
        }
        String s = text(p);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            throw new IOException(field + " is not a number: " + Validation.quote(s));
        }
    }

    /** The current scalar as an int: a number or a numeric string; null for null or blank. */
    public static Integer integer(JsonParser p, String field) throws IOException {
        BigDecimal d = decimal(p, field);
        if (d == null) {
            return null;
        }
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw new IOException(field + " is not an integer: " + d.toPlainString());
        }
    }

    /**
     * Moves to the next field's value inside an object and names the field; null once there is no further field
     * (the parser then stands on what ended the loop, which {@link #endWithSid} checks).
     */
    public static String nextField(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.FIELD_NAME) {
            return null;
        }
        String field = p.currentName();
        p.nextToken();
        return field;
    }

    /** The current scalar as an RFC 2822 date; null for null. */
    public static OffsetDateTime date(JsonParser p, String field) throws IOException {
        String s = text(p);
        try {
            return HttpDates.parse(s);
        } catch (DateTimeParseException e) {
            throw new IOException(field + " is not an RFC 2822 date: " + Validation.quote(s));
        }
    }

    /**
     * Seconds as a duration, to the nanosecond; null for null. Throws {@link ArithmeticException} when out of a
     * {@code long}'s range: each caller keeps the message it has always given for that.
     */
    public static Duration duration(BigDecimal seconds) {
        if (seconds == null) {
            return null;
        }
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
        return Duration.ofSeconds(whole.longValueExact(), nanos);
    }

    /**
     * Checks the end of an object an {@link ObjectDecoder} read field by field, and its sid: present and a UUID.
     * The sid is handed back to this client (fetch, download, delete) and so goes into a URL path: one that is not a
     * UUID would only fail later, as the caller's IllegalArgumentException.
     *
     * @param p    the parser, after the object's last field
     * @param kind what the object is, for the messages ("recording", "transcription")
     * @param sid  the sid read, or null
     * @return {@code sid}
     */
    public static String endWithSid(JsonParser p, String kind, String sid) throws IOException {
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("malformed " + kind + " object");
        }
        if (sid == null || sid.isBlank()) {
            throw new IOException(kind + " has no sid");
        }
        if (!Validation.isUuid(sid)) {
            throw new IOException("sid is not a UUID: " + Validation.quote(sid));
        }
        return sid;
    }

    /** Decodes one object whose START_OBJECT is the parser's current token, leaving it on END_OBJECT. */
    @FunctionalInterface
    public interface ObjectDecoder<T> {
        /** Decodes the object at the parser's position. */
        T decode(JsonParser p) throws IOException;
    }

    /** Builds a page from its items, {@code page}, {@code page_size} and {@code next_page_uri} (null: none). */
    @FunctionalInterface
    public interface PageFactory<T, P> {
        /** The page of {@code items}. */
        P page(List<T> items, int page, int pageSize, @Nullable String nextPageUri);
    }

    /** Decodes a whole document that is one object, refusing anything after it. */
    public static <T> T one(byte[] body, ObjectDecoder<T> decoder) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            T t = decoder.decode(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON object");
            }
            return t;
        }
    }

    /**
     * Decodes a list envelope as every list of this API has it: the items in {@code arrayField} (a null array is an
     * empty page; a missing one is an error), {@code page}, {@code page_size} (the item count when missing) and
     * {@code next_page_uri} (blank: none). One copy for recordings, transcriptions and conference recordings, so that
     * the envelope's tolerance is the same for all.
     */
    public static <T, P> P page(byte[] body, String arrayField, ObjectDecoder<T> decoder, PageFactory<T, P> pages)
            throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            List<T> items = null;
            Integer page = null, pageSize = null;
            String next = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(arrayField)) {
                    if (value == JsonToken.VALUE_NULL) {
                        items = List.of();
                    } else if (value != JsonToken.START_ARRAY) {
                        throw new IOException(arrayField + " is not an array");
                    } else {
                        items = new ArrayList<>();
                        JsonToken t;
                        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                            items.add(decoder.decode(p));
                        }
                        if (t != JsonToken.END_ARRAY) {
                            throw new IOException(arrayField + " holds something other than objects");
                        }
                    }
                    continue;
                }
                switch (field) {
                    case "page" -> page = integer(p, field);
                    case "page_size" -> pageSize = integer(p, field);
                    case "next_page_uri" -> {
                        String v = text(p);
                        next = v == null || v.isBlank() ? null : v.trim();
                    }
                    default -> p.skipChildren();
                }
            }
            if (items == null) {
                throw new IOException("no " + arrayField + " array");
            }
            return pages.page(items, page == null ? 0 : page, pageSize == null ? items.size() : pageSize, next);
        }
    }
}
