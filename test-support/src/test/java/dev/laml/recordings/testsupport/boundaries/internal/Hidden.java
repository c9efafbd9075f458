package dev.laml.recordings.testsupport.boundaries.internal;

/** A fixture for ApiBoundariesRulesTest: an implementation type. */
public final class Hidden {
}
