package dev.laml.recordings.reactor.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * {@link ClientMetrics} on Micrometer, plus Reactor Netty's connection-pool gauges registered in
 * the same registry (not Micrometer's global one). Meter names start with
 * {@code laml.recordings.}.
 *
 * <p>Thread-safe: Micrometer meters are.
 */
public final class MicrometerMetrics implements ClientMetrics {

    private final MeterRegistry registry;
    private final Counter started;
    private final Counter completed;
    private final Counter failed;
    private final Counter retried;
    private final Counter resumed;
    private final Counter bytes;
    private final Timer metadataOk;
    private final Timer metadataFailed;

    /**
     * @param registry a {@code MeterRegistry}, typed {@code Object} so that callers need not
     *                 name (and so load) Micrometer's classes
     */
    public static ClientMetrics create(Object registry) {
        return new MicrometerMetrics((MeterRegistry) registry);
    }

    private MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder("laml.recordings.downloads.started").register(registry);
        this.completed = Counter.builder("laml.recordings.downloads.completed").register(registry);
        this.failed = Counter.builder("laml.recordings.downloads.failed").register(registry);
        this.retried = Counter.builder("laml.recordings.requests.retried").register(registry);
        this.resumed = Counter.builder("laml.recordings.downloads.resumed").register(registry);
        this.bytes = Counter.builder("laml.recordings.downloads.bytes").baseUnit("bytes").register(registry);
        this.metadataOk = Timer.builder("laml.recordings.metadata.latency").tag("outcome", "success").register(registry);
        this.metadataFailed = Timer.builder("laml.recordings.metadata.latency").tag("outcome", "error").register(registry);
    }

    @Override
    public ConnectionProvider.Builder configurePool(ConnectionProvider.Builder pool) {
        return pool.metrics(true, this::poolRegistrar);
    }

    /** Reactor Netty's pool gauges (active, idle, pending, max) into this registry. */
    private ConnectionProvider.MeterRegistrar poolRegistrar() {
        return new ConnectionProvider.MeterRegistrar() {
            @Override
            public void registerMetrics(String poolName, String id, SocketAddress remote, ConnectionPoolMetrics m) {
                Tags tags = Tags.of("pool", poolName, "remote", String.valueOf(remote));
                Gauge.builder("laml.recordings.pool.active", m, ConnectionPoolMetrics::acquiredSize).tags(tags).register(registry);
                Gauge.builder("laml.recordings.pool.idle", m, ConnectionPoolMetrics::idleSize).tags(tags).register(registry);
                Gauge.builder("laml.recordings.pool.pending", m, ConnectionPoolMetrics::pendingAcquireSize).tags(tags)
                        .register(registry);
                Gauge.builder("laml.recordings.pool.max", m, ConnectionPoolMetrics::maxAllocatedSize).tags(tags)
                        .register(registry);
            }
        };
    }

    @Override
    public void downloadStarted() {
        started.increment();
    }

    @Override
    public void downloadCompleted(long n) {
        completed.increment();
        bytes.increment(n);
    }

    @Override
    public void downloadFailed(long n) {
        failed.increment();
        bytes.increment(n);
    }

    @Override
    public void retried() {
        retried.increment();
    }

    @Override
    public void resumed() {
        resumed.increment();
    }

    @Override
    public void metadataLatency(long nanos, boolean success) {
        (success ? metadataOk : metadataFailed).record(nanos, TimeUnit.NANOSECONDS);
    }
}
