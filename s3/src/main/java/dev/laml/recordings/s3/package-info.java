/**
 * An {@link dev.laml.recordings.reactor.ArchiveTarget} on Amazon S3 (or any S3-compatible store) through the AWS SDK
 * v2's asynchronous client: {@link dev.laml.recordings.s3.S3Target}, streamed uploads with checksums.
 *
 * <p>The package is {@link org.jspecify.annotations.NullMarked}: no parameter or result is {@code null} unless it is
 * marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.laml.recordings.s3;

import org.jspecify.annotations.NullMarked;
