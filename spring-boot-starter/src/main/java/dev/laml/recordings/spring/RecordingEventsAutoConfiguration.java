package dev.laml.recordings.spring;

import dev.laml.recordings.events.RecordingEvents;
import dev.laml.recordings.events.RecordingInbox;
import dev.laml.recordings.events.RecordingWorkers;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recording status callback endpoint as a WebFlux {@link RouterFunction}, when {@code laml.recordings.events
 * .signing-key} is set and the application has WebFlux and {@code laml-recordings-events}: a {@link RecordingInbox}
 * ({@code laml.recordings.events.inbox}), a {@link RecordingEvents} receiver checking signatures against
 * {@code laml.recordings.events.public-url}, and the route at {@code laml.recordings.events.path}. When the
 * application defines an {@link ArchiveTarget} bean, {@link RecordingWorkers} drain the inbox into it while the
 * context runs (stopped gracefully with it). Each bean yields to one the application defines.
 *
 * <p>Thread-safety: Spring calls it once, while the context starts; it holds no state.
 */
// Spring's annotations here (and the classes @ConditionalOnClass names) are for Spring, which reads them at run time;
// a module reading this one needs no access to them, so they are not made transitive (module-info.java).
@SuppressWarnings("exports")
@AutoConfiguration(after = RecordingsAutoConfiguration.class)
@ConditionalOnClass({RecordingEvents.class, RouterFunction.class})
@ConditionalOnProperty(prefix = "laml.recordings.events", name = "signing-key")
@EnableConfigurationProperties(RecordingEventsProperties.class)
public final class RecordingEventsAutoConfiguration {

    /** Created by Spring when the auto-configuration applies; not for applications. */
    public RecordingEventsAutoConfiguration() {
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RecordingInbox recordingInbox(RecordingEventsProperties properties) {
        return RecordingInbox.open(properties.getInbox());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ArchiveTarget.class)
    RecordingWorkers recordingWorkers(RecordingsClient client, RecordingInbox inbox, ArchiveTarget target) {
        return RecordingWorkers.builder().client(client).inbox(inbox).target(target).build();
    }

    @Bean
    @ConditionalOnBean(RecordingWorkers.class)
    SmartLifecycle recordingWorkersLifecycle(RecordingWorkers workers) {
        return new WorkersLifecycle(workers);
    }

    @Bean
    @ConditionalOnMissingBean
    RecordingEvents recordingEvents(RecordingEventsProperties properties, RecordingsClient client,
            RecordingInbox inbox, ObjectProvider<RecordingWorkers> workers) {
        WebhookSignature signature = properties.getPreviousSigningKey() == null
                ? WebhookSignature.of(properties.getSigningKey())
                : WebhookSignature.of(properties.getSigningKey(), properties.getPreviousSigningKey());
        RecordingEvents.Builder b = RecordingEvents.builder().signature(signature).apiBaseUrl(client.baseUrl())
                .inbox(inbox).trustForwardedHeaders(properties.isTrustForwardedHeaders());
        if (properties.getPublicUrl() != null) {
            b.publicUrl(properties.getPublicUrl());
        }
        if (properties.getAccountSid() != null) {
            b.accountSid(properties.getAccountSid());
        }
        b.onAccepted(e -> workers.ifAvailable(RecordingWorkers::wake));
        return b.build();
    }

    @Bean
    RouterFunction<ServerResponse> recordingEventsRoute(RecordingEventsProperties properties, RecordingEvents events) {
        return RouterFunctions.route(RequestPredicates.path(properties.getPath()), request -> handle(events, request));
    }

    private static Mono<ServerResponse> handle(RecordingEvents events, ServerRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().asHttpHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        URI received = request.uri();
        // Path and query as received: the receiver signs its configured public URL, never this host.
        URI url = URI.create(received.getRawPath() + (received.getRawQuery() == null ? "" : "?" + received.getRawQuery()));
        Flux<ByteBuffer> body = request.bodyToFlux(DataBuffer.class).map(buffer -> {
            try {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                return ByteBuffer.wrap(bytes);
            } finally {
                DataBufferUtils.release(buffer);
            }
        });
        return events.handle(new RecordingEvents.Request(request.method().name(), url, headers, body))
                .flatMap(answer -> {
                    ServerResponse.BodyBuilder r = ServerResponse.status(answer.status());
                    answer.headers().forEach(r::header);
                    return answer.message() == null || answer.status() == 204 ? r.build()
                            : r.contentType(org.springframework.http.MediaType.TEXT_PLAIN).bodyValue(answer.message() + "\n");
                });
    }

    /** Runs the workers while the context runs; stops them gracefully (20 s) when it stops. */
    private static final class WorkersLifecycle implements SmartLifecycle {
        private final RecordingWorkers workers;
        private volatile Disposable running;

        WorkersLifecycle(RecordingWorkers workers) {
            this.workers = workers;
        }

        @Override
        public void start() {
            running = workers.run().subscribe();
        }

        @Override
        public void stop() {
            workers.shutdown(Duration.ofSeconds(20)).block(Duration.ofSeconds(30));
            Disposable d = running;
            if (d != null) {
                d.dispose();
            }
            running = null;
        }

        @Override
        public boolean isRunning() {
            return running != null;
        }
    }
}
