/**
 * The sans-IO core of laml-recordings: the recordings API's model, errors and protocol, with no Reactor, no Netty, no
 * threads and no sockets (this module reads no module that has them).
 *
 * <p>Exports only its API packages: {@code dev.laml.recordings} (model, errors), {@code dev.laml.recordings.protocol}
 * (requests and responses for adapters) and {@code dev.laml.recordings.webhooks}. {@code dev.laml.recordings.internal}
 * is not exported: not API, it may change in any release.
 */
module dev.laml.recordings {
    requires com.fasterxml.jackson.core;
    // In the API's signatures (@NullMarked, @Nullable), so every reader of this module reads it too.
    requires transitive org.jspecify;

    exports dev.laml.recordings;
    exports dev.laml.recordings.protocol;
    exports dev.laml.recordings.webhooks;
}
