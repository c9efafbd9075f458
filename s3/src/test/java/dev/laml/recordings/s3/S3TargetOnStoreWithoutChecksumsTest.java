package dev.laml.recordings.s3;

/**
 * Every test of {@link S3TargetTest} against S3Proxy 2.9.0, a store that answers S3's additional checksums with 501
 * NotImplemented and checks {@code Content-MD5}: with the default {@code checksum(AUTO)}, the archive falls back to
 * MD5 and does all it does on a store with checksums.
 */
class S3TargetOnStoreWithoutChecksumsTest extends S3TargetTest {

    @Override
    S3Store startStore() {
        return LegacyS3Proxy.start();
    }
}
