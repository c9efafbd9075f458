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
 * <p>Both packages are open (not exported) to Spring's core, beans and context modules: Spring instantiates the
 * auto-configuration classes, their package-private nested configurations and {@code @Bean} methods, and the failure
 * analyzer named in {@code META-INF/spring.factories}, by reflection after {@code setAccessible}, which needs the
 * package open to the module that calls it.
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
