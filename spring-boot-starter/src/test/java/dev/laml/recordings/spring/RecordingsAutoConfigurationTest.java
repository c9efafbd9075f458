package dev.laml.recordings.spring;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client bean: made from the properties, talks to the API with them, yields to the application's own, closes. */
class RecordingsAutoConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RecordingsServerExtension recordings = new RecordingsServerExtension();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class));

    private RecordingsServer server() {
        return recordings.server();
    }

    @Test
    void aSpaceMakesAClientForThatSpacesHttpsOrigin() {
        runner.withPropertyValues("laml.recordings.space=example").run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            assertThat(client.baseUrl()).isEqualTo(URI.create("https://example.signalwire.com"));
            assertThat(client.toString()).contains("example.signalwire.com");
        });
    }

    @Test
    void theClientFetchesMetadataWithTheConfiguredCredentialsAndDownloadsAudio() {
        TestRecording rec = server().addRecording();
        runner.withPropertyValues("laml.recordings.base-url=" + server().baseUrl(),
                "laml.recordings.project-id=" + server().projectId(),
                "laml.recordings.api-token=" + server().apiToken()).run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            assertThat(client.baseUrl()).isEqualTo(server().baseUrl());

            Recording meta = client.fetch(rec.accountSid(), rec.sid()).block(WAIT);
            assertThat(meta.sid()).isEqualTo(rec.sid());

            ByteArrayOutputStream audio = new ByteArrayOutputStream();
            client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3)
                    .doOnNext(b -> audio.write(b.array(), b.arrayOffset() + b.position(), b.remaining()))
                    .blockLast(WAIT);
            assertThat(audio.toByteArray()).isEqualTo(rec.bytes(Format.MP3));
        });
    }

    @Test
    void aWrongTokenReachesTheServerAndIsRefused() {
        TestRecording rec = server().addRecording();
        runner.withPropertyValues("laml.recordings.base-url=" + server().baseUrl(),
                "laml.recordings.project-id=" + server().projectId(),
                "laml.recordings.api-token=not-the-token").run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            assertThatThrownBy(() -> client.fetch(rec.accountSid(), rec.sid()).block(WAIT))
                    .isInstanceOf(AuthenticationException.class);
            assertThat(server().takeRequest().hasAuthorization()).isTrue();
        });
    }

    @Test
    void withoutCredentialsMetadataIsRefusedButAudioStillDownloads() {
        TestRecording rec = server().addRecording();
        runner.withPropertyValues("laml.recordings.base-url=" + server().baseUrl()).run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            assertThatThrownBy(() -> client.fetch(rec.accountSid(), rec.sid()).block(WAIT))
                    .isInstanceOf(AuthenticationException.class);
            assertThat(client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV)
                    .map(b -> (long) b.remaining()).reduce(0L, Long::sum).block(WAIT)).isEqualTo(rec.size(Format.WAV));
        });
    }

    @Test
    void anApplicationsOwnClientWinsAndThePropertiesStayAvailable() {
        RecordingsClient own = RecordingsClient.builder().space("own").build();
        runner.withBean(RecordingsClient.class, () -> own)
                .withPropertyValues("laml.recordings.space=example",
                        "laml.recordings.account-sid=" + server().accountSid())
                .run(context -> {
                    assertThat(context).hasSingleBean(RecordingsClient.class);
                    assertThat(context.getBean(RecordingsClient.class)).isSameAs(own);
                    assertThat(context.getBean(RecordingsProperties.class).getAccountSid()).isEqualTo(server().accountSid());
                });
    }

    @Test
    void anApplicationsOwnClientNeedsNoSpaceOrBaseUrl() {
        runner.withBean(RecordingsClient.class, () -> RecordingsClient.builder().space("own").build())
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(RecordingsClient.class));
    }

    @Test
    void closingTheContextClosesTheClientAndItsPooledConnections() throws InterruptedException {
        TestRecording rec = server().addRecording();
        runner.withPropertyValues("laml.recordings.base-url=" + server().baseUrl()).run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3).blockLast(WAIT);
            assertThat(server().openConnections()).isEqualTo(1); // kept alive in the pool
        });

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server().openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // Well before the pool's idle time (20 s) would have closed it.
        assertThat(server().openConnections()).as("connections open after the context closed").isZero();
    }
}
