/**
 * JMH benchmarks of the client against its peers, measured side by side in the same run. Not a library: nothing here
 * is API.
 */
@NullMarked
package dev.laml.recordings.benchmarks;

import org.jspecify.annotations.NullMarked;
