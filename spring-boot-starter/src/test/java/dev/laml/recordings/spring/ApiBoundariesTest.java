package dev.laml.recordings.spring;

import dev.laml.recordings.testsupport.ApiBoundariesContract;

import java.util.List;

/**
 * the starter's boundaries, checked on its compiled main classes (see {@link ApiBoundariesContract}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 */
class ApiBoundariesTest extends ApiBoundariesContract {

    ApiBoundariesTest() {
        super(List.of("dev.laml.recordings.spring.internal"));
    }
}
