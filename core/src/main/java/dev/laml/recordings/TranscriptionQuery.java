package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * Which transcriptions an account's list returns: filters on creation date, and the page size. Start
 * from {@link #all()} and narrow with the fluent copies:
 *
 * <pre>{@code
 * TranscriptionQuery.all().pageSize(100).createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z"))
 * }</pre>
 *
 * <p>The API's filters are {@code DateCreated}, {@code DateCreated<} and {@code DateCreated>}
 * (RFC 2822), as for recordings ({@link RecordingQuery}).
 *
 * <p>An immutable value; thread-safe. Every filter is optional (null means "not filtered");
 * setters validate at call time and return a modified copy.
 */
public final class TranscriptionQuery extends FilteredQuery {

    /** The API's largest page. */
    public static final int MAX_PAGE_SIZE = CreationFilter.MAX_PAGE_SIZE;
    /** The API's default page, used when none is set. */
    public static final int DEFAULT_PAGE_SIZE = CreationFilter.DEFAULT_PAGE_SIZE;

    private static final TranscriptionQuery ALL = new TranscriptionQuery(CreationFilter.NONE);

    private TranscriptionQuery(CreationFilter filter) {
        super(filter);
    }

    /**
     * Every transcription of the account, 50 per page.
     *
     * @return the unfiltered query; never null
     */
    public static TranscriptionQuery all() {
        return ALL;
    }

    /**
     * Transcriptions per page; more per page means fewer requests.
     *
     * @param pageSize 1 to {@value #MAX_PAGE_SIZE}
     * @return a copy with this page size; never null
     * @throws IllegalArgumentException if out of range
     */
    public TranscriptionQuery pageSize(int pageSize) {
        return new TranscriptionQuery(filter.pageSize(pageSize));
    }

    /**
     * Only transcriptions created at or after {@code time} ({@code DateCreated>}).
     *
     * @param time the bound; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdAfter(@Nullable OffsetDateTime time) {
        return new TranscriptionQuery(filter.createdAfter(time));
    }

    /**
     * Only transcriptions created at or before {@code time} ({@code DateCreated<}).
     *
     * @param time the bound; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdBefore(@Nullable OffsetDateTime time) {
        return new TranscriptionQuery(filter.createdBefore(time));
    }

    /**
     * Only transcriptions created on this UTC day ({@code DateCreated}).
     *
     * @param day the day; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdOn(@Nullable LocalDate day) {
        return new TranscriptionQuery(filter.createdOn(day));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TranscriptionQuery q && q.filter.equals(filter);
    }

    @Override
    public int hashCode() {
        return filter.hashCode();
    }

    @Override
    public String toString() {
        return "TranscriptionQuery[" + filter + "]";
    }
}
