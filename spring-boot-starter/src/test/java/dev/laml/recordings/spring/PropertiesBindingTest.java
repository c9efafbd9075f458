package dev.laml.recordings.spring;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property binds from its configuration form ("10s", "jdk", comma lists) and reaches the client: where the
 * client shows a setting, through what it shows; elsewhere through what it does against the testkit. (That each
 * value goes to its own builder method is also shown by StartupFailureTest, one refused value per property.)
 */
class PropertiesBindingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ACCOUNT = "1b5c8c7e-8f0a-4a39-9d5c-3a4f5e6d7c8b";

    @RegisterExtension
    static final RecordingsServerExtension recordings = new RecordingsServerExtension();

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class));

    private RecordingsServer server() {
        return recordings.server();
    }

    private ApplicationContextRunner againstTheTestkit() {
        return runner.withPropertyValues("laml.recordings.base-url=" + server().baseUrl(),
                "laml.recordings.project-id=" + server().projectId(),
                "laml.recordings.api-token=" + server().apiToken());
    }

    @Test
    void everyPropertyBindsFromItsConfigurationForm() throws IOException {
        Path pem;
        try (RecordingsServer tls = RecordingsServer.builder().tls().start()) {
            pem = tls.writeCertificatePem(dir.resolve("ca.pem"));
        }
        runner.withPropertyValues(
                "laml.recordings.base-url=https://emulator.example:8443/prefix",
                "laml.recordings.project-id=project",
                "laml.recordings.api-token=token",
                "laml.recordings.account-sid=" + ACCOUNT,
                "laml.recordings.allow-insecure-http=true",
                "laml.recordings.send-credentials-to-media=true",
                "laml.recordings.max-metadata-bytes=65536",
                "laml.recordings.max-connections=16",
                "laml.recordings.pending-acquire-max-count=100",
                "laml.recordings.pending-acquire-timeout=5s",
                "laml.recordings.max-idle-time=1m",
                "laml.recordings.connect-timeout=2s",
                "laml.recordings.response-timeout=PT10S",
                "laml.recordings.idle-timeout=15000", // a bare number is milliseconds, as everywhere in Boot
                "laml.recordings.retry.max-attempts=6",
                "laml.recordings.retry.base-delay=100ms",
                "laml.recordings.retry.max-delay=5s",
                "laml.recordings.retry.max-retry-after=30s",
                "laml.recordings.retry.resume-without-progress-for=1m",
                "laml.recordings.retry.max-resume-delay=3s",
                "laml.recordings.retry-not-found-for=2m",
                "laml.recordings.durable-files=false",
                "laml.recordings.tls-engine=jdk",
                "laml.recordings.trusted-certificates=" + pem,
                "laml.recordings.tls-handshake-timeout=3s",
                "laml.recordings.proxy=http://user:secret@proxy.example:3128",
                "laml.recordings.no-proxy=*.internal,10.0.0.0/8",
                "laml.recordings.media-hosts=*.signalwire.com,media.example.com").run(context -> {
            assertThat(context).hasNotFailed();
            RecordingsProperties p = context.getBean(RecordingsProperties.class);
            assertThat(p.getSpace()).isNull();
            assertThat(p.getBaseUrl()).isEqualTo(URI.create("https://emulator.example:8443/prefix"));
            assertThat(p.getProjectId()).isEqualTo("project");
            assertThat(p.getApiToken()).isEqualTo("token");
            assertThat(p.getAccountSid()).isEqualTo(ACCOUNT);
            assertThat(p.getAllowInsecureHttp()).isTrue();
            assertThat(p.getSendCredentialsToMedia()).isTrue();
            assertThat(p.getMaxMetadataBytes()).isEqualTo(65536);
            assertThat(p.getMaxConnections()).isEqualTo(16);
            assertThat(p.getPendingAcquireMaxCount()).isEqualTo(100);
            assertThat(p.getPendingAcquireTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getMaxIdleTime()).isEqualTo(Duration.ofMinutes(1));
            assertThat(p.getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(p.getResponseTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.getIdleTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(p.getRetry().getMaxAttempts()).isEqualTo(6);
            assertThat(p.getRetry().getBaseDelay()).isEqualTo(Duration.ofMillis(100));
            assertThat(p.getRetry().getMaxDelay()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getRetry().getMaxRetryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.getRetry().getResumeWithoutProgressFor()).isEqualTo(Duration.ofMinutes(1));
            assertThat(p.getRetry().getMaxResumeDelay()).isEqualTo(Duration.ofSeconds(3));
            assertThat(p.getRetryNotFoundFor()).isEqualTo(Duration.ofMinutes(2));
            assertThat(p.getDurableFiles()).isFalse();
            assertThat(p.getTlsEngine()).isEqualTo(TlsEngine.JDK);
            assertThat(p.getTrustedCertificates()).isEqualTo(pem);
            assertThat(p.getTlsHandshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(p.getProxy()).isEqualTo("http://user:secret@proxy.example:3128");
            assertThat(p.getNoProxy()).containsExactly("*.internal", "10.0.0.0/8");
            assertThat(p.getMediaHosts()).containsExactly("*.signalwire.com", "media.example.com");

            RecordingsClient client = context.getBean(RecordingsClient.class);
            assertThat(client.baseUrl()).isEqualTo(URI.create("https://emulator.example:8443/prefix"));
            assertThat(client.tlsEngine()).isEqualTo(TlsEngine.JDK);
            assertThat(client.toString()).contains("proxy=http://proxy.example:3128").doesNotContain("secret");
        });
    }

    @Test
    void unsetPropertiesAreNullAndLeaveTheClientsDefaults() {
        runner.withPropertyValues("laml.recordings.space=example").run(context -> {
            RecordingsProperties p = context.getBean(RecordingsProperties.class);
            assertThat(p.getMaxConnections()).isNull();
            assertThat(p.getResponseTimeout()).isNull();
            assertThat(p.getRetry().getMaxAttempts()).isNull();
            assertThat(p.getTlsEngine()).isNull();
            assertThat(p.getNoProxy()).isNull();
            assertThat(p.getMediaHosts()).isNull();
            assertThat(p.toString()).isEqualTo("RecordingsProperties[space=example]");
            assertThat(context.getBean(RecordingsClient.class).toString())
                    .isEqualTo(RecordingsClient.builder().space("example").build().toString());
        });
    }

    @Test
    void theTlsEngineIsTheOneConfigured() {
        runner.withPropertyValues("laml.recordings.space=example", "laml.recordings.tls-engine=JDK")
                .run(context -> assertThat(context.getBean(RecordingsClient.class).tlsEngine()).isEqualTo(TlsEngine.JDK));
    }

    @Test
    void trustedCertificatesLetTheClientTalkToAServerWithAPrivateCa() {
        try (RecordingsServer tls = RecordingsServer.builder().tls().start()) {
            TestRecording rec = tls.addRecording();
            Path pem = tls.writeCertificatePem(dir.resolve("testkit.pem"));
            ApplicationContextRunner https = runner.withPropertyValues("laml.recordings.base-url=" + tls.baseUrl(),
                    "laml.recordings.project-id=" + tls.projectId(), "laml.recordings.api-token=" + tls.apiToken());

            https.withPropertyValues("laml.recordings.trusted-certificates=" + pem).run(context ->
                    assertThat(context.getBean(RecordingsClient.class).fetch(rec.accountSid(), rec.sid()).block(WAIT).sid())
                            .isEqualTo(rec.sid()));
            https.run(context -> assertThat(errorOf(context.getBean(RecordingsClient.class).fetch(rec.accountSid(), rec.sid())))
                    .isInstanceOf(TlsException.class));
        }
    }

    @Test
    void retryMaxAttemptsOfOneTurnsRetriesOff() {
        TestRecording rec = server().addRecording();
        againstTheTestkit().withPropertyValues("laml.recordings.retry.max-attempts=1").run(context -> {
            server().enqueueFault(Fault.serverError(503));
            assertThat(errorOf(audio(context.getBean(RecordingsClient.class), rec)))
                    .isInstanceOf(ServerException.class);
            assertThat(server().requestCount()).isEqualTo(1);
        });
    }

    @Test
    void retryMaxAttemptsBoundsTheAttempts() {
        TestRecording rec = server().addRecording();
        againstTheTestkit().withPropertyValues("laml.recordings.retry.max-attempts=2", "laml.recordings.retry.base-delay=1ms")
                .run(context -> {
                    server().enqueueFaults(2, Fault.serverError(503)); // the default 4 attempts would get through
                    assertThat(errorOf(audio(context.getBean(RecordingsClient.class), rec)))
                            .isInstanceOf(ServerException.class);
                    assertThat(server().requestCount()).isEqualTo(2);
                });
    }

    @Test
    void retryMaxRetryAfterShortensTheServersRetryAfter() {
        TestRecording rec = server().addRecording();
        againstTheTestkit().withPropertyValues("laml.recordings.retry.max-retry-after=50ms").run(context -> {
            server().enqueueFault(Fault.rateLimited(Duration.ofSeconds(30))); // honoured in full, it outlasts WAIT
            long started = System.nanoTime();
            assertThat(download(context.getBean(RecordingsClient.class), rec)).isEqualTo(rec.size(Format.MP3));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(server().requestCount()).isEqualTo(2);
        });
    }

    @Test
    void retryNotFoundForRetriesAMedia404() {
        TestRecording rec = server().addRecording();
        againstTheTestkit().withPropertyValues("laml.recordings.retry.base-delay=5ms").run(context -> {
            server().enqueueFault(Fault.status(404));
            assertThat(errorOf(audio(context.getBean(RecordingsClient.class), rec)))
                    .isInstanceOf(NotFoundException.class);
        });
        againstTheTestkit().withPropertyValues("laml.recordings.retry.base-delay=5ms",
                "laml.recordings.retry-not-found-for=5s").run(context -> {
            server().enqueueFault(Fault.status(404));
            assertThat(download(context.getBean(RecordingsClient.class), rec)).isEqualTo(rec.size(Format.MP3));
        });
    }

    @Test
    void sendCredentialsToMediaPutsTheAuthorizationOnAudioRequests() {
        TestRecording rec = server().addRecording();
        againstTheTestkit().run(context -> download(context.getBean(RecordingsClient.class), rec));
        assertThat(server().takeRequest().hasAuthorization()).as("by default").isFalse();

        againstTheTestkit().withPropertyValues("laml.recordings.send-credentials-to-media=true")
                .run(context -> download(context.getBean(RecordingsClient.class), rec));
        assertThat(server().takeRequest().hasAuthorization()).as("with send-credentials-to-media").isTrue();
    }

    @Test
    void maxMetadataBytesLimitsTheMetadataBodies() {
        server().addRecordings(4, 42); // a page of four or more is a few KiB of JSON
        againstTheTestkit().run(context -> assertThat(context.getBean(RecordingsClient.class)
                .listPage(server().accountSid(), RecordingQuery.all()).block(WAIT).recordings()).hasSizeGreaterThanOrEqualTo(4));
        againstTheTestkit().withPropertyValues("laml.recordings.max-metadata-bytes=1024").run(context ->
                assertThat(errorOf(context.getBean(RecordingsClient.class).listPage(server().accountSid(), RecordingQuery.all())))
                        .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("1024"));
    }

    @Test
    void theProxyCarriesEveryConnectionExceptThoseNoProxyExempts() throws IOException {
        TestRecording rec = server().addRecording();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: the proxy is unreachable
        }
        String proxy = "laml.recordings.proxy=http://127.0.0.1:" + closedPort;
        againstTheTestkit().withPropertyValues(proxy).run(context ->
                assertThat(errorOf(audio(context.getBean(RecordingsClient.class), rec)))
                        .isInstanceOf(ProxyException.class));
        againstTheTestkit().withPropertyValues(proxy, "laml.recordings.no-proxy=localhost,127.0.0.1").run(context ->
                assertThat(download(context.getBean(RecordingsClient.class), rec)).isEqualTo(rec.size(Format.MP3)));
    }

    @Test
    void mediaHostsAllowMediaUrlsOnThoseHostsOnly() {
        TestRecording rec = server().addRecording();
        // The testkit's origin is 127.0.0.1; "localhost" names the same server as another host.
        URI elsewhere = URI.create("http://localhost:" + server().port() + rec.url(Format.MP3).getRawPath());
        againstTheTestkit().run(context ->
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.getBean(RecordingsClient.class).download(elsewhere))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("\"localhost\"").hasMessageContaining("mediaHosts"));
        againstTheTestkit().withPropertyValues("laml.recordings.media-hosts=localhost").run(context ->
                assertThat(context.getBean(RecordingsClient.class).download(elsewhere).map(b -> (long) b.remaining())
                        .reduce(0L, Long::sum).block(WAIT)).isEqualTo(rec.size(Format.MP3)));
    }

    @Test
    void maxConnectionsBoundsTheConnectionsOpenAtOnce() {
        List<TestRecording> recs = List.of(server().addRecording(), server().addRecording(), server().addRecording());
        recs.forEach(r -> r.injectFault(Fault.latency(Duration.ofMillis(150))));
        againstTheTestkit().withPropertyValues("laml.recordings.max-connections=1").run(context -> {
            RecordingsClient client = context.getBean(RecordingsClient.class);
            Flux.fromIterable(recs).flatMap(r -> client.download(r.accountSid(), r.sid(), AudioFormat.MP3))
                    .blockLast(WAIT);
            assertThat(server().peakConnections()).isEqualTo(1);
        });
    }

    @Test
    void responseTimeoutBoundsTheWaitForHeaders() {
        TestRecording rec = server().addRecording();
        rec.injectFault(Fault.latency(Duration.ofSeconds(3)));
        againstTheTestkit().withPropertyValues("laml.recordings.response-timeout=200ms",
                "laml.recordings.retry.max-attempts=1").run(context -> {
            long started = System.nanoTime();
            assertThat(errorOf(audio(context.getBean(RecordingsClient.class), rec)))
                    .isInstanceOf(dev.laml.recordings.ResponseTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        });
    }

    private static Flux<ByteBuffer> audio(RecordingsClient client, TestRecording rec) {
        return client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3);
    }

    private static long download(RecordingsClient client, TestRecording rec) {
        return audio(client, rec).map(b -> (long) b.remaining()).reduce(0L, Long::sum).block(WAIT);
    }

    /** The error a publisher ends with, as emitted: block() would wrap a checked TransferException. */
    static Throwable errorOf(Publisher<?> publisher) {
        return Flux.from(publisher).then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
    }
}
