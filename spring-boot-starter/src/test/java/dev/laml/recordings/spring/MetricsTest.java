package dev.laml.recordings.spring;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A MeterRegistry bean gets the client's meters; without one, or without Micrometer at all, the client just works. */
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RecordingsServerExtension recordings = new RecordingsServerExtension();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class))
                .withPropertyValues("laml.recordings.base-url=" + recordings.baseUrl());
    }

    @Test
    void aMeterRegistryBeanReceivesTheClientsMeters() {
        TestRecording rec = recordings.server().addRecording();
        runner().withBean(SimpleMeterRegistry.class).run(context -> {
            long bytes = download(context.getBean(RecordingsClient.class), rec);

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("laml.recordings.downloads.completed").counter().count()).isEqualTo(1);
            assertThat(registry.get("laml.recordings.downloads.bytes").counter().count()).isEqualTo((double) bytes);
            assertThat(registry.get("laml.recordings.pool.max").gauges()).isNotEmpty();
        });
    }

    @Test
    void withoutARegistryTheClientWorksUnmeasured() {
        TestRecording rec = recordings.server().addRecording();
        runner().run(context -> assertThat(download(context.getBean(RecordingsClient.class), rec))
                .isEqualTo(rec.size(Format.MP3)));
    }

    @Test
    void severalRegistriesWithoutAPrimaryMeanNoMetricsRatherThanAFailure() {
        TestRecording rec = recordings.server().addRecording();
        runner().withBean("one", SimpleMeterRegistry.class).withBean("two", SimpleMeterRegistry.class).run(context -> {
            download(context.getBean(RecordingsClient.class), rec);
            context.getBeansOfType(MeterRegistry.class).values()
                    .forEach(r -> assertThat(r.find("laml.recordings.downloads.completed").counter()).isNull());
        });
    }

    @Test
    void withoutMicrometerOnTheClasspathNothingOfItIsConfigured() {
        TestRecording rec = recordings.server().addRecording();
        runner().withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ClientBuilderCustomizer.class);
            assertThat(download(context.getBean(RecordingsClient.class), rec)).isEqualTo(rec.size(Format.MP3));
        });
    }

    private static long download(RecordingsClient client, TestRecording rec) {
        return client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3)
                .map(b -> (long) b.remaining()).reduce(0L, Long::sum).block(WAIT);
    }
}
