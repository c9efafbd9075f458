package dev.laml.recordings.s3;

import dev.laml.recordings.testsupport.ApiBoundariesContract;

import java.util.List;

/**
 * the S3 target's boundaries, checked on its compiled main classes (see {@link ApiBoundariesContract}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 *
 * <p>The module is a target on the application's own AWS SDK client, so its API speaks the SDK's S3 vocabulary where
 * the application already holds it: {@code S3Target.of} takes the {@code S3AsyncClient}, and {@code storageClass} and
 * {@code sse} take the SDK's own {@code StorageClass} and {@code ServerSideEncryption} (every value S3 knows, new ones
 * included, without a copy of the enum here). Those three are allowed by name; any other SDK type (a request, a
 * response, an SDK exception, the HTTP layer) fails this test.
 */
class ApiBoundariesTest extends ApiBoundariesContract {

    ApiBoundariesTest() {
        super(List.of("dev.laml.recordings.s3.internal"), "software.amazon.awssdk.services.s3.S3AsyncClient",
                "software.amazon.awssdk.services.s3.model.StorageClass",
                "software.amazon.awssdk.services.s3.model.ServerSideEncryption");
    }
}
