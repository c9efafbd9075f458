package dev.laml.recordings.testkit.internal;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A recording's resolved metadata, every default already applied: the input of {@link ApiJson#recording}.
 *
 * @param callSid       nullable
 * @param conferenceSid nullable
 * @param startTime     nullable
 * @param endTime       nullable
 * @param price         nullable
 * @param errorCode     nullable; rendered as a JSON number
 * @param trim          {@code do-not-trim} or {@code trim-silence}, as the JSON {@code trim}
 */
public record RecordingMetadata(
        String sid,
        String accountSid,
        String callSid,
        String conferenceSid,
        int channels,
        OffsetDateTime dateCreated,
        OffsetDateTime dateUpdated,
        OffsetDateTime startTime,
        OffsetDateTime endTime,
        long durationSeconds,
        BigDecimal price,
        String source,
        String status,
        Integer errorCode,
        String trim) {

    /** Metadata of a recording that was not trimmed ({@code "trim": "do-not-trim"}). */
    public RecordingMetadata(String sid, String accountSid, String callSid, String conferenceSid, int channels,
                             OffsetDateTime dateCreated, OffsetDateTime dateUpdated, OffsetDateTime startTime,
                             OffsetDateTime endTime, long durationSeconds, BigDecimal price, String source,
                             String status, Integer errorCode) {
        this(sid, accountSid, callSid, conferenceSid, channels, dateCreated, dateUpdated, startTime, endTime,
                durationSeconds, price, source, status, errorCode, "do-not-trim");
    }
}
