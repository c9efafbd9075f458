/**
 * An {@code ArchiveTarget} on Amazon S3 (or any S3-compatible store) through the AWS SDK v2's asynchronous client, in
 * the one exported package {@code dev.laml.recordings.s3}. {@code dev.laml.recordings.s3.internal} is not exported:
 * not API, it may change in any release.
 *
 * <p>The API shows the client's {@code ArchiveTarget} (and through it core's errors and Reactor's {@code Mono}), and
 * the caller's own {@code S3AsyncClient} with the SDK's {@code ServerSideEncryption} and {@code StorageClass}: the
 * client module and the SDK's S3 module are read by every reader of this one. The rest of the SDK (its core, its
 * exceptions, its HTTP responses, its utilities) is implementation.
 */
module dev.laml.recordings.s3 {
    // ArchiveTarget, which S3Target implements; reading it reads core, reactor-core and Reactive Streams too.
    requires transitive dev.laml.recordings.reactor;
    // S3Target.builder(S3AsyncClient) and the builder's encryption and storage class settings.
    requires transitive software.amazon.awssdk.services.s3;

    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.http;
    requires software.amazon.awssdk.utils;
    // Not named here, but the SDK logs through SLF4J's API and, being automatic modules, its jars cannot declare it:
    // without this, on the module path, building an S3AsyncClient fails with NoClassDefFoundError.
    requires org.slf4j;

    exports dev.laml.recordings.s3;
}
