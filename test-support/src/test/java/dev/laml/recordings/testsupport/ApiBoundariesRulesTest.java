package dev.laml.recordings.testsupport;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.laml.recordings.testsupport.boundaries.api.Clean;
import dev.laml.recordings.testsupport.boundaries.api.Leaky;
import dev.laml.recordings.testsupport.boundaries.internal.Hidden;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules every module's ApiBoundariesTest runs catch what they are meant to, on fixture classes. */
class ApiBoundariesRulesTest {

    private static final JavaClasses ALL = new ClassFileImporter().importClasses(Leaky.class, Clean.class, Hidden.class);

    @Test
    void anInternalTypeOrANettyTypeInAnApiSignatureFailsNamingTheMember() {
        assertThatThrownBy(() -> ApiBoundaries.apiExposesNoImplementationTypes().check(ALL))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Leaky.hidden() names " + Hidden.class.getName())
                .hasMessageContaining("Leaky.take(java.util.List) names io.netty.buffer.ByteBuf")
                .hasMessageNotContaining("Clean");
    }

    @Test
    void internalTypesUsedOnlyOutOfSightAreFine() {
        assertThatCode(() -> ApiBoundaries.apiExposesNoImplementationTypes()
                .check(new ClassFileImporter().importClasses(Clean.class, Hidden.class))).doesNotThrowAnyException();
    }

    @Test
    void anExplicitAllowanceLetsATypeOrAPackageThrough() {
        assertThatCode(() -> ApiBoundaries.apiExposesNoImplementationTypes(Hidden.class.getName(), "io.netty.")
                .check(ALL)).doesNotThrowAnyException();
    }

    @Test
    void dependingOnAnotherModulesInternalsFailsButOnOnesOwnDoesNot() {
        assertThatCode(() -> ApiBoundaries.noOtherModulesInternals("dev.laml.recordings.testsupport.boundaries.internal")
                .check(ALL)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ApiBoundaries.noOtherModulesInternals("dev.laml.recordings.other.internal").check(ALL))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(Hidden.class.getName());
    }

    @Test
    void aForbiddenDependencyFails() {
        assertThatThrownBy(() -> ApiBoundaries.dependsOnNothingIn("io.netty").check(ALL))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.netty.buffer.ByteBuf");
        assertThatCode(() -> ApiBoundaries.dependsOnNothingIn("reactor").check(ALL)).doesNotThrowAnyException();
    }
}
