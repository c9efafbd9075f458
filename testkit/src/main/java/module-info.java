/**
 * The laml-recordings testkit: a local stand-in for the recordings API ({@code RecordingsServer}, recordings, faults,
 * status callbacks) in the one exported package {@code dev.laml.recordings.testkit}.
 * {@code dev.laml.recordings.testkit.internal} is not exported: not API, it may change in any release.
 *
 * <p>The API shows only JDK types, JSpecify's annotations and, in {@code RecordingsServerExtension}, JUnit Jupiter's
 * extension interfaces; JUnit is optional (static) as in the pom: an application without it never loads that class.
 * Reactor, Reactor Netty and Netty (the server, and the certificate netty-pkitesting generates) are implementation
 * and are not read by readers of this module.
 */
module dev.laml.recordings.testkit {
    // In the API's signatures (@NullMarked, @Nullable), so every reader of this module reads it too.
    requires transitive org.jspecify;
    // RecordingsServerExtension implements Jupiter's callbacks; optional, as the dependency is.
    requires static transitive org.junit.jupiter.api;

    requires reactor.core;
    requires org.reactivestreams;
    requires reactor.netty.core;
    requires reactor.netty.http;
    requires io.netty.buffer;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.pkitesting;
    requires io.netty.transport;
    // Not named here, but loaded by Reactor Netty's HTTP server and client, an automatic module that cannot declare
    // what it needs: without these, on the module path, starting the server fails with NoClassDefFoundError.
    requires io.netty.codec.http2;
    requires io.netty.codec.classes.quic;
    requires io.netty.resolver.dns;

    exports dev.laml.recordings.testkit;
}
