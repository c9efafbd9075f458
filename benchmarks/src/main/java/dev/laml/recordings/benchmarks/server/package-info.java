/**
 * The servers the benchmarks download from, in this process or a forked one. Not a library: nothing here is API.
 */
@NullMarked
package dev.laml.recordings.benchmarks.server;

import org.jspecify.annotations.NullMarked;
