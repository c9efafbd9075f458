/**
 * The command's implementation: picocli commands, output formatting, exit codes. Not API: may change in any release; use {@link dev.laml.recordings.cli.RecordingsCli}.
 *
 * <p>Unless a type says otherwise, no method accepts or returns {@code null}, and instances are confined to the thread
 * of the run that created them.
 */
@NullMarked
package dev.laml.recordings.cli.internal;

import org.jspecify.annotations.NullMarked;
