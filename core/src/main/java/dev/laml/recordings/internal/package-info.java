/**
 * Implementation of core: validation, JSON decoding, HTTP dates, error bodies, signed URLs.
 *
 * <p>Not API: may change in any release. The types are public only because other packages of this module use them.
 */
@NullMarked
package dev.laml.recordings.internal;

import org.jspecify.annotations.NullMarked;
