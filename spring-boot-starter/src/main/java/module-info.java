/**
 * The laml-recordings Spring Boot starter: the auto-configuration, its properties and {@code ClientBuilderCustomizer},
 * in the one exported package {@code dev.laml.recordings.spring}. {@code dev.laml.recordings.spring.internal} (the
 * failure analyzer, the sanitizing function, the property checks) is not exported: not API, it may change in any
 * release.
 *
 * <p>The API shows the client's {@code RecordingsClient.Builder} and {@code TlsEngine}, so the client module is read by
 * every reader of this one; Spring's annotations on the API types need no readability. The events module, WebFlux, the
 * actuator and Micrometer are optional (static), as in the pom: the auto-configuration uses each only when the
 * application has it.
 *
 * <p>Both packages are open (the internal one not exported) to Spring's core, beans and context modules: Spring creates
 * the auto-configuration's package-private nested configurations, calls its package-private {@code @Bean} methods and
 * instantiates the failure analyzer named in {@code META-INF/spring.factories} by reflection, after
 * {@code setAccessible}, which needs the package open to the calling module. That caller is spring-core's
 * {@code ReflectionUtils} (on the module path without these {@code opens}, startup fails with "module
 * dev.laml.recordings.spring does not opens dev.laml.recordings.spring to module spring.core"); beans and context,
 * which drive it, are included so that a path of theirs that reflects directly finds the packages open too.
 */
module dev.laml.recordings.spring {
    requires transitive dev.laml.recordings.reactor;

    requires spring.boot;
    requires spring.boot.autoconfigure;
    requires spring.beans;
    requires spring.context;
    requires spring.core;
    requires org.apache.commons.logging;

    requires static dev.laml.recordings.events;
    requires static spring.web;
    requires static spring.webflux;
    requires static spring.boot.actuator;
    requires static micrometer.core;

    exports dev.laml.recordings.spring;

    opens dev.laml.recordings.spring to spring.core, spring.beans, spring.context;
    opens dev.laml.recordings.spring.internal to spring.core, spring.beans, spring.context;
}
