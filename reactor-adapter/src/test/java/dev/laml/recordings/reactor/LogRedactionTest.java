package dev.laml.recordings.reactor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.laml.recordings.AudioFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.PROJECT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static dev.laml.recordings.reactor.TestData.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token (and a proxy's password), plain or base64-encoded, appears in no log line at any level (Reactor, Reactor
 * Netty and Netty included, at TRACE) and in no error the client emits, across successes,
 * errors, retries and redirects.
 */
class LogRedactionTest {

    private static final String BASE64 = Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    private static final String PATH = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING;

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Logger root;
    private Level previous;
    private WireMockServer wm;

    @BeforeEach
    void captureEverything() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previous = root.getLevel();
        root.setLevel(Level.TRACE);
        captured.setContext(context);
        captured.start();
        root.addAppender(captured);
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterEach
    void restore() {
        root.detachAppender(captured);
        root.setLevel(previous);
        wm.stop();
    }

    @Test
    void noLogLineAndNoErrorCarriesTheToken() {
        wm.stubFor(get(urlEqualTo(PATH + ".json")).willReturn(aResponse().withStatus(302).withHeader("Location", PATH + "-2.json")));
        wm.stubFor(get(urlEqualTo(PATH + "-2.json")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(TestData.fixture("recording-spec.json"))));
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture("error-401.json"))));
        wm.stubFor(get(urlEqualTo(PATH + ".wav")).willReturn(aResponse().withStatus(503)));
        List<Throwable> errors = new ArrayList<>();

        try (RecordingsClient client = RecordingsClient.builder()
                .baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(PROJECT, TOKEN)
                .sendCredentialsToMedia(true)
                .retryPolicy(dev.laml.recordings.RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)))
                .build()) {
            client.fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(10));
            client.download(ACCOUNT, RECORDING, AudioFormat.MP3).doOnError(errors::add)
                    .onErrorResume(e -> reactor.core.publisher.Flux.empty()).blockLast(Duration.ofSeconds(10));
            client.download(ACCOUNT, RECORDING, AudioFormat.WAV).doOnError(errors::add)
                    .onErrorResume(e -> reactor.core.publisher.Flux.empty()).blockLast(Duration.ofSeconds(10));
            errors.add(new RuntimeException(client.toString()));
        }

        // Background threads (pool eviction, WireMock) may still be logging: stop capturing, then copy.
        root.detachAppender(captured);
        List<ILoggingEvent> events;
        synchronized (captured) {
            events = List.copyOf(captured.list);
        }
        assertThat(events).as("Reactor Netty logged at DEBUG/TRACE during the run")
                .anyMatch(e -> e.getLoggerName().startsWith("reactor.netty") && e.getLevel().toInt() <= Level.DEBUG_INT);
        assertThat(errors).hasSize(3);
        assertNothingCarries(events, errors, TOKEN, BASE64);
    }

    /** Proxy credentials, right and wrong, in no log line (TRACE everywhere), no error, no toString(). */
    @Test
    void noLogLineAndNoErrorCarriesTheProxyPassword(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String user = "proxy-user";
        String password = "proxy-pa55word";
        String wrong = "wrong-pa55word";
        byte[] audio = TestData.bytes(20_000, 3);
        List<Throwable> errors = new ArrayList<>();
        try (HttpsAudioServer server = new HttpsAudioServer(Certificates.loopback(), audio);
             dev.laml.recordings.testsupport.ConnectProxy proxy =
                     dev.laml.recordings.testsupport.ConnectProxy.withCredentials(user, password)) {
            for (String pw : List.of(password, wrong)) {
                try (RecordingsClient client = RecordingsClient.builder().baseUrl(server.uri())
                        .trustedCertificates(Certificates.pem(dir, Certificates.CA))
                        .proxy(URI.create("http://" + user + ":" + pw + "@127.0.0.1:" + proxy.port()))
                        .build()) {
                    client.download(ACCOUNT, RECORDING, AudioFormat.MP3).doOnError(errors::add)
                            .onErrorResume(e -> reactor.core.publisher.Flux.empty()).blockLast(Duration.ofSeconds(10));
                    errors.add(new RuntimeException(client.toString()));
                }
            }
            assertThat(proxy.tunnelsOpened()).isEqualTo(1);
        }
        root.detachAppender(captured);
        List<ILoggingEvent> events;
        synchronized (captured) {
            events = List.copyOf(captured.list);
        }
        assertThat(errors).hasSize(3).anyMatch(e -> e instanceof dev.laml.recordings.ProxyException);
        for (String secret : List.of(password, wrong)) {
            assertNothingCarries(events, errors, secret,
                    Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static void assertNothingCarries(List<ILoggingEvent> events, List<Throwable> errors, String secret,
            String encoded) {
        for (ILoggingEvent event : events) {
            String text = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertThat(text).doesNotContain(secret).doesNotContain(encoded);
        }
        for (Throwable e : errors) {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t).append('\n');
            }
            assertThat(all.toString()).doesNotContain(secret).doesNotContain(encoded);
        }
    }
}
