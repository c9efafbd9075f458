package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * One page of a recordings list, for callers who page themselves.
 *
 * <p>An immutable value; thread-safe. {@code recordings} is never null (possibly empty);
 * {@code nextPageUri} is null on the last page.
 *
 * @param recordings  this page's recordings, newest first as the API orders them
 * @param page        the page number the server reported
 * @param pageSize    the page size the server reported
 * @param nextPageUri the server's {@code next_page_uri} (a path with its query, carrying the
 *                    {@code PageToken}), or null on the last page
 */
public record RecordingPage(List<Recording> recordings, int page, int pageSize, @Nullable String nextPageUri) {

    public RecordingPage {
        recordings = List.copyOf(Objects.requireNonNull(recordings, "recordings"));
    }

    /** True when the server announced a further page. */
    public boolean hasNext() {
        return nextPageUri != null;
    }
}
