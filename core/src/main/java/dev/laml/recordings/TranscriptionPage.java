package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * One page of a transcriptions list.
 *
 * <p>An immutable value; thread-safe. {@code transcriptions} is never null (possibly empty);
 * {@code nextPageUri} is null on the last page.
 *
 * @param transcriptions this page's transcriptions, newest first as the API orders them
 * @param page           the page number the server reported
 * @param pageSize       the page size the server reported
 * @param nextPageUri    the server's {@code next_page_uri} (a path with its query, carrying the
 *                       {@code PageToken}), or null on the last page
 */
public record TranscriptionPage(List<Transcription> transcriptions, int page, int pageSize, @Nullable String nextPageUri) {

    /**
     * Checks the components.
     *
     * @param transcriptions this page's transcriptions, newest first as the API orders them
     * @param page           the page number the server reported
     * @param pageSize       the page size the server reported
     * @param nextPageUri    the server's {@code next_page_uri} (a path with its query, carrying the
     *                       {@code PageToken}), or null on the last page
     * @throws NullPointerException if {@code transcriptions} is null or holds null
     */
    public TranscriptionPage {
        transcriptions = List.copyOf(Objects.requireNonNull(transcriptions, "transcriptions"));
    }

    /**
     * Whether the server announced a further page.
     *
     * @return true when {@link #nextPageUri()} is not null
     */
    public boolean hasNext() {
        return nextPageUri != null;
    }
}
