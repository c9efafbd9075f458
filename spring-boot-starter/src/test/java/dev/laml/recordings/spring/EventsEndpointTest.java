package dev.laml.recordings.spring;

import dev.laml.recordings.events.RecordingEvents;
import dev.laml.recordings.events.RecordingInbox;
import dev.laml.recordings.events.RecordingWorkers;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.testkit.CallbackDelivery;
import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The events endpoint in a real Boot WebFlux application, fed by the testkit's signed status callbacks. */
class EventsEndpointTest {

    static final String KEY = "PSK_boot_endpoint_key";

    @TempDir
    Path tmp;

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        static Path archive;

        @Bean
        ArchiveTarget archiveTarget() {
            return ArchiveTarget.directory(archive);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void signedCallbacksReachTheRouteAreStoredAndArchivedAndForgedOnesAre403() throws Exception {
        int port = freePort();
        URI publicUrl = URI.create("http://127.0.0.1:" + port + "/hooks/recordings");
        App.archive = tmp.resolve("archive");
        try (RecordingsServer api = RecordingsServer.builder().statusCallback(publicUrl, KEY).start();
             ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                     .web(WebApplicationType.REACTIVE)
                     .properties("spring.main.banner-mode=off", "server.port=" + port,
                             "server.address=127.0.0.1",
                             "laml.recordings.base-url=" + api.baseUrl(),
                             "laml.recordings.project-id=" + api.projectId(),
                             "laml.recordings.api-token=" + api.apiToken(),
                             "laml.recordings.events.path=/hooks/recordings",
                             "laml.recordings.events.signing-key=" + KEY,
                             "laml.recordings.events.public-url=" + publicUrl,
                             "laml.recordings.events.account-sid=" + api.accountSid(),
                             "laml.recordings.events.inbox=" + tmp.resolve("inbox.db"))
                     .run()) {
            assertThat(context.getBean(RecordingEvents.class)).isNotNull();
            assertThat(context.getBean(RecordingWorkers.class)).isNotNull();
            RecordingInbox inbox = context.getBean(RecordingInbox.class);

            TestRecording r = api.addRecording(RecordingSpec.create().seed(1));
            CallbackDelivery ok = api.takeCallbackDelivery();
            assertThat(ok.attemptStatuses()).containsExactly(204);
            assertThat(inbox.entry(r.sid()).block(Duration.ofSeconds(10))).isNotNull();

            api.enqueueCallbackFault(CallbackFault.WRONG_SIGNATURE);
            TestRecording forged = api.addRecording(RecordingSpec.create().seed(2));
            CallbackDelivery refused = api.takeCallbackDelivery();
            assertThat(refused.attemptStatuses()).containsOnly(403);
            assertThat(inbox.entry(forged.sid()).block(Duration.ofSeconds(10))).isNull();

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Path stored = null;
            while (stored == null && System.nanoTime() < deadline) {
                stored = find(App.archive, r.sid() + ".json") != null ? find(App.archive, r.sid() + ".wav") : null;
                Thread.sleep(50);
            }
            assertThat(stored).isNotNull().hasBinaryContent(r.bytes(Format.WAV));
            assertThat(api.requestCount(forged.jsonUrl().getPath())).isZero();
        }
    }

    @Test
    void withoutASigningKeyThereIsNoEndpoint() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "laml.recordings.space=example",
                        "laml.recordings.project-id=p", "laml.recordings.api-token=t")
                .run()) {
            assertThat(context.getBeanProvider(RecordingEvents.class).getIfAvailable()).isNull();
            assertThat(context.getBeanProvider(RecordingInbox.class).getIfAvailable()).isNull();
        }
    }

    static Path find(Path root, String name) throws IOException {
        if (!Files.exists(root)) {
            return null;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(null);
        } catch (java.io.UncheckedIOException raced) {
            return null;
        }
    }
}
