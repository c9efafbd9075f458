package dev.laml.recordings.spring.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link InvalidRecordingsPropertiesException} anywhere in a failed startup's causes into
 * Boot's "APPLICATION FAILED TO START" report (Description / Action) instead of a stack trace.
 * Registered in {@code META-INF/spring.factories}. Stateless and thread-safe.
 */
public final class RecordingsFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRecordingsPropertiesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRecordingsPropertiesException cause) {
        return new FailureAnalysis("The RecordingsClient could not be configured: " + cause.getMessage(),
                cause.action(), cause);
    }
}
