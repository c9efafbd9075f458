package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.TranscriptionJson;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A transcription the {@link RecordingsServer} serves, made by {@link RecordingsServer#addTranscription(String, String)}
 * or, with {@link RecordingsServer.Builder#transcribeRecordings(boolean)}, for every recording added. It is served
 * (listed, fetched, deletable) from {@link #availableAt()}: the moment its recording completes, or when it was added
 * if that is later, as SignalWire transcribes a recording only once it is complete.
 *
 * <p>Immutable and thread-safe. No method returns null.
 */
public final class TestTranscription {

    private final String sid;
    private final String accountSid;
    private final String recordingSid;
    private final OffsetDateTime dateCreated;
    private final long durationSeconds;
    private final String status;
    private final String text;
    private final Instant availableAt;
    private final String json;

    TestTranscription(String sid, String accountSid, String recordingSid, OffsetDateTime dateCreated,
            long durationSeconds, String status, String text, Instant availableAt) {
        this.sid = Objects.requireNonNull(sid, "sid");
        this.accountSid = Objects.requireNonNull(accountSid, "accountSid");
        this.recordingSid = Objects.requireNonNull(recordingSid, "recordingSid");
        this.dateCreated = Objects.requireNonNull(dateCreated, "dateCreated");
        this.durationSeconds = durationSeconds;
        this.status = Objects.requireNonNull(status, "status");
        this.text = text;
        this.availableAt = Objects.requireNonNull(availableAt, "availableAt");
        // $0.05 per started minute, negative as the API reports charges.
        BigDecimal price = BigDecimal.valueOf(-5L * ((durationSeconds + 59) / 60), 2);
        this.json = TranscriptionJson.transcription(sid, accountSid, recordingSid, dateCreated, durationSeconds, price,
                status, text);
    }

    /**
     * The transcription's sid.
     *
     * @return a random UUID
     */
    public String sid() {
        return sid;
    }

    /**
     * The account it belongs to: its recording's.
     *
     * @return the account sid
     */
    public String accountSid() {
        return accountSid;
    }

    /**
     * The recording transcribed.
     *
     * @return the recording's sid
     */
    public String recordingSid() {
        return recordingSid;
    }

    /**
     * Its {@code date_created}, to the second.
     *
     * @return the creation time
     */
    public OffsetDateTime dateCreated() {
        return dateCreated;
    }

    /**
     * Its {@code duration}: its recording's length.
     *
     * @return whole seconds
     */
    public long durationSeconds() {
        return durationSeconds;
    }

    /**
     * Its {@code status}.
     *
     * @return {@code completed}
     */
    public String status() {
        return status;
    }

    /**
     * Its {@code transcription_text}.
     *
     * @return the text
     */
    public String text() {
        return text;
    }

    /**
     * When it starts being served.
     *
     * @return the server-clock instant from which it is served
     */
    public Instant availableAt() {
        return availableAt;
    }

    /**
     * The JSON document {@code GET …/Transcriptions/{Sid}.json} serves.
     *
     * @return the document
     */
    public String json() {
        return json;
    }

    boolean isAvailable(Instant now) {
        return !now.isBefore(availableAt);
    }

    @Override
    public String toString() {
        return "TestTranscription[" + sid + " of recording " + recordingSid + ", " + status + "]";
    }
}
