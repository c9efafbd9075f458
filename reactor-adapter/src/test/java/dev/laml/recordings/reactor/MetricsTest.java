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
