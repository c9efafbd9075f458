/**
 * Recordings archived as they complete, driven by SignalWire's signed recording status callbacks: a server-agnostic
 * receiver ({@link dev.laml.recordings.events.RecordingEvents}, with {@link dev.laml.recordings.events.RecordingEventsServer}
 * as a plain HTTP adapter), a durable inbox ({@link dev.laml.recordings.events.RecordingInbox}: SQLite, or PostgreSQL
 * shared by several instances) and workers ({@link dev.laml.recordings.events.RecordingWorkers}) archiving each
 * recording once into any {@link dev.laml.recordings.reactor.ArchiveTarget}.
 *
 * <p>Uses only the public API of the client ({@code dev.laml.recordings.reactor}) and of core's
 * {@code dev.laml.recordings.webhooks}. Parameters and results are non-null unless a member says otherwise.
 */
@NullMarked
package dev.laml.recordings.events;

import org.jspecify.annotations.NullMarked;
