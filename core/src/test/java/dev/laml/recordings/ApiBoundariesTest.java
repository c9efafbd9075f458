package dev.laml.recordings;

import dev.laml.recordings.testsupport.ApiBoundaries;
import dev.laml.recordings.testsupport.ApiBoundariesContract;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * core's boundaries, checked on its compiled main classes (see {@link ApiBoundariesContract}): its API shows no
 * implementation type, and it reaches other modules only through their API.
 */
class ApiBoundariesTest extends ApiBoundariesContract {

    ApiBoundariesTest() {
        super(List.of("dev.laml.recordings.internal"));
    }

    @Test
    void coreDependsOnNoReactorAndNoNetty() {
        ApiBoundaries.dependsOnNothingIn("reactor", "io.netty", "org.reactivestreams").check(classes());
    }
}
