package dev.laml.recordings.events;

import dev.laml.recordings.testsupport.ApiBoundariesContract;

import java.util.List;

/**
 * the events module's boundaries, checked on its compiled main classes (see {@link ApiBoundariesContract}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 */
class ApiBoundariesTest extends ApiBoundariesContract {

    ApiBoundariesTest() {
        super(List.of("dev.laml.recordings.events.internal"));
    }
}
