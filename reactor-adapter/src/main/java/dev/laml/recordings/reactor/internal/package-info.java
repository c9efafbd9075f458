/**
 * Implementation of the client: transport, TLS and proxy set-up, retries and resume, pagination, file sinks, the
 * archiver, metrics.
 *
 * <p>Not API: may change in any release. The types are public only because other packages of this module use them.
 */
@NullMarked
package dev.laml.recordings.reactor.internal;

import org.jspecify.annotations.NullMarked;
