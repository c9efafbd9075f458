/**
 * PROTOTYPE, benchmarks only: a copy of {@code reactor-adapter}'s {@code RecordingsClient} and
 * {@code internal} package as of commit {@code 70f47ee}, with switches ({@link
 * dev.laml.recordings.benchmarks.prototype.Tuning}) for the hot-path changes proposed in
 * BENCHMARKS.md, so each can be measured alone against the real adapter. It is not kept in step
 * with the adapter; if core's API moves on and this stops compiling, delete the package together
 * with {@code PrototypeDownloader} and the {@code proto} branches in FileSink and MetadataFetch.
 */
package dev.laml.recordings.benchmarks.prototype;
