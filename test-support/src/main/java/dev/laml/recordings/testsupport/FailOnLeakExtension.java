package dev.laml.recordings.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran.
 *
 * <p>Registered for every test class by JUnit's extension auto-detection (the parent POM turns
 * it on for Surefire). A leak is attributed to the class during or after which it was detected;
 * the report's access records say where the buffer was last touched.
 */
public final class FailOnLeakExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        LeakRecorder.install();
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) in or before "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }
}
