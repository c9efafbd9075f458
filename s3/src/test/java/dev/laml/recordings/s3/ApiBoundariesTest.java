package dev.laml.recordings.s3;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.laml.recordings.testsupport.ApiBoundaries;
import org.junit.jupiter.api.Test;

/**
 * the S3 target's boundaries, checked on its compiled main classes (see {@link ApiBoundaries}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 *
 * <p>{@code S3Target.of} takes the application's own {@code S3AsyncClient}: that one AWS SDK type is the point of the
 * module's API and is allowed; no other SDK type may appear.
 */
class ApiBoundariesTest {

    private static final JavaClasses CLASSES = ApiBoundaries.mainClassesOfThisModule();

    @Test
    void apiSignaturesNameNoInternalNettyJacksonOrAwsSdkType() {
        ApiBoundaries.apiExposesNoImplementationTypes("software.amazon.awssdk.services.s3.S3AsyncClient").check(CLASSES);
    }

    @Test
    void noClassUsesAnotherModulesInternals() {
        ApiBoundaries.noOtherModulesInternals("dev.laml.recordings.s3.internal").check(CLASSES);
    }
}
