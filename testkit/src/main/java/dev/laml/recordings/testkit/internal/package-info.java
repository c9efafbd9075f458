/**
 * Implementation details of the testkit: audio synthesis, JSON rendering, HTTP helpers and traffic counters.
 *
 * <p>Not API: these types are public only so that the {@code dev.laml.recordings.testkit} package can use them, and
 * they may change in any release without notice. Depend on {@code dev.laml.recordings.testkit} instead.
 */
package dev.laml.recordings.testkit.internal;
