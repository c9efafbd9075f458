package dev.laml.recordings;

import dev.laml.recordings.internal.TranscriptionEncoder;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A recording's transcription, as returned by {@code GET …/Transcriptions/{Sid}.json} and the
 * transcription lists.
 *
 * <p>An immutable value; thread-safe. Decoded as loosely as {@link Recording}: numbers may arrive
 * as strings and strings as numbers, fields may be null or missing, unknown fields are ignored and
 * a status outside the specification is {@link TranscriptionStatus#UNKNOWN} with the text sent in
 * {@link #rawStatus()}. Refused (an {@link UnexpectedResponseException}) is only a {@code sid} that
 * is not a UUID: every sid this client hands out can be passed back to it
 * ({@code fetchTranscription}, {@code deleteTranscription}) and can never change a URL's path.
 * {@link #sid()} and {@link #status()} are never null; every other reference component may be null
 * when the server sent {@code null} or left the field out.
 *
 * @param sid               the transcription's id, a UUID (checked when decoded); never null
 * @param accountSid        the owning account (project) id; may be null
 * @param apiVersion        the API version, {@code 2010-04-01}; may be null
 * @param recordingSid      the recording transcribed, as sent (not checked: a transcription is not
 *                          lost for an odd recording id); may be null
 * @param dateCreated       when the transcription was created; may be null
 * @param dateUpdated       when it last changed; may be null
 * @param duration          the length of the transcribed audio; may be null
 * @param price             the charge, usually negative; null until priced
 * @param priceUnit         ISO 4217 currency of {@link #price()}; may be null
 * @param status            the state; {@link TranscriptionStatus#UNKNOWN} for unlisted values; never
 *                          null
 * @param transcriptionText the text; null when not available (yet), or when the transcription failed
 * @param type              the type as sent (the API sends an empty string today); may be null
 * @param uri               the resource's path as the server wrote it; may be null
 * @param rawStatus         the status exactly as sent, kept for values outside the enum; may be null
 */
public record Transcription(
        String sid,
        @Nullable String accountSid,
        @Nullable String apiVersion,
        @Nullable String recordingSid,
        @Nullable OffsetDateTime dateCreated,
        @Nullable OffsetDateTime dateUpdated,
        @Nullable Duration duration,
        @Nullable BigDecimal price,
        @Nullable String priceUnit,
        TranscriptionStatus status,
        @Nullable String transcriptionText,
        @Nullable String type,
        @Nullable String uri,
        @Nullable String rawStatus) {

    /**
     * Checks the components.
     *
     * @param sid               the transcription's id, a UUID (checked when decoded); never null
     * @param accountSid        the owning account (project) id; may be null
     * @param apiVersion        the API version, {@code 2010-04-01}; may be null
     * @param recordingSid      the recording transcribed, as sent (not checked: a transcription is not
     *                          lost for an odd recording id); may be null
     * @param dateCreated       when the transcription was created; may be null
     * @param dateUpdated       when it last changed; may be null
     * @param duration          the length of the transcribed audio; may be null
     * @param price             the charge, usually negative; null until priced
     * @param priceUnit         ISO 4217 currency of {@link #price()}; may be null
     * @param status            the state; {@link TranscriptionStatus#UNKNOWN} for unlisted values; never
     *                          null
     * @param transcriptionText the text; null when not available (yet), or when the transcription failed
     * @param type              the type as sent (the API sends an empty string today); may be null
     * @param uri               the resource's path as the server wrote it; may be null
     * @param rawStatus         the status exactly as sent, kept for values outside the enum; may be null
     * @throws NullPointerException if {@code sid} or {@code status} is null
     */
    public Transcription {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(status, "status");
    }

    /**
     * This transcription as one line of JSON with the API's field names ({@code sid}, {@code account_sid},
     * {@code recording_sid}, {@code status}, {@code transcription_text}, {@code duration}, {@code date_created},
     * {@code date_updated}, {@code price}, {@code price_unit}, {@code type}, {@code uri}, {@code api_version}), for
     * writing out: dates in ISO-8601 (not the API's RFC 2822), the duration in seconds and the price as numbers, a
     * status outside the specification as it was sent, absent values as {@code null}. What the CLI's
     * {@code transcripts --json} prints and what an archive's {@code {sid}.transcript.json} holds.
     *
     * @return a compact JSON object, without a line break; never null
     */
    public String toJson() {
        return TranscriptionEncoder.encode(this);
    }

    /**
     * Whether the transcription is final.
     *
     * @return true when the status is {@code completed}
     */
    public boolean isCompleted() {
        return status == TranscriptionStatus.COMPLETED;
    }
}
