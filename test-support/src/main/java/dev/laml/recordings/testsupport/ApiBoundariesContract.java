package dev.laml.recordings.testsupport;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The boundary checks every published module runs on its compiled main classes (see {@link ApiBoundaries}): its API
 * shows no implementation type, and it reaches other modules only through their API. A module's
 * {@code ApiBoundariesTest} extends this and names its own {@code .internal} packages (and, rarely, the implementation
 * types its API names on purpose); checks only one module needs stay in that module's subclass.
 *
 * <p>Not thread-safe, as JUnit test instances need not be; the imported classes are read once per test JVM (surefire
 * runs one module's tests in it, from the module's directory).
 */
public abstract class ApiBoundariesContract {

    private static JavaClasses classes;

    private final List<String> ownInternalPackages;
    private final String[] allowedApiTypes;

    /**
     * The contract for one module.
     *
     * @param ownInternalPackages the module's own implementation packages, which its classes may use; not null
     * @param allowedApiTypes     implementation-library types its API may name on purpose (fully qualified); none
     *                            for most modules
     */
    protected ApiBoundariesContract(List<String> ownInternalPackages, String... allowedApiTypes) {
        this.ownInternalPackages = List.copyOf(ownInternalPackages);
        this.allowedApiTypes = allowedApiTypes.clone();
    }

    /**
     * The module's main classes, imported on first use (an import of a whole module costs about a second).
     *
     * @return the classes in {@code target/classes}; never null
     */
    protected static synchronized JavaClasses classes() {
        if (classes == null) {
            classes = ApiBoundaries.mainClassesOfThisModule();
        }
        return classes;
    }

    /** No public or protected signature of an API package names a type of an internal package or library. */
    @Test
    public void apiSignaturesNameNoInternalNettyJacksonOrAwsSdkType() {
        ApiBoundaries.apiExposesNoImplementationTypes(allowedApiTypes).check(classes());
    }

    /** The module reaches the other modules only through their API packages. */
    @Test
    public void noClassUsesAnotherModulesInternals() {
        ApiBoundaries.noOtherModulesInternals(ownInternalPackages.toArray(String[]::new)).check(classes());
    }
}
