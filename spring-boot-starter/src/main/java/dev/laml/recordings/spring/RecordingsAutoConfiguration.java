package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.spring.internal.ClientBuilders;
import dev.laml.recordings.spring.internal.RecordingsSanitizingFunction;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures a {@link RecordingsClient} from the {@code laml.recordings.*} properties
 * ({@link RecordingsProperties}):
 *
 * <ul>
 *   <li>a {@code RecordingsClient} bean, unless the application defines one; it is closed (its
 *       connection pool released) when the context closes;</li>
 *   <li>with Micrometer on the classpath and a single (or primary) {@code MeterRegistry} bean,
 *       the client's metrics ({@code laml.recordings.*} meters) go to that registry;</li>
 *   <li>every {@link ClientBuilderCustomizer} bean adjusts the builder, in order, before the client is
 *       built;</li>
 *   <li>with the actuator on the classpath, a {@code SanitizingFunction} that masks the API token
 *       and a proxy's password in the {@code configprops} and {@code env} endpoints.</li>
 * </ul>
 *
 * <p>A missing or invalid property fails startup with a report naming it. Registered in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports};
 * not meant to be imported or subclassed by applications.
 *
 * <p>Thread-safety: Spring calls it once, while the context starts; it holds no state. Nullability:
 * its bean methods never return null; unset properties are null and leave the client's defaults.
 */
// Spring's annotations here (and the classes @ConditionalOnClass names) are for Spring, which reads them at run time;
// a module reading this one needs no access to them, so they are not made transitive (module-info.java).
@SuppressWarnings("exports")
@AutoConfiguration
@EnableConfigurationProperties(RecordingsProperties.class)
public final class RecordingsAutoConfiguration {

    private static final Log log = LogFactory.getLog(RecordingsAutoConfiguration.class);

    /** Created by Spring when the auto-configuration applies; not for applications. */
    public RecordingsAutoConfiguration() {
    }

    // Package-private, as Spring needs no more.
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RecordingsClient recordingsClient(RecordingsProperties properties, ObjectProvider<ClientBuilderCustomizer> customizers) {
        RecordingsClient.Builder builder = ClientBuilders.from(properties);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        RecordingsClient client = ClientBuilders.build(builder, properties);
        if (log.isDebugEnabled()) {
            // Both toString()s are safe to log: neither shows the token nor a proxy password.
            log.debug("Created " + client + " from " + properties);
        }
        return client;
    }

    /**
     * Micrometer is optional: this class is read only when it is on the classpath, so that
     * {@code MeterRegistry} is never loaded without it.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {

        @Bean
        ClientBuilderCustomizer recordingsClientMeterRegistry(ObjectProvider<MeterRegistry> registries) {
            // Looked up when the client is built, not when the context is configured, so that the order
            // of auto-configurations does not matter; several registries without a primary one mean
            // "no metrics" rather than a failure, as elsewhere in Boot.
            return builder -> {
                MeterRegistry registry = registries.getIfUnique();
                if (registry != null) {
                    builder.meterRegistry(registry);
                }
            };
        }
    }

    /** The actuator is optional: this class is read only when it is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
    static class ActuatorConfiguration {

        @Bean
        SanitizingFunction recordingsSanitizingFunction() {
            return new RecordingsSanitizingFunction();
        }
    }
}
