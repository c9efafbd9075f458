package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.math.BigDecimal;
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
