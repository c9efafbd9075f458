package dev.laml.recordings.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Read access to a response's headers, so that core can interpret a response without knowing
 * the transport's header type (an adapter passes {@code nettyHeaders::get} or an equivalent; no
 * copy is made).
 *
 * <p>Implementations must be case-insensitive on names, as HTTP is. Core calls them only on the
 * thread that handed them over, while interpreting that one response, so they need not be
 * thread-safe. Names passed in are never null; a missing header is null, never an empty string
 * stand-in.
 */
@FunctionalInterface
public interface HeaderLookup {

    /** The first value of the named header, or null when absent. */
    @Nullable String get(String name);
}
