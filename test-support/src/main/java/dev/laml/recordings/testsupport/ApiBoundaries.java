package dev.laml.recordings.testsupport;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The boundaries every published module keeps, as ArchUnit rules over the module's own compiled main classes
 * ({@code target/classes}); each module's {@code ApiBoundariesTest} calls them. They enforce what a JPMS
 * {@code module-info} cannot (every published library module has one, exporting only its API packages; see their
 * {@code module-info.java}), and check the same boundaries again on the class path, where the tests and the CLI run and
 * no {@code module-info} applies:
 *
 * <ul>
 *   <li>{@link #apiExposesNoImplementationTypes}: no public or protected signature of an API package (one without
 *       {@code internal} in its name) names a type from an {@code .internal} package or from Netty, Reactor Netty,
 *       Jackson or the AWS SDK, outside an explicit allowance (Reactor's {@code Mono}/{@code Flux} in the adapter's
 *       API, the caller's own {@code S3AsyncClient} in the S3 target's factory);</li>
 *   <li>{@link #noOtherModulesInternals}: no class depends on another module's {@code .internal} package;</li>
 *   <li>{@link #dependsOnNothingIn}: for core, no Reactor, no Netty.</li>
 * </ul>
 *
 * <p>The {@code module-info}s of core, reactor-adapter, testkit, s3, events and spring-boot-starter each export only
 * the module's API packages, never an {@code .internal} one. Every dependency they read has a module name: a real
 * module (core's and the other project modules', Netty's, Jackson's, JSpecify's, JUnit's, sqlite-jdbc's) or the
 * {@code Automatic-Module-Name} in its jar's manifest (Reactor, Reactor Netty, the AWS SDK, PostgreSQL's JDBC driver,
 * Spring, Micrometer), never a name derived from a file name; no two of them split a package. The spring-boot-starter
 * {@code opens} both its packages to Spring's core, beans and context modules, which instantiate its configuration
 * classes and failure analyzer by reflection. The tests of these modules run on the class path (surefire's
 * {@code useModulePath} off): WireMock standalone, the TCK on TestNG, S3Proxy and this module's leak listener are not
 * modules. The tests are compiled into the patched module, with the JDK modules they use beyond main's added (JMX,
 * the HTTP client and server). The benchmarks (not published) are exempt on purpose: {@code DateParsing} measures
 * core's internal date parser itself, and the loopback server parses ranges with the testkit's own parser to answer
 * exactly as it.
 *
 * <p>Signatures here mean: the types of public and protected fields, method and constructor parameters, results,
 * thrown exceptions and type arguments anywhere inside them, and the superclass and interfaces of public types.
 * Stateless and thread-safe; nothing accepts or returns {@code null}.
 */
public final class ApiBoundaries {

    /** Packages whose types must never appear in an API signature: implementation libraries of this project. */
    public static final List<String> IMPLEMENTATION_LIBRARIES = List.of(
            "io.netty", "reactor.netty", "com.fasterxml.jackson", "software.amazon.awssdk");

    private ApiBoundaries() {
    }

    /**
     * The module's main classes, as compiled by the build into {@code target/classes} of the module under test (the
     * working directory surefire gives its tests).
     *
     * @throws IllegalStateException if there is no {@code target/classes} (the tests run from elsewhere)
     */
    public static JavaClasses mainClassesOfThisModule() {
        Path classes = Path.of("target", "classes");
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException("no " + classes.toAbsolutePath() + ": run the tests from the module's directory");
        }
        return new ClassFileImporter().importPath(classes);
    }

    /**
     * No public or protected signature of a public type in an API package names a type from an {@code .internal}
     * package or from {@link #IMPLEMENTATION_LIBRARIES}, except the fully qualified names or package prefixes (ending
     * in {@code .}) in {@code allowed}.
     */
    public static ArchRule apiExposesNoImplementationTypes(String... allowed) {
        Predicate<String> isAllowed = name -> {
            for (String a : allowed) {
                if (a.endsWith(".") ? name.startsWith(a) : name.equals(a)) {
                    return true;
                }
            }
            return false;
        };
        Predicate<String> forbidden = name -> !isAllowed.test(name) && (isInternal(packageOf(name))
                || IMPLEMENTATION_LIBRARIES.stream().anyMatch(p -> name.startsWith(p + ".")));
        return classes().that(new DescribedPredicate<JavaClass>("are public types of API packages") {
                    @Override
                    public boolean test(JavaClass c) {
                        return !isInternal(c.getPackageName()) && isVisible(c);
                    }
                })
                .should(exposeNothing(forbidden))
                .allowEmptyShould(true)
                .because("an API signature naming an implementation type makes that type part of the API");
    }

    /**
     * No class of the module depends on an {@code .internal} package other than the module's own, named by
     * {@code ownInternalPackages} (full package names; their subpackages are the module's too).
     */
    public static ArchRule noOtherModulesInternals(String... ownInternalPackages) {
        return noClasses().should().dependOnClassesThat(
                        new DescribedPredicate<JavaClass>("are in another module's .internal package") {
                            @Override
                            public boolean test(JavaClass c) {
                                String p = c.getPackageName();
                                if (!p.startsWith("dev.laml.recordings") || !isInternal(p)) {
                                    return false;
                                }
                                for (String own : ownInternalPackages) {
                                    if (p.equals(own) || p.startsWith(own + ".")) {
                                        return false;
                                    }
                                }
                                return true;
                            }
                        })
                .because("a module reaches another only through its API; internals may change in any release");
    }

    /** No class of the module depends on a class in any of these packages (or their subpackages). */
    public static ArchRule dependsOnNothingIn(String... packages) {
        String[] patterns = new String[packages.length];
        for (int i = 0; i < packages.length; i++) {
            patterns[i] = packages[i] + "..";
        }
        return noClasses().should().dependOnClassesThat().resideInAnyPackage(patterns);
    }

    private static ArchCondition<JavaClass> exposeNothing(Predicate<String> forbidden) {
        return new ArchCondition<>("expose no type from an .internal package, Netty, Reactor Netty, Jackson or the AWS SDK") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                List<String> where = new ArrayList<>();
                c.getRawSuperclass().ifPresent(s -> {
                    if (forbidden.test(s.getName())) {
                        where.add("extends " + s.getName());
                    }
                });
                for (JavaType i : c.getInterfaces()) {
                    for (JavaClass raw : i.getAllInvolvedRawTypes()) {
                        if (forbidden.test(raw.getName())) {
                            where.add("implements " + raw.getName());
                        }
                    }
                }
                for (JavaField f : c.getFields()) {
                    if (isVisible(f)) {
                        report(f, f.getType().getAllInvolvedRawTypes(), forbidden, where);
                    }
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!isVisible(u) || u.getModifiers().contains(JavaModifier.SYNTHETIC)
                            || u.getModifiers().contains(JavaModifier.BRIDGE) || u.getName().equals("<clinit>")) {
                        continue;
                    }
                    Set<JavaClass> types = new LinkedHashSet<>(u.getReturnType().getAllInvolvedRawTypes());
                    for (JavaType p : u.getParameterTypes()) {
                        types.addAll(p.getAllInvolvedRawTypes());
                    }
                    types.addAll(u.getThrowsClause().getTypes());
                    report(u, types, forbidden, where);
                }
                for (String w : where) {
                    events.add(SimpleConditionEvent.violated(c, c.getName() + ": " + w));
                }
            }
        };
    }

    private static void report(JavaMember member, Set<JavaClass> types, Predicate<String> forbidden, List<String> where) {
        for (JavaClass t : types) {
            if (forbidden.test(t.getName())) {
                where.add(member.getFullName() + " names " + t.getName());
            }
        }
    }

    /** Public, and every enclosing class public too: visible outside its package. */
    private static boolean isVisible(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (!k.getModifiers().contains(JavaModifier.PUBLIC) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    /** Public or protected (a protected member is API to subclasses). */
    private static boolean isVisible(JavaMember m) {
        return m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.PROTECTED);
    }

    private static boolean isInternal(String packageName) {
        return packageName.equals("internal") || packageName.endsWith(".internal") || packageName.contains(".internal.");
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
