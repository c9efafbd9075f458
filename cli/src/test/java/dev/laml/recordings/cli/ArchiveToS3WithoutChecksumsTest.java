package dev.laml.recordings.cli;

import dev.laml.recordings.s3.LegacyS3Proxy;
import dev.laml.recordings.s3.S3Store;

/**
 * Every test of {@link ArchiveToS3Test} against S3Proxy 2.9.0, a store that refuses S3's additional checksums with 501
 * NotImplemented: with default options the archive falls back to Content-MD5 once, said once on stderr.
 */
class ArchiveToS3WithoutChecksumsTest extends ArchiveToS3Test {

    @Override
    S3Store startStore() {
        return LegacyS3Proxy.start();
    }
}
