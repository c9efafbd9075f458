package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Which recordings a list returns: filters on creation date, call and conference, and the page
 * size. Start from {@link #all()} and narrow with the fluent copies:
 *
 * <pre>{@code
 * RecordingQuery.all().pageSize(100).createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z"))
 * }</pre>
 *
 * <p>An immutable value; thread-safe. Every filter is optional (null means "not filtered");
 * setters validate at call time and return a modified copy.
 */
public final class RecordingQuery {

    /** The API's largest page. */
    public static final int MAX_PAGE_SIZE = 1000;
    /** The API's default page, used when none is set. */
    public static final int DEFAULT_PAGE_SIZE = 50;

    private static final RecordingQuery ALL = new RecordingQuery(DEFAULT_PAGE_SIZE, null, null, null, null, null);

    private final int pageSize;
    private final OffsetDateTime createdAfter;
    private final OffsetDateTime createdBefore;
    private final LocalDate createdOn;
    private final String callSid;
    private final String conferenceSid;

    private RecordingQuery(int pageSize, OffsetDateTime createdAfter, OffsetDateTime createdBefore, LocalDate createdOn,
            String callSid, String conferenceSid) {
        this.pageSize = pageSize;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.createdOn = createdOn;
        this.callSid = callSid;
        this.conferenceSid = conferenceSid;
    }

    /** Every recording of the account, 50 per page. */
    public static RecordingQuery all() {
        return ALL;
    }

    /** Recordings per page, 1 to {@value #MAX_PAGE_SIZE}; more per page means fewer requests. */
    public RecordingQuery pageSize(int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be 1 to " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        return new RecordingQuery(pageSize, createdAfter, createdBefore, createdOn, callSid, conferenceSid);
    }

    /** Only recordings created at or after {@code time} ({@code DateCreated>}); null removes the filter. */
    public RecordingQuery createdAfter(@Nullable OffsetDateTime time) {
        return new RecordingQuery(pageSize, time, createdBefore, createdOn, callSid, conferenceSid);
    }

    /** Only recordings created at or before {@code time} ({@code DateCreated<}); null removes the filter. */
    public RecordingQuery createdBefore(@Nullable OffsetDateTime time) {
        return new RecordingQuery(pageSize, createdAfter, time, createdOn, callSid, conferenceSid);
    }

    /** Only recordings created on this UTC day ({@code DateCreated}); null removes the filter. */
    public RecordingQuery createdOn(@Nullable LocalDate day) {
        return new RecordingQuery(pageSize, createdAfter, createdBefore, day, callSid, conferenceSid);
    }

    /**
     * Only recordings of this call; null removes the filter.
     *
     * @throws IllegalArgumentException if not a UUID
     */
    public RecordingQuery callSid(@Nullable String callSid) {
        return new RecordingQuery(pageSize, createdAfter, createdBefore, createdOn,
                callSid == null ? null : dev.laml.recordings.internal.Validation.uuid("callSid", callSid), conferenceSid);
    }

    /**
     * Only recordings of this conference; null removes the filter.
     *
     * @throws IllegalArgumentException if not a UUID
     */
    public RecordingQuery conferenceSid(@Nullable String conferenceSid) {
        return new RecordingQuery(pageSize, createdAfter, createdBefore, createdOn, callSid,
                conferenceSid == null ? null : dev.laml.recordings.internal.Validation.uuid("conferenceSid", conferenceSid));
    }

    public int pageSize() {
        return pageSize;
    }

    /** May be null. */
    public @Nullable OffsetDateTime createdAfter() {
        return createdAfter;
    }

    /** May be null. */
    public @Nullable OffsetDateTime createdBefore() {
        return createdBefore;
    }

    /** May be null. */
    public @Nullable LocalDate createdOn() {
        return createdOn;
    }

    /** May be null. */
    public @Nullable String callSid() {
        return callSid;
    }

    /** May be null. */
    public @Nullable String conferenceSid() {
        return conferenceSid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordingQuery q && q.pageSize == pageSize && Objects.equals(q.createdAfter, createdAfter)
                && Objects.equals(q.createdBefore, createdBefore) && Objects.equals(q.createdOn, createdOn)
                && Objects.equals(q.callSid, callSid) && Objects.equals(q.conferenceSid, conferenceSid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageSize, createdAfter, createdBefore, createdOn, callSid, conferenceSid);
    }

    @Override
    public String toString() {
        return "RecordingQuery[pageSize=" + pageSize
                + (createdAfter == null ? "" : ", createdAfter=" + createdAfter)
                + (createdBefore == null ? "" : ", createdBefore=" + createdBefore)
                + (createdOn == null ? "" : ", createdOn=" + createdOn)
                + (callSid == null ? "" : ", callSid=" + callSid)
                + (conferenceSid == null ? "" : ", conferenceSid=" + conferenceSid) + "]";
    }
}
