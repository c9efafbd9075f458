/**
 * Implementation of the Spring Boot starter: how properties become a client, the failure analysis,
 * the actuator's masking. Not API: may change in any release.
 */
@NullMarked
package dev.laml.recordings.spring.internal;

import org.jspecify.annotations.NullMarked;
