/**
 * The laml-recordings client on Reactor Netty: {@code RecordingsClient} and the types of its API, in the one exported
 * package {@code dev.laml.recordings.reactor}. {@code dev.laml.recordings.reactor.internal} is not exported: not API,
 * it may change in any release.
 *
 * <p>Reactor's {@code Mono} and {@code Flux} are in the API's signatures, so reactor-core (and Reactive Streams) are
 * read by every reader of this module, as is core's model; Netty and Reactor Netty are implementation and are not.
 * Micrometer is optional: metrics are reached by reflection only when a registry is given.
 *
 * <p>On the module path, TLS on OpenSSL ({@code TlsEngine.AUTO}'s first choice) needs netty-tcnative's modules in the
 * module graph, which nothing can require for every platform: {@code --add-modules
 * io.netty.tcnative.classes.openssl,io.netty.internal.tcnative.openssl.linux.x86_64} (the platform's own); without
 * them {@code AUTO} uses the JDK's engine. On the class path nothing needs to be added.
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
    // Not named here, but loaded by Reactor Netty's HTTP client, an automatic module that cannot declare what it needs:
    // without these, on the module path, building a client fails with NoClassDefFoundError.
    requires io.netty.codec.http2;
    requires io.netty.codec.classes.quic;
    requires io.netty.resolver.dns;
    requires static micrometer.core;

    exports dev.laml.recordings.reactor;
}
