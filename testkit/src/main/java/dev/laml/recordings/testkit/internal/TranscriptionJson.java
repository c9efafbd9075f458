package dev.laml.recordings.testkit.internal;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/** The API's transcription documents and list envelope, as SignalWire's specification shows them. Stateless. */
public final class TranscriptionJson {

    private TranscriptionJson() {
    }

    /**
     * One transcription object.
     *
     * @param price nullable: null until priced
     * @param text  nullable: null when not available
     */
    public static String transcription(String sid, String accountSid, String recordingSid, OffsetDateTime created,
            long durationSeconds, BigDecimal price, String status, String text) {
        StringBuilder out = new StringBuilder(512).append('{');
        field(out, "sid");
        ApiJson.string(out, sid).append(", ");
        field(out, "account_sid");
        ApiJson.string(out, accountSid).append(", ");
        field(out, "api_version").append("\"2010-04-01\", ");
        field(out, "recording_sid");
        ApiJson.string(out, recordingSid).append(", ");
        field(out, "date_created");
        ApiJson.string(out, HttpDates.rfc2822(created)).append(", ");
        field(out, "date_updated");
        ApiJson.string(out, HttpDates.rfc2822(created)).append(", ");
        field(out, "duration").append(durationSeconds).append(", ");
        // A string, as the specification has it.
        field(out, "price");
        ApiJson.string(out, price == null ? null : price.toPlainString()).append(", ");
        field(out, "price_unit").append("\"USD\", ");
        field(out, "status");
        ApiJson.string(out, status).append(", ");
        field(out, "transcription_text");
        ApiJson.string(out, text).append(", ");
        field(out, "type").append("\"\", ");
        field(out, "uri");
        ApiJson.string(out, ApiJson.API_PREFIX + accountSid + "/Transcriptions/" + sid + ".json");
        return out.append('}').toString();
    }

    /** The list envelope around already rendered transcriptions; {@code next} and {@code previous} nullable. */
    public static String page(String uri, String first, String next, String previous, long page, int pageSize,
            List<String> transcriptions) {
        StringBuilder out = new StringBuilder(256 + transcriptions.stream().mapToInt(String::length).sum()).append('{');
        field(out, "uri");
        ApiJson.string(out, uri).append(", ");
        field(out, "first_page_uri");
        ApiJson.string(out, first).append(", ");
        field(out, "next_page_uri");
        ApiJson.string(out, next).append(", ");
        field(out, "previous_page_uri");
        ApiJson.string(out, previous).append(", ");
        field(out, "page").append(page).append(", ");
        field(out, "page_size").append(pageSize).append(", ");
        field(out, "transcriptions").append('[');
        for (int i = 0; i < transcriptions.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(transcriptions.get(i));
        }
        return out.append("]}").toString();
    }

    private static StringBuilder field(StringBuilder out, String name) {
        return out.append('"').append(name).append("\": ");
    }
}
