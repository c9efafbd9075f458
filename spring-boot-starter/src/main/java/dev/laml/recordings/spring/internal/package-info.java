/**
 * Implementation of the Spring Boot starter: how properties become a client, the failure analysis,
 * the actuator's masking. Not an API: anything here may change in any release.
 */
package dev.laml.recordings.spring.internal;
