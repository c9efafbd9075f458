package dev.laml.recordings;

/**
 * A download broke off and could not be resumed because the recording on the server is no
 * longer the one whose first bytes were already delivered: its {@code ETag} or
 * {@code Last-Modified} changed, or the server answered a range request with a body that does not
 * continue the first one. Never retried: the bytes already emitted belong to a different
 * version, so the caller must start over.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class ContentChangedException extends TransferException {

    private static final long serialVersionUID = 1L;

    public ContentChangedException(String message) {
        super(message);
    }
}
