package dev.laml.recordings.reactor.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

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

    /** The pool gauges, by name suffix and what each reads. */
    private static final List<Map.Entry<String, ToDoubleFunction<ConnectionPoolMetrics>>> POOL_GAUGES = List.of(
            Map.entry("laml.recordings.pool.active", ConnectionPoolMetrics::acquiredSize),
            Map.entry("laml.recordings.pool.idle", ConnectionPoolMetrics::idleSize),
            Map.entry("laml.recordings.pool.pending", ConnectionPoolMetrics::pendingAcquireSize),
            Map.entry("laml.recordings.pool.max", ConnectionPoolMetrics::maxAllocatedSize));

    /**
     * Reactor Netty's pool gauges (active, idle, pending, max) into this registry, for as long as the pool for that
     * remote lives.
     *
     * <p>The gauges hold the pool's metrics strongly. Micrometer holds a gauge's object weakly by default, and the
     * {@link ConnectionPoolMetrics} Reactor Netty hands a registrar is a wrapper made for the call that nothing else
     * keeps: held weakly, every pool gauge read NaN after the first garbage collection (found by the TLS-proxy soak;
     * {@code MetricsTest.poolGaugesStillReadThePoolAfterAGarbageCollection}). So that a strong gauge does not keep a
     * closed client's pool alive in a registry that outlives it, the gauges are removed when Reactor Netty
     * deregisters the pool ({@code RecordingsClient.close()} disposes it).
     */
    private ConnectionProvider.MeterRegistrar poolRegistrar() {
        return new ConnectionProvider.MeterRegistrar() {
            @Override
            public void registerMetrics(String poolName, String id, SocketAddress remote, ConnectionPoolMetrics m) {
                Tags tags = poolTags(poolName, remote);
                for (Map.Entry<String, ToDoubleFunction<ConnectionPoolMetrics>> g : POOL_GAUGES) {
                    Gauge.builder(g.getKey(), m, g.getValue()).tags(tags).strongReference(true).register(registry);
                }
            }

            @Override
            public void deRegisterMetrics(String poolName, String id, SocketAddress remote) {
                Tags tags = poolTags(poolName, remote);
                for (Map.Entry<String, ToDoubleFunction<ConnectionPoolMetrics>> g : POOL_GAUGES) {
                    registry.find(g.getKey()).tags(tags).gauges().forEach(registry::remove);
                }
            }
        };
    }

    private static Tags poolTags(String poolName, SocketAddress remote) {
        return Tags.of("pool", poolName, "remote", String.valueOf(remote));
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
