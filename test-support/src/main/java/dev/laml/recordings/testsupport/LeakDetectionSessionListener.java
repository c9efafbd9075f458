package dev.laml.recordings.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.util.List;

/**
 * Installs {@link LeakRecorder} when a JUnit launcher session opens, which is before any test
 * class (and so any Netty buffer class) is loaded; registered through
 * {@code META-INF/services}. When the session closes, leaks that appeared after the last
 * per-class check are printed, so that nothing is lost even if no class was left to fail.
 */
public final class LeakDetectionSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        LeakRecorder.install();
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        List<String> late = LeakRecorder.drain();
        if (!late.isEmpty()) {
            System.err.println("LEAK: " + late.size() + " Netty leak(s) reported after the last test class");
        }
    }
}
