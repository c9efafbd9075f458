package dev.laml.recordings.testsupport.boundaries.api;

import dev.laml.recordings.testsupport.boundaries.internal.Hidden;

/** A fixture for ApiBoundariesRulesTest: uses an internal type, but only where no caller sees it. */
public final class Clean {

    /** Only plain types in the signature. */
    public String name() {
        return String.valueOf(hidden());
    }

    private Hidden hidden() {
        return new Hidden();
    }
}
