package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;

/**
 * Callback interface that can be implemented by beans wishing to customize the
 * {@link RecordingsClient.Builder} behind the auto-configured {@link RecordingsClient}, with what the
 * {@code laml.recordings.*} properties cannot carry: a {@code TrustManagerFactory}, a retry policy built in code, a
 * {@code MeterRegistry} of your choice.
 *
 * <p>Every bean of this type is applied in order ({@link org.springframework.core.Ordered} and
 * {@link org.springframework.core.annotation.Order @Order} are honoured, as for Spring Boot's own
 * {@code *Customizer}s), after the properties are applied and before the client is built, so a customizer sees the
 * configured builder and may override any property. A value the builder refuses fails startup as a property would.
 * The starter itself contributes one when Micrometer is present, which hands the application's
 * {@code MeterRegistry} to the builder.
 *
 * <pre>{@code
 * @Bean
 * ClientBuilderCustomizer recordingsTrust(TrustManagerFactory corporateTrust) {
 *     return builder -> builder.trustManagerFactory(corporateTrust);
 * }
 * }</pre>
 *
 * <p>Thread-safety: called once per client bean, on the thread that creates it; implementations need not be
 * thread-safe unless they share state elsewhere.
 */
@FunctionalInterface
public interface ClientBuilderCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, already configured from the properties; never null
     */
    void customize(RecordingsClient.Builder builder);
}
