package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * The accessors {@link RecordingQuery} and {@link TranscriptionQuery} share, read from their {@link CreationFilter}.
 * Package-private: the API names only the two public queries, whose public methods these are (the fluent copies
 * stay in each query, as they return its own type).
 *
 * <p>Immutable; thread-safe.
 */
abstract class FilteredQuery {

    /** The page size and creation filters; never null. */
    final CreationFilter filter;

    FilteredQuery(CreationFilter filter) {
        this.filter = filter;
    }

    /**
     * The page size.
     *
     * @return 1 to 1000 (the API's largest page)
     */
    public int pageSize() {
        return filter.pageSize;
    }

    /**
     * The lower bound on creation.
     *
     * @return the bound, or null when not filtered
     */
    public @Nullable OffsetDateTime createdAfter() {
        return filter.createdAfter;
    }

    /**
     * The upper bound on creation.
     *
     * @return the bound, or null when not filtered
     */
    public @Nullable OffsetDateTime createdBefore() {
        return filter.createdBefore;
    }

    /**
     * The day of creation.
     *
     * @return the day, or null when not filtered
     */
    public @Nullable LocalDate createdOn() {
        return filter.createdOn;
    }
}
