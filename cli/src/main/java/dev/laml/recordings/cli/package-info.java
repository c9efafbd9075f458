/**
 * The {@code recordings} command line tool; {@link dev.laml.recordings.cli.RecordingsCli} is its only public type.
 *
 * <p>No method accepts or returns {@code null}.
 */
@NullMarked
package dev.laml.recordings.cli;

import org.jspecify.annotations.NullMarked;
