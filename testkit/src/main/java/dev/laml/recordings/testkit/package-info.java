/**
 * A local, in-memory stand-in for SignalWire's Compatibility ("LaML") REST API recordings endpoints, for tests, demos
 * and benchmarks: start a {@link dev.laml.recordings.testkit.RecordingsServer}, add recordings from a
 * {@link dev.laml.recordings.testkit.RecordingSpec}, point the client at
 * {@link dev.laml.recordings.testkit.RecordingsServer#baseUrl()}, and inject
 * {@link dev.laml.recordings.testkit.Fault}s to exercise failure handling. It also pushes signed recording status
 * callbacks to a receiver under test ({@link dev.laml.recordings.testkit.RecordingsServer.Builder#statusCallback}), with
 * {@link dev.laml.recordings.testkit.CallbackFault}s of their own.
 *
 * <p>Unless a type says otherwise, no method accepts or returns {@code null}.
 */
@NullMarked
package dev.laml.recordings.testkit;

import org.jspecify.annotations.NullMarked;
