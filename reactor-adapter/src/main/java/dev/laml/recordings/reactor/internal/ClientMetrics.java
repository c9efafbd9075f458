package dev.laml.recordings.reactor.internal;

import reactor.netty.resources.ConnectionProvider;

/**
 * What the client reports about itself, in terms free of any metrics library: the client calls
 * these at a handful of points per download or request (never per buffer), and
 * {@link #NONE} makes them free when nobody listens. {@link MicrometerMetrics} is the one
 * implementation that talks to a library, and it is only loaded when a registry was given, so
 * Micrometer need not be on the classpath otherwise.
 *
 * <p>Implementations are thread-safe.
 */
public interface ClientMetrics {

    ClientMetrics NONE = new ClientMetrics() {
    };

    /** Lets the implementation hook into the connection pool (gauges); by default nothing. */
    default ConnectionProvider.Builder configurePool(ConnectionProvider.Builder pool) {
        return pool;
    }

    default void downloadStarted() {
    }

    /** A download delivered all its bytes. */
    default void downloadCompleted(long bytes) {
    }

    /** A download ended in an error, or was cancelled, after delivering {@code bytes}. */
    default void downloadFailed(long bytes) {
    }

    /** An attempt is about to be repeated from the start. */
    default void retried() {
    }

    /** A broken body is about to be resumed from an offset. */
    default void resumed() {
    }

    /** A metadata request (fetch, list page, delete) took {@code nanos}. */
    default void metadataLatency(long nanos, boolean success) {
    }
}
