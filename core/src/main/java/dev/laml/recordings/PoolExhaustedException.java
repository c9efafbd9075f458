package dev.laml.recordings;

/**
 * No connection could be had: every pooled connection is busy and the queue of waiting requests
 * is full, or a request waited longer than the pending-acquire timeout. Raise
 * {@code maxConnections} or {@code pendingAcquireMaxCount}, or lower the caller's concurrency
 * (for example the {@code concurrency} argument of {@code flatMap}). Never retried: retrying
 * would only lengthen the queue.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class PoolExhaustedException extends TransferException {

    private static final long serialVersionUID = 1L;

    public PoolExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
