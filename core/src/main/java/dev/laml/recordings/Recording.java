package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A recording's metadata, as returned by {@code GET …/Recordings/{Sid}.json}.
 *
 * <p>An immutable value; thread-safe. Nullability follows what real servers send:
 * {@link #sid()}, {@link #status()} and {@link #source()} are never null; every other reference
 * component may be null when the server sent {@code null} or left the field out.
 *
 * <p>What a metadata answer may hold, as this client decodes it (real payloads are loose, and
 * only what no use can be made of is refused, as an
 * {@link UnexpectedResponseException}, failing the fetch or the whole page of a list):
 * <ul>
 *   <li>a {@code sid} that is not a UUID is refused: every sid this client hands out can be passed
 *       back to it ({@code download}, {@code delete}) and can never change a URL's path;</li>
 *   <li>{@code channels} (or {@code channel}) below 1 is refused;</li>
 *   <li>a negative {@code duration} is kept as sent and means the length is not known (yet): the
 *       API reports {@code -1} while a recording is in progress;</li>
 *   <li>dates are kept as sent, in whatever order: a {@code date_updated} before
 *       {@code date_created}, or an {@code end_time} before {@code start_time}, is the server's
 *       clocks disagreeing, not a reason to lose the recording; order recordings by
 *       {@code date_created} alone.</li>
 * </ul>
 *
 * @param sid           the recording's id, a UUID (checked when decoded); never null
 * @param accountSid    the owning account (project) id
 * @param callSid       the call recorded, null for conference recordings
 * @param conferenceSid the conference recorded, null for call recordings
 * @param channels      1 (mono) or 2 (dual-channel); 1 when the server omitted it; never below 1
 *                      when decoded
 * @param dateCreated   when the recording resource was created
 * @param dateUpdated   when it last changed (as the server says: it may precede
 *                      {@code dateCreated})
 * @param startTime     when recording started
 * @param endTime       when recording ended
 * @param duration      the length; negative when not known, as while the recording is in
 *                      progress ({@code -1 s}, as the API reports it)
 * @param price         the charge, usually negative; null until priced
 * @param priceUnit     ISO 4217 currency of {@link #price()}
 * @param source        what started the recording; {@link RecordingSource#UNKNOWN} for values
 *                      the specification does not list
 * @param status        lifecycle state; {@link RecordingStatus#UNKNOWN} for unlisted values
 * @param errorCode     the API error code when recording failed, else null
 * @param uri           the resource's path as the server wrote it (it may lack the
 *                      {@code /api/laml} prefix)
 * @param trim          the trim setting ({@code trim-silence} or {@code do-not-trim})
 * @param apiVersion    the API version, {@code 2010-04-01}
 * @param rawStatus     the status exactly as sent, kept for values outside the enum
 * @param rawSource     the source exactly as sent, kept for values outside the enum
 */
public record Recording(
        String sid,
        @Nullable String accountSid,
        @Nullable String callSid,
        @Nullable String conferenceSid,
        int channels,
        @Nullable OffsetDateTime dateCreated,
        @Nullable OffsetDateTime dateUpdated,
        @Nullable OffsetDateTime startTime,
        @Nullable OffsetDateTime endTime,
        @Nullable Duration duration,
        @Nullable BigDecimal price,
        @Nullable String priceUnit,
        RecordingSource source,
        RecordingStatus status,
        @Nullable Integer errorCode,
        @Nullable String uri,
        @Nullable String trim,
        @Nullable String apiVersion,
        @Nullable String rawStatus,
        @Nullable String rawSource) {

    public Recording {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(status, "status");
    }

    /** True once the audio is final and can be downloaded in full. */
    public boolean isCompleted() {
        return status == RecordingStatus.COMPLETED;
    }
}
