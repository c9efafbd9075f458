/**
 * The recordings API's model and errors, free of any I/O library: {@link dev.laml.recordings.Recording} and its
 * enums, {@link dev.laml.recordings.RecordingQuery} and {@link dev.laml.recordings.RecordingPage},
 * {@link dev.laml.recordings.AudioFormat}, {@link dev.laml.recordings.ByteRange}, {@link dev.laml.recordings.RetryPolicy},
 * and the unchecked exceptions a call ends with ({@link dev.laml.recordings.ApiException} for what the server said,
 * {@link dev.laml.recordings.TransferException} for a transfer that broke).
 *
 * <p>The package is {@link org.jspecify.annotations.NullMarked}: no parameter or result is {@code null} unless it is
 * marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.laml.recordings;

import org.jspecify.annotations.NullMarked;
