/**
 * The downloaders the benchmarks compare: this client and its peers, each behind one interface. Not a library:
 * nothing here is API.
 */
@NullMarked
package dev.laml.recordings.benchmarks.clients;

import org.jspecify.annotations.NullMarked;
