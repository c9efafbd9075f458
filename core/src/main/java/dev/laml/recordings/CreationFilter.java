package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * What {@link RecordingQuery} and {@link TranscriptionQuery} have in common: the page size and the three creation
 * filters ({@code DateCreated}, {@code DateCreated<}, {@code DateCreated>}), with one validation, one equality and
 * one description, so that the two lists cannot drift apart. Package-private: each query stays its own public
 * type (the API names them), holding one of these.
 *
 * <p>An immutable value; thread-safe. A null filter means "not filtered".
 */
final class CreationFilter {

    /** The API's largest page, for every list. */
    static final int MAX_PAGE_SIZE = 1000;
    /** The API's default page, used when none is set. */
    static final int DEFAULT_PAGE_SIZE = 50;
    /** No filter, the default page. */
    static final CreationFilter NONE = new CreationFilter(DEFAULT_PAGE_SIZE, null, null, null);

    final int pageSize;
    final @Nullable OffsetDateTime createdAfter;
    final @Nullable OffsetDateTime createdBefore;
    final @Nullable LocalDate createdOn;

    private CreationFilter(int pageSize, @Nullable OffsetDateTime createdAfter, @Nullable OffsetDateTime createdBefore,
            @Nullable LocalDate createdOn) {
        this.pageSize = pageSize;
        this.createdAfter = createdAfter;
        this.createdBefore = createdBefore;
        this.createdOn = createdOn;
    }

    /** A copy with this page size; throws IllegalArgumentException unless 1 to {@value #MAX_PAGE_SIZE}. */
    CreationFilter pageSize(int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize must be 1 to " + MAX_PAGE_SIZE + ", got " + pageSize);
        }
        return new CreationFilter(pageSize, createdAfter, createdBefore, createdOn);
    }

    CreationFilter createdAfter(@Nullable OffsetDateTime time) {
        return new CreationFilter(pageSize, time, createdBefore, createdOn);
    }

    CreationFilter createdBefore(@Nullable OffsetDateTime time) {
        return new CreationFilter(pageSize, createdAfter, time, createdOn);
    }

    CreationFilter createdOn(@Nullable LocalDate day) {
        return new CreationFilter(pageSize, createdAfter, createdBefore, day);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CreationFilter f && f.pageSize == pageSize && Objects.equals(f.createdAfter, createdAfter)
                && Objects.equals(f.createdBefore, createdBefore) && Objects.equals(f.createdOn, createdOn);
    }

    /** The hash of the page size and filters, followed by the owner's {@code more} fields (as {@link Objects#hash}). */
    int hash(@Nullable Object... more) {
        Object[] all = new Object[4 + more.length];
        all[0] = pageSize;
        all[1] = createdAfter;
        all[2] = createdBefore;
        all[3] = createdOn;
        System.arraycopy(more, 0, all, 4, more.length);
        return Objects.hash(all);
    }

    @Override
    public int hashCode() {
        return hash();
    }

    /** {@code pageSize=N} and the filters set, as the queries' {@code toString()} lists them. */
    @Override
    public String toString() {
        return "pageSize=" + pageSize
                + (createdAfter == null ? "" : ", createdAfter=" + createdAfter)
                + (createdBefore == null ? "" : ", createdBefore=" + createdBefore)
                + (createdOn == null ? "" : ", createdOn=" + createdOn);
    }
}
