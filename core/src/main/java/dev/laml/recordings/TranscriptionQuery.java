package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Objects;

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
public final class TranscriptionQuery {

    /** The API's largest page. */
    public static final int MAX_PAGE_SIZE = 1000;
    /** The API's default page, used when none is set. */
    public static final int DEFAULT_PAGE_SIZE = 50;

    private static final TranscriptionQuery ALL = new TranscriptionQuery(DEFAULT_PAGE_SIZE, null, null, null);

    private final int pageSize;
    private final @Nullable OffsetDateTime createdAfter;
    private final @Nullable OffsetDateTime createdBefore;
    private final @Nullable LocalDate createdOn;

    private TranscriptionQuery(int pageSize, @Nullable OffsetDateTime createdAfter, @Nullable OffsetDateTime createdBefore,
            @Nullable LocalDate createdOn) {
        this.pageSize = pageSize;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.createdOn = createdOn;
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
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be 1 to " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        return new TranscriptionQuery(pageSize, createdAfter, createdBefore, createdOn);
    }

    /**
     * Only transcriptions created at or after {@code time} ({@code DateCreated>}).
     *
     * @param time the bound; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdAfter(@Nullable OffsetDateTime time) {
        return new TranscriptionQuery(pageSize, time, createdBefore, createdOn);
    }

    /**
     * Only transcriptions created at or before {@code time} ({@code DateCreated<}).
     *
     * @param time the bound; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdBefore(@Nullable OffsetDateTime time) {
        return new TranscriptionQuery(pageSize, createdAfter, time, createdOn);
    }

    /**
     * Only transcriptions created on this UTC day ({@code DateCreated}).
     *
     * @param day the day; null removes the filter
     * @return a copy with this filter; never null
     */
    public TranscriptionQuery createdOn(@Nullable LocalDate day) {
        return new TranscriptionQuery(pageSize, createdAfter, createdBefore, day);
    }

    /**
     * The page size.
     *
     * @return 1 to {@value #MAX_PAGE_SIZE}
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * The lower bound on creation.
     *
     * @return the bound, or null when not filtered
     */
    public @Nullable OffsetDateTime createdAfter() {
        return createdAfter;
    }

    /**
     * The upper bound on creation.
     *
     * @return the bound, or null when not filtered
     */
    public @Nullable OffsetDateTime createdBefore() {
        return createdBefore;
    }

    /**
     * The day of creation.
     *
     * @return the day, or null when not filtered
     */
    public @Nullable LocalDate createdOn() {
        return createdOn;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TranscriptionQuery q && q.pageSize == pageSize && Objects.equals(q.createdAfter, createdAfter)
                && Objects.equals(q.createdBefore, createdBefore) && Objects.equals(q.createdOn, createdOn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageSize, createdAfter, createdBefore, createdOn);
    }

    @Override
    public String toString() {
        return "TranscriptionQuery[pageSize=" + pageSize
                + (createdAfter == null ? "" : ", createdAfter=" + createdAfter)
                + (createdBefore == null ? "" : ", createdBefore=" + createdBefore)
                + (createdOn == null ? "" : ", createdOn=" + createdOn) + "]";
    }
}
