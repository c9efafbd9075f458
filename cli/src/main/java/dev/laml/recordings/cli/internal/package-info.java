/**
 * The command's implementation: picocli commands, output formatting, exit codes. Not an API: anything here may change
 * without notice; use {@link dev.laml.recordings.cli.RecordingsCli}.
 *
 * <p>Unless a type says otherwise, no method accepts or returns {@code null}, and instances are confined to the thread
 * of the run that created them.
 */
package dev.laml.recordings.cli.internal;
