package dev.laml.recordings.spring.internal;

import dev.laml.recordings.reactor.RecordingsClient;

/**
 * Adds to the builder what properties cannot carry (a {@code MeterRegistry} bean), after the
 * properties are applied and before the client is built. The auto-configuration applies every
 * bean of this type in order. Implementations are called once, on the thread that creates the
 * client bean.
 */
@FunctionalInterface
public interface ClientBuilderCustomizer {

    /** @param builder the builder, already configured from the properties; never null */
    void customize(RecordingsClient.Builder builder);
}
