package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

/**
 * The body ended before all the bytes its {@code Content-Length} announced had arrived (or, more
 * rarely, more bytes arrived than announced). A download that fails this way never completes
 * normally: a short file is never passed off as a whole one.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class IncompleteBodyException extends TransferException {

    private static final long serialVersionUID = 1L;

    private final long received;
    private final long expected;

    public IncompleteBodyException(String message, long received, long expected, @Nullable Throwable cause) {
        super(message, cause);
        this.received = received;
        this.expected = expected;
    }

    /** How many body bytes arrived (and were emitted) before the body ended. */
    public long received() {
        return received;
    }

    /** How many the response announced; -1 when it announced none. */
    public long expected() {
        return expected;
    }
}
