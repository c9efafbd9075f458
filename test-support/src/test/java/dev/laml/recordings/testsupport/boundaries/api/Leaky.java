package dev.laml.recordings.testsupport.boundaries.api;

import dev.laml.recordings.testsupport.boundaries.internal.Hidden;
import io.netty.buffer.ByteBuf;

import java.util.List;

/** A fixture for ApiBoundariesRulesTest: an API type whose signatures name an internal type and a Netty type. */
public class Leaky {

    /** Names an internal type as its result. */
    public Hidden hidden() {
        return new Hidden();
    }

    /** Names a Netty type inside a type argument. */
    protected void take(List<ByteBuf> buffers) {
    }
}
