package dev.laml.recordings;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Transcription#toJson()}: the one writer behind {@code transcripts --json} and archived transcripts. */
class TranscriptionJsonTest {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String SID = "5f2d0c3e-8b1a-4e7f-9c6d-2a1b3c4d5e6f";

    @Test
    void everyFieldIsWrittenUnderTheApisNameWithIsoDatesAndNumbers() throws Exception {
        Transcription t = new Transcription(SID, "acc-1", "2010-04-01", "rec-1",
                OffsetDateTime.of(2026, 5, 1, 8, 0, 0, 0, ZoneOffset.UTC),
                OffsetDateTime.of(2026, 5, 1, 8, 0, 7, 0, ZoneOffset.ofHours(2)),
                Duration.ofMillis(7_250), new BigDecimal("-0.0050"), "USD", TranscriptionStatus.COMPLETED,
                "Grüße, \"card\" ends\n4242", "", "/api/laml/x.json", "completed");

        String json = t.toJson();

        assertThat(json).doesNotContain("\n").startsWith("{").endsWith("}");
        Map<String, Object> n = fields(json);
        assertThat(n).hasSize(13);
        assertThat(n.get("sid")).isEqualTo(SID);
        assertThat(n.get("account_sid")).isEqualTo("acc-1");
        assertThat(n.get("recording_sid")).isEqualTo("rec-1");
        assertThat(n.get("status")).isEqualTo("completed");
        assertThat(n.get("transcription_text")).isEqualTo("Grüße, \"card\" ends\n4242");
        assertThat((BigDecimal) n.get("duration")).isEqualByComparingTo("7.25");
        assertThat(n.get("date_created")).isEqualTo("2026-05-01T08:00:00Z");
        assertThat(n.get("date_updated")).isEqualTo("2026-05-01T08:00:07+02:00");
        assertThat((BigDecimal) n.get("price")).isEqualByComparingTo("-0.005");
        assertThat(n.get("price_unit")).isEqualTo("USD");
        assertThat(n.get("type")).isEqualTo("");
        assertThat(n.get("uri")).isEqualTo("/api/laml/x.json");
        assertThat(n.get("api_version")).isEqualTo("2010-04-01");
    }

    @Test
    void absentValuesAreNullsAWholeDurationIsAnIntegerAndAnUnlistedStatusIsKeptAsSent() throws Exception {
        Transcription t = new Transcription(SID, null, null, null, null, null, Duration.ofSeconds(12), null, null,
                TranscriptionStatus.UNKNOWN, null, null, null, "redacted");

        String json = t.toJson();
        Map<String, Object> n = fields(json);

        assertThat(n.get("status")).isEqualTo("redacted");
        assertThat(json).contains("\"duration\":12,");
        for (String field : new String[] {"account_sid", "recording_sid", "transcription_text", "date_created",
                "date_updated", "price", "price_unit", "type", "uri", "api_version"}) {
            assertThat(n).as(field).containsEntry(field, NULL);
        }
    }

    private static final Object NULL = new Object();

    /** A flat object's fields: strings as text, numbers as BigDecimal, null as {@link #NULL}. */
    private static Map<String, Object> fields(String json) throws Exception {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                Object previous = fields.put(name, switch (value) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDecimalValue();
                    case VALUE_NULL -> NULL;
                    default -> throw new AssertionError(name + " is " + value);
                });
                assertThat(previous).as("written twice: " + name).isNull();
            }
            assertThat(p.nextToken()).isNull();
        }
        return fields;
    }
}
