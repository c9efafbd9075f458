package dev.laml.recordings.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Collects every Netty leak report of this JVM so that a test can fail on it.
 *
 * <p>Netty only <em>logs</em> a leak, and only when its logger happens to be enabled at
 * ERROR; a log line does not fail a build. This recorder installs a
 * {@link ResourceLeakDetectorFactory} whose detectors keep each report, and
 * {@link #drain()} hands them to whoever asserts on them. The factory must be installed before
 * the first {@code ByteBuf} class initialises its detector, which is why
 * {@link LeakDetectionSessionListener} calls {@link #install()} when the JUnit launcher session
 * opens, before any test class is loaded.
 *
 * <p>Thread-safe: reports arrive on whichever thread allocates next.
 */
public final class LeakRecorder {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static final List<String> LEAKS = new ArrayList<>();

    private LeakRecorder() {
    }

    /** Installs the recording factory and forces {@code paranoid}; idempotent. */
    public static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /**
     * Makes pending leaks visible and returns (and forgets) every report so far.
     *
     * <p>Netty notices a leak only when a collected-but-unreleased buffer's phantom reference is
     * polled, which happens on the next tracked allocation. So this runs the collector and then
     * allocates a few tracked buffers, giving the reference handler time in between.
     */
    public static List<String> drain() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            for (int i = 0; i < 4; i++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
                probe.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = List.copyOf(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    static void record(String report) {
        synchronized (LEAKS) {
            LEAKS.add(report);
        }
        // Also visible in the surefire output, where the stop checklist greps for it.
        System.err.println("LEAK: " + report);
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Report regardless of how logging is configured in the test JVM.
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType + " was not released." + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record(resourceType + " was not released (no access records).");
        }
    }
}
