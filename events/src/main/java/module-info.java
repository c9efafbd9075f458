/**
 * Recordings archived as they complete, driven by signed recording status callbacks: the receiver, the durable inbox
 * and the workers, in the one exported package {@code dev.laml.recordings.events}.
 * {@code dev.laml.recordings.events.internal} is not exported: not API, it may change in any release.
 *
 * <p>The API shows the client's types ({@code RecordingsClient}, {@code ArchiveTarget}, {@code ArchiveOptions}), core's
 * {@code WebhookSignature} and Reactor's {@code Mono} and {@code Flux}: all are read through the client module, which
 * reads core and reactor-core transitively. Reactor Netty (the plain HTTP adapter), Netty and Jackson (the callback
 * parser) are implementation. The inbox reaches its databases through JDBC's {@code DriverManager}; both drivers are
 * required (SQLite's module and PostgreSQL's automatic module name), so that they are resolved wherever this module is,
 * though no class here names them.
 */
module dev.laml.recordings.events {
    requires transitive dev.laml.recordings.reactor;

    requires com.fasterxml.jackson.core;
    requires reactor.netty.core;
    requires reactor.netty.http;
    requires io.netty.buffer;
    requires io.netty.codec.http;
    requires java.sql;
    requires org.xerial.sqlitejdbc;
    requires org.postgresql.jdbc;

    exports dev.laml.recordings.events;
}
