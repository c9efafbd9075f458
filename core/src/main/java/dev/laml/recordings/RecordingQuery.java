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
public final class RecordingQuery extends FilteredQuery {

    /** The API's largest page. */
    public static final int MAX_PAGE_SIZE = CreationFilter.MAX_PAGE_SIZE;
    /** The API's default page, used when none is set. */
    public static final int DEFAULT_PAGE_SIZE = CreationFilter.DEFAULT_PAGE_SIZE;

    private static final RecordingQuery ALL = new RecordingQuery(CreationFilter.NONE, null, null);

    private final String callSid;
    private final String conferenceSid;

    private RecordingQuery(CreationFilter filter, String callSid, String conferenceSid) {
        super(filter);
        this.callSid = callSid;
        this.conferenceSid = conferenceSid;
    }

    /** Every recording of the account, 50 per page. */
    public static RecordingQuery all() {
        return ALL;
    }

    /** Recordings per page, 1 to {@value #MAX_PAGE_SIZE}; more per page means fewer requests. */
    public RecordingQuery pageSize(int pageSize) {
        return new RecordingQuery(filter.pageSize(pageSize), callSid, conferenceSid);
    }

    /** Only recordings created at or after {@code time} ({@code DateCreated>}); null removes the filter. */
    public RecordingQuery createdAfter(@Nullable OffsetDateTime time) {
        return new RecordingQuery(filter.createdAfter(time), callSid, conferenceSid);
    }

    /** Only recordings created at or before {@code time} ({@code DateCreated<}); null removes the filter. */
    public RecordingQuery createdBefore(@Nullable OffsetDateTime time) {
        return new RecordingQuery(filter.createdBefore(time), callSid, conferenceSid);
    }

    /** Only recordings created on this UTC day ({@code DateCreated}); null removes the filter. */
    public RecordingQuery createdOn(@Nullable LocalDate day) {
        return new RecordingQuery(filter.createdOn(day), callSid, conferenceSid);
    }

    /**
     * Only recordings of this call; null removes the filter.
     *
     * @throws IllegalArgumentException if not a UUID
     */
    public RecordingQuery callSid(@Nullable String callSid) {
        return new RecordingQuery(filter,
                callSid == null ? null : dev.laml.recordings.internal.Validation.uuid("callSid", callSid), conferenceSid);
    }

    /**
     * Only recordings of this conference; null removes the filter.
     *
     * @throws IllegalArgumentException if not a UUID
     */
    public RecordingQuery conferenceSid(@Nullable String conferenceSid) {
        return new RecordingQuery(filter, callSid,
                conferenceSid == null ? null : dev.laml.recordings.internal.Validation.uuid("conferenceSid", conferenceSid));
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
        return o instanceof RecordingQuery q && q.filter.equals(filter) && Objects.equals(q.callSid, callSid)
                && Objects.equals(q.conferenceSid, conferenceSid);
    }

    @Override
    public int hashCode() {
        return filter.hash(callSid, conferenceSid);
    }

    @Override
    public String toString() {
        return "RecordingQuery[" + filter
                + (callSid == null ? "" : ", callSid=" + callSid)
                + (conferenceSid == null ? "" : ", conferenceSid=" + conferenceSid) + "]";
    }
}
