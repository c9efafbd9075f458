package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.math.BigDecimal;

/**
 * The few lenient scalar readers the API's loose payloads need, over Jackson's streaming parser
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
}
