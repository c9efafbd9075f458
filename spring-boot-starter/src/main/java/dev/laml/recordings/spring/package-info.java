/**
 * Spring Boot auto-configuration: a {@link dev.laml.recordings.reactor.RecordingsClient} bean from the
 * {@code laml.recordings.*} properties ({@link dev.laml.recordings.spring.RecordingsProperties}), adjusted by any
 * {@link dev.laml.recordings.spring.ClientBuilderCustomizer} beans, and the recording events endpoint.
 *
 * <p>The package is {@link org.jspecify.annotations.NullMarked}: no parameter or result is {@code null} unless it is
 * marked {@link org.jspecify.annotations.Nullable} (an unset property's getter returns {@code null}).
 */
@NullMarked
package dev.laml.recordings.spring;

import org.jspecify.annotations.NullMarked;
