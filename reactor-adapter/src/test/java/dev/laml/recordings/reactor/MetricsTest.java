package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Metrics are there with Micrometer and a registry, and cost nothing (not even a class) without. */
class MetricsTest {

    @Test
    void countersTimersAndPoolGaugesGoToTheGivenRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RecordingsServer server = RecordingsServer.start();
             RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl())
                     .credentials(server.projectId(), server.apiToken())
                     .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)))
                     .meterRegistry(registry).build()) {
            TestRecording rec = server.addRecording();
            client.fetch(rec.accountSid(), rec.sid()).block(Duration.ofSeconds(10));
            server.enqueueFault(Fault.serverError(503));
            client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3).blockLast(Duration.ofSeconds(10));
            server.enqueueFault(Fault.closeAfterBytes(10_000));
            long wav = client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV)
                    .map(b -> (long) b.remaining()).reduce(0L, Long::sum).block(Duration.ofSeconds(10));

            assertThat(registry.counter("laml.recordings.downloads.started").count()).isEqualTo(2);
            assertThat(registry.counter("laml.recordings.downloads.completed").count()).isEqualTo(2);
            assertThat(registry.counter("laml.recordings.downloads.failed").count()).isZero();
            assertThat(registry.counter("laml.recordings.requests.retried").count()).isEqualTo(1);
            assertThat(registry.counter("laml.recordings.downloads.resumed").count()).isEqualTo(1);
            assertThat(registry.counter("laml.recordings.downloads.bytes").count())
                    .isEqualTo((double) (wav + rec.size(dev.laml.recordings.testkit.Format.MP3)));
            assertThat(registry.timer("laml.recordings.metadata.latency", "outcome", "success").count()).isEqualTo(1);
            assertThat(registry.find("laml.recordings.pool.max").gauges()).isNotEmpty();
        }
    }

    /**
     * Found by {@code TlsProxySoakTest}: Micrometer holds a gauge's object weakly, and the pool metrics Reactor Netty
     * hands the registrar were held by nothing else, so after the first garbage collection every pool gauge read NaN
     * for the rest of the client's life.
     */
    @Test
    void poolGaugesStillReadThePoolAfterAGarbageCollection() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RecordingsServer server = RecordingsServer.start();
             RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl())
                     .meterRegistry(registry).build()) {
            TestRecording rec = server.addRecording();
            client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV).blockLast(Duration.ofSeconds(10));
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3).blockLast(Duration.ofSeconds(10));
            // The connection goes back to the pool on its event loop, just after the subscriber saw the end.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (gauge(registry, "laml.recordings.pool.active") != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertThat(gauge(registry, "laml.recordings.pool.max")).isEqualTo(128);
            assertThat(gauge(registry, "laml.recordings.pool.active")).isZero();
            assertThat(gauge(registry, "laml.recordings.pool.pending")).isZero();
            assertThat(gauge(registry, "laml.recordings.pool.idle")).as("the kept-alive connection").isEqualTo(1);
        }
    }

    /** Strongly held gauges must not keep a closed client's pool alive in a registry that outlives it. */
    @Test
    void closingTheClientRemovesItsPoolGauges() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RecordingsServer server = RecordingsServer.start()) {
            TestRecording rec = server.addRecording();
            RecordingsClient client = RecordingsClient.builder().baseUrl(server.baseUrl()).meterRegistry(registry).build();
            client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV).blockLast(Duration.ofSeconds(10));
            assertThat(registry.find("laml.recordings.pool.idle").gauges()).hasSize(1);

            client.close();

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!registry.find("laml.recordings.pool.idle").gauges().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (String name : List.of("active", "idle", "pending", "max")) {
                assertThat(registry.find("laml.recordings.pool." + name).gauges()).as(name).isEmpty();
            }
            assertThat(registry.counter("laml.recordings.downloads.completed").count()).as("counters stay").isEqualTo(1);
        }
    }

    private static double gauge(SimpleMeterRegistry registry, String name) {
        return registry.find(name).gauges().stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }

    @Test
    void somethingThatIsNotARegistryIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordingsClient.builder().meterRegistry("registry"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MeterRegistry");
    }

    @Test
    void withoutMicrometerOnTheClasspathTheClientWorksAndLoadsNoneOfIt() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (RecordingsServer server = RecordingsServer.start();
             URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            TestRecording rec = server.addRecording();
            Class<?> clientClass = isolated.loadClass(RecordingsClient.class.getName());
            Object builder = clientClass.getMethod("builder").invoke(null);
            builder.getClass().getMethod("baseUrl", URI.class).invoke(builder, server.baseUrl());
            Object client = builder.getClass().getMethod("build").invoke(builder);
            Class<?> format = isolated.loadClass(AudioFormat.class.getName());
            Object flux = clientClass.getMethod("download", String.class, String.class, format)
                    .invoke(client, rec.accountSid(), rec.sid(), format.getEnumConstants()[1]);
            Method collect = flux.getClass().getMethod("collectList");
            Object mono = collect.invoke(flux);
            List<?> buffers = (List<?>) mono.getClass().getMethod("block", Duration.class).invoke(mono, Duration.ofSeconds(10));
            ((AutoCloseable) client).close();

            assertThat(buffers).isNotEmpty();
            assertThat(isolated.getResource("io/micrometer/core/instrument/MeterRegistry.class")).isNull();
        }
    }
}
