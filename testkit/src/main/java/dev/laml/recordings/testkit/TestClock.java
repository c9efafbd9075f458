package dev.laml.recordings.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test says so, for a {@link RecordingsServer} built with
 * {@link RecordingsServer.Builder#clock(Clock)}: "record for 3 s, pause for 2 s" becomes {@link #advance(Duration)}
 * calls instead of sleeps, so a test's result never depends on how busy the machine is.
 * <pre>{@code
 * TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * try (RecordingsServer server = RecordingsServer.builder().clock(clock).start()) {
 *     String call = server.startCall();
 *     // POST .../Calls/{call}/Recordings.json, then:
 *     clock.advance(Duration.ofSeconds(3));
 * }
 * }</pre>
 *
 * <p>Always in UTC ({@link #withZone} returns this same clock: only instants matter to the server). Thread-safe: the
 * server reads it from its event loops while the test moves it. Methods reject null arguments.
 */
public final class TestClock extends Clock {

    private final AtomicReference<Instant> now;

    private TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock showing {@code start} until moved. */
    public static TestClock at(Instant start) {
        return new TestClock(Objects.requireNonNull(start, "start"));
    }

    /** Moves the clock forward by {@code duration} and returns the new instant. */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward: " + duration);
        }
        return now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Sets the clock to {@code instant} (earlier or later than now). */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Always UTC. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** This clock itself: the zone does not matter to the server, and copies must move together. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /** The current instant. */
    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
