/**
 * The {@code recordings} command line tool; {@link dev.laml.recordings.cli.RecordingsCli} is its only public type.
 *
 * <p>No method accepts or returns {@code null}.
 */
package dev.laml.recordings.cli;
