/**
 * The client: {@link dev.laml.recordings.reactor.RecordingsClient} runs core's protocol on Reactor Netty, returning
 * {@code Mono} and {@code Flux}; with {@link dev.laml.recordings.reactor.AudioResponse} for a response's headers
 * before its body, and {@link dev.laml.recordings.reactor.ArchiveTarget}, {@link dev.laml.recordings.reactor.ArchiveOptions}
 * and {@link dev.laml.recordings.reactor.ArchiveEvent} for archiving.
 *
 * <p>The package is {@link org.jspecify.annotations.NullMarked}: no parameter or result is {@code null} unless it is
 * marked {@link org.jspecify.annotations.Nullable}. No Netty or Reactor Netty type appears in its signatures.
 */
@NullMarked
package dev.laml.recordings.reactor;

import org.jspecify.annotations.NullMarked;
