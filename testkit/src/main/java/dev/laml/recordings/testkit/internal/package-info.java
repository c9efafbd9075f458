/**
 * Implementation details of the testkit: audio synthesis, JSON rendering, HTTP helpers and traffic counters.
 *
 * <p>Not API: may change in any release. These types are public only so that the {@code dev.laml.recordings.testkit}
 * package can use them. Depend on {@code dev.laml.recordings.testkit} instead.
 */
@NullMarked
package dev.laml.recordings.testkit.internal;

import org.jspecify.annotations.NullMarked;
