/**
 * The laml-recordings client on Reactor Netty: {@code RecordingsClient} and the types of its API, in the one exported
 * package {@code dev.laml.recordings.reactor}. {@code dev.laml.recordings.reactor.internal} is not exported: not API,
 * it may change in any release.
 *
 * <p>Reactor's {@code Mono} and {@code Flux} are in the API's signatures, so reactor-core (and Reactive Streams) are
 * read by every reader of this module, as is core's model; Netty and Reactor Netty are implementation and are not.
 * Micrometer is optional: metrics are reached by reflection only when a registry is given.
 */
module dev.laml.recordings.reactor {
    requires transitive dev.laml.recordings;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;

    requires com.fasterxml.jackson.core;
    requires reactor.netty.core;
    requires reactor.netty.http;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.handler.proxy;
    requires io.netty.transport;
    requires static micrometer.core;

    exports dev.laml.recordings.reactor;
}
