package dev.laml.recordings.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.laml.recordings.testsupport.ApiBoundaries;
import org.junit.jupiter.api.Test;

/**
 * the CLI's boundaries, checked on its compiled main classes (see {@link ApiBoundaries}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 */
class ApiBoundariesTest {

    private static final JavaClasses CLASSES = ApiBoundaries.mainClassesOfThisModule();

    @Test
    void apiSignaturesNameNoInternalNettyJacksonOrAwsSdkType() {
        ApiBoundaries.apiExposesNoImplementationTypes().check(CLASSES);
    }

    @Test
    void noClassUsesAnotherModulesInternals() {
        ApiBoundaries.noOtherModulesInternals("dev.laml.recordings.cli.internal").check(CLASSES);
    }
}
