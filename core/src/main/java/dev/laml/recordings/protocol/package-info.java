/**
 * The recordings protocol without I/O, for adapters: {@link dev.laml.recordings.protocol.RecordingsProtocol} turns
 * calls into {@link dev.laml.recordings.protocol.ApiRequest}s and responses (status, headers, body bytes) into
 * results or typed exceptions; an adapter only moves the bytes.
 *
 * <p>The package is {@link org.jspecify.annotations.NullMarked}: no parameter or result is {@code null} unless it is
 * marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.laml.recordings.protocol;

import org.jspecify.annotations.NullMarked;
