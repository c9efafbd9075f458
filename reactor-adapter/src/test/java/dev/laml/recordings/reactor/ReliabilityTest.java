package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.PoolExhaustedException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.PROJECT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static dev.laml.recordings.reactor.TestData.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every fault ends in the exact bytes or a typed error: retries, resume from an offset,
 * demand-aware idle timeouts, redirects, pool limits.
 */
class ReliabilityTest {

    private static final String PATH = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING;
    private static final byte[] AUDIO = TestData.bytes(2 << 20, 99);
    private static final String ETAG = "\"v1-" + TestData.sha256(AUDIO).substring(0, 16) + "\"";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    /** Fast retries so the tests spend their time on the faults, not on waiting. */
    private static final RetryPolicy FAST = RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20));

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private RecordingsClient client(URI base) {
        return track(RecordingsClient.builder().baseUrl(base).credentials(PROJECT, TOKEN).retryPolicy(FAST).build());
    }

    private WireMockServer wireMock() {
        WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        resources.add(wm::stop);
        return wm;
    }

    private static URI base(WireMockServer wm) {
        return URI.create("http://127.0.0.1:" + wm.port());
    }

    /** Serves AUDIO honouring Range; {@code brokenUntil} requests send only part, then misbehave. */
    private static void serveRange(RawHttpServer.Request request, RawHttpServer.Response response, String etag)
            throws IOException {
        String range = request.header("Range");
        String ifRange = request.header("If-Range");
        if (range != null && (ifRange == null || ifRange.equals(etag))) {
            long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
            response.head(206, "Partial Content", "Content-Type", "audio/mpeg", "ETag", etag,
                    "Content-Range", "bytes " + from + "-" + (AUDIO.length - 1) + "/" + AUDIO.length,
                    "Content-Length", String.valueOf(AUDIO.length - from));
            response.body(AUDIO, (int) from, (int) (AUDIO.length - from));
            return;
        }
        response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", etag, "Content-Length", String.valueOf(AUDIO.length));
        response.body(AUDIO);
    }

    private static String collectHash(Flux<ByteBuffer> flux) {
        return TestData.sha256(flux.collectList().block(Duration.ofSeconds(20)));
    }

    // ------------------------------------------------------------------ retries

    @Test
    void serverErrorsAreRetriedUntilTheAnswerComes() {
        WireMockServer wm = wireMock();
        String json = PATH + ".json";
        wm.stubFor(get(urlEqualTo(json)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
        wm.stubFor(get(urlEqualTo(json)).inScenario("flaky").whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(502)).willSetStateTo("3"));
        wm.stubFor(get(urlEqualTo(json)).inScenario("flaky").whenScenarioStateIs("3")
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody(TestData.fixture("recording-spec.json"))));

        assertThat(client(base(wm)).fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(10)).sid()).isEqualTo(RECORDING);
        wm.verify(3, getRequestedFor(urlEqualTo(json)));
    }

    @Test
    void exhaustedRetriesEndInTheLastTypedErrorWithTheAttemptCount() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".json")).willReturn(aResponse().withStatus(503)));

        StepVerifier.create(client(base(wm)).fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ServerException.class);
                    assertThat(((ServerException) e).attempts()).isEqualTo(4);
                    assertThat(((ServerException) e).elapsed()).isNotNull();
                    assertThat(e.getMessage()).containsPattern("\\(after 4 attempts over \\d+\\.\\d s\\)$");
                })
                .verify(Duration.ofSeconds(10));
        wm.verify(4, getRequestedFor(urlEqualTo(PATH + ".json")));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404})
    void clientErrorsAreNeverRetried(int status) {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withStatus(status)));

        StepVerifier.create(client(base(wm)).download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectErrorSatisfies(e -> assertThat(((dev.laml.recordings.ApiException) e).httpStatus()).isEqualTo(status))
                .verify(Duration.ofSeconds(10));
        wm.verify(1, getRequestedFor(urlEqualTo(PATH + ".mp3")));
    }

    @Test
    void rateLimitingIsRetriedAfterRetryAfter() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".json")).inScenario("rl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"code\": 20429, \"message\": \"Too Many Requests\"}")).willSetStateTo("ok"));
        wm.stubFor(get(urlEqualTo(PATH + ".json")).inScenario("rl").whenScenarioStateIs("ok")
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody(TestData.fixture("recording-spec.json"))));

        long start = System.nanoTime();
        client(base(wm)).fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(10));
        // The schedule itself is pinned with virtual time in RetriesTest; this only checks the
        // server's word was taken over the (5 ms) backoff.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        wm.verify(2, getRequestedFor(urlEqualTo(PATH + ".json")));
    }

    @Test
    void connectionFailuresBeforeTheHeadersAreRetried() {
        WireMockServer wm = wireMock();
        for (Fault fault : new Fault[] {Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE}) {
            wm.resetAll();
            wm.stubFor(get(urlEqualTo(PATH + ".mp3")).inScenario("f").whenScenarioStateIs(Scenario.STARTED)
                    .willReturn(aResponse().withFault(fault)).willSetStateTo("ok"));
            wm.stubFor(get(urlEqualTo(PATH + ".mp3")).inScenario("f").whenScenarioStateIs("ok")
                    .willReturn(aResponse().withHeader("Content-Type", "audio/mpeg").withBody(AUDIO)));

            assertThat(collectHash(client(base(wm)).download(ACCOUNT, RECORDING, AudioFormat.MP3)))
                    .as(fault.name()).isEqualTo(TestData.sha256(AUDIO));
        }
    }

    @Test
    void garbageResponsesEndInATypedErrorAfterTheBudget() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));

        StepVerifier.create(client(base(wm)).download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .thenConsumeWhile(b -> true)
                .expectError(dev.laml.recordings.TransferException.class)
                .verify(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------ resume

    @Test
    void aTruncatedBodyIsResumedWithRangeAndIfRange() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            if (requests.incrementAndGet() == 1) {
                response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG,
                        "Content-Length", String.valueOf(AUDIO.length));
                response.body(AUDIO, 0, 700_001); // then the connection closes
                return;
            }
            serveRange(request, response, ETAG);
        }));

        assertThat(collectHash(client(server.baseUrl()).download(ACCOUNT, RECORDING, AudioFormat.MP3)))
                .isEqualTo(TestData.sha256(AUDIO));
        RawHttpServer.Request resumed = server.requests().get(1);
        assertThat(resumed.header("Range")).isEqualTo("bytes=700001-");
        assertThat(resumed.header("If-Range")).isEqualTo(ETAG);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aResetMidBodyIsResumedToo() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            int n = requests.incrementAndGet();
            if (n <= 2) {
                String range = request.header("Range");
                int from = range == null ? 0 : Integer.parseInt(range.substring(6, range.length() - 1));
                response.head(range == null ? 200 : 206, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG,
                        "Content-Length", String.valueOf(AUDIO.length - from),
                        "Content-Range", "bytes " + from + "-" + (AUDIO.length - 1) + "/" + AUDIO.length);
                response.body(AUDIO, from, 300_000);
                response.reset();
                return;
            }
            serveRange(request, response, ETAG);
        }));

        assertThat(collectHash(client(server.baseUrl()).download(ACCOUNT, RECORDING, AudioFormat.MP3)))
                .isEqualTo(TestData.sha256(AUDIO));
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aServerThatIgnoresTheRangeIsSkippedAheadWhenTheValidatorStillMatches() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG, "Content-Length", String.valueOf(AUDIO.length));
            if (requests.incrementAndGet() == 1) {
                response.body(AUDIO, 0, 123_457);
                return;
            }
            response.body(AUDIO); // ignores Range: the whole body again
        }));

        assertThat(collectHash(client(server.baseUrl()).download(ACCOUNT, RECORDING, AudioFormat.MP3)))
                .isEqualTo(TestData.sha256(AUDIO));
    }

    @Test
    void aBodyThatBreaksBeforeItsFirstByteIsSimplyFetchedAgain() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            // No validators and no Range support: a resume would be impossible, a restart is fine.
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Content-Length", String.valueOf(AUDIO.length));
            if (requests.incrementAndGet() == 1) {
                return; // headers, then close before any body byte
            }
            response.body(AUDIO);
        }));

        assertThat(collectHash(client(server.baseUrl()).download(ACCOUNT, RECORDING, AudioFormat.MP3)))
                .isEqualTo(TestData.sha256(AUDIO));
        assertThat(server.requests().get(1).header("Range")).isNull();
    }

    @Test
    void changedContentFailsClearlyInsteadOfSplicingTwoVersions() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            boolean first = requests.incrementAndGet() == 1;
            response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", first ? ETAG : "\"v2\"",
                    "Content-Length", String.valueOf(AUDIO.length));
            response.body(AUDIO, 0, first ? 50_000 : AUDIO.length);
        }));
        List<ByteBuffer> got = new ArrayList<>();

        StepVerifier.create(client(server.baseUrl()).download(ACCOUNT, RECORDING, AudioFormat.MP3).doOnNext(got::add))
                .thenConsumeWhile(b -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ContentChangedException.class)
                        .hasMessageContaining("changed"))
                .verify(Duration.ofSeconds(10));
        assertThat(TestData.size(got)).isEqualTo(50_000);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aResumeThatGetsNoFurtherEndsWhenItsResumeBudgetRunsOutWithBothFigures() throws IOException {
        // The first answer delivers 1000 bytes, every resume breaks before its first byte: progress once, then none.
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            if (request.header("Range") == null) {
                response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG,
                        "Content-Length", String.valueOf(AUDIO.length));
                response.body(AUDIO, 0, 1000);
            }
            response.reset();
        }));
        // The window is wide enough for several resumes even on a loaded machine (one resume there took 2.4 s), so
        // that the count past maxAttempts proves the time budget, not the scheduler's luck.
        RetryPolicy policy = FAST.maxAttempts(2).resumeWithoutProgressFor(Duration.ofSeconds(4));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl()).retryPolicy(policy).build());

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .thenConsumeWhile(b -> true)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(TransferException.class);
                    TransferException te = (TransferException) e;
                    assertThat(te.attempts()).as("every attempt reached the server").isEqualTo(server.requests().size())
                            .as("resumed by time, past the request budget's 2").isGreaterThan(policy.maxAttempts());
                    assertThat(te.elapsed()).as("failures spread over the whole window").isGreaterThanOrEqualTo(
                            policy.resumeWithoutProgressFor());
                    assertThat(te.getMessage()).containsPattern("\\(after " + te.attempts() + " attempts over \\d+\\.\\d s\\)$");
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests().subList(1, server.requests().size()))
                .allSatisfy(r -> assertThat(r.header("Range")).isEqualTo("bytes=1000-"));
    }

    // ------------------------------------------------------------------ idle timeout

    @Test
    void aBodyThatGoesSilentWhileTheSubscriberWaitsIsResumed() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            if (requests.incrementAndGet() == 1) {
                response.head(200, "OK", "Content-Type", "audio/mpeg", "ETag", ETAG,
                        "Content-Length", String.valueOf(AUDIO.length));
                response.body(AUDIO, 0, 200_000);
                Thread.sleep(5_000); // stalls with the connection open
                return;
            }
            serveRange(request, response, ETAG);
        }));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .idleTimeout(Duration.ofMillis(400)).retryPolicy(FAST).build());

        assertThat(collectHash(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))).isEqualTo(TestData.sha256(AUDIO));
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).header("Range")).isEqualTo("bytes=200000-");
    }

    @Test
    void aSlowSubscriberIsNotADeadServer() throws IOException {
        RawHttpServer server = track(new RawHttpServer((request, response) -> serveRange(request, response, ETAG)));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .idleTimeout(Duration.ofMillis(200)).retryPolicy(FAST).build());
        List<ByteBuffer> got = new ArrayList<>();

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3).doOnNext(got::add), 1)
                .expectNextCount(1)
                .thenAwait(Duration.ofMillis(1200)) // holds back for six idle timeouts
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> true)
                .verifyComplete();

        assertThat(TestData.sha256(got)).isEqualTo(TestData.sha256(AUDIO));
        assertThat(server.requests()).hasSize(1);
    }

    // ------------------------------------------------------------------ one clock per connection

    @Test
    void everyRequestOnAReusedConnectionGetsItsOwnTimeToHeaders() {
        WireMockServer wm = wireMock();
        String slow = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + TestData.OTHER_RECORDING + ".json";
        wm.stubFor(get(urlEqualTo(PATH + ".json")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(TestData.fixture("recording-spec.json"))));
        wm.stubFor(get(urlEqualTo(slow)).willReturn(aResponse().withFixedDelay(3_000)
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture("recording-spec.json"))));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(base(wm)).credentials(PROJECT, TOKEN)
                .maxConnections(1).responseTimeout(Duration.ofMillis(400)).retryPolicy(RetryPolicy.none()).build());

        // Several exchanges on one kept-alive connection, spread over more than the timeout: none
        // inherits a deadline from the one before.
        for (int i = 0; i < 4; i++) {
            assertThat(client.fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(5)).sid()).isEqualTo(RECORDING);
            sleepQuietly(150);
        }
        long start = System.nanoTime();
        StepVerifier.create(client.fetch(ACCOUNT, TestData.OTHER_RECORDING))
                .expectError(dev.laml.recordings.ResponseTimeoutException.class)
                .verify(Duration.ofSeconds(2));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(390));
        // The timed-out connection is not reused; the next exchange gets a fresh one and works.
        assertThat(client.fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(5)).sid()).isEqualTo(RECORDING);
    }

    @Test
    void theTimeToHeadersEndsWithTheHeadersHoweverLongTheBodyTakes() {
        WireMockServer wm = wireMock();
        byte[] audio = TestData.bytes(96 * 1024, 5);
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withHeader("Content-Type", "audio/mpeg")
                .withBody(audio).withChunkedDribbleDelay(12, 1_500)));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(base(wm))
                .responseTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofSeconds(2))
                .retryPolicy(RetryPolicy.none()).build());

        assertThat(collectHash(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))).isEqualTo(TestData.sha256(audio));
    }

    @Test
    void anErrorBodyThatStallsTimesOutInsteadOfHanging() throws IOException {
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            response.head(404, "Not Found", "Content-Type", "application/json", "Content-Length", "1000");
            response.body("{\"code\": 20404, ".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(10_000);
        }));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .idleTimeout(Duration.ofMillis(300)).retryPolicy(RetryPolicy.none()).build());

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectError(dev.laml.recordings.TransferException.class)
                .verify(Duration.ofSeconds(3));
        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectError(dev.laml.recordings.TransferException.class)
                .verify(Duration.ofSeconds(3));
    }

    // ------------------------------------------------------------------ redirects

    @Test
    void redirectsAreFollowedAndCredentialsStayOnTheirOrigin() {
        WireMockServer home = wireMock();
        WireMockServer elsewhere = wireMock();
        home.stubFor(get(urlEqualTo(PATH + ".json")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", PATH + "-moved.json")));
        home.stubFor(get(urlEqualTo(PATH + "-moved.json")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", base(elsewhere) + "/cdn/recording.json")));
        elsewhere.stubFor(get(urlEqualTo("/cdn/recording.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture("recording-spec.json"))));

        assertThat(client(base(home)).fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(10)).sid()).isEqualTo(RECORDING);

        home.verify(getRequestedFor(urlEqualTo(PATH + "-moved.json")).withHeader("Authorization", equalTo(BASIC)));
        elsewhere.verify(getRequestedFor(urlEqualTo("/cdn/recording.json")).withHeader("Authorization", absent()));
    }

    @Test
    void aFollowedRedirectGivesItsConnectionBackFirst() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "/cdn/x.mp3").withBody("moved")));
        wm.stubFor(get(urlEqualTo("/cdn/x.mp3")).willReturn(aResponse().withHeader("Content-Type", "audio/mpeg").withBody(AUDIO)));
        // One connection in all: following must not wait for a connection the redirect still holds.
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(base(wm)).maxConnections(1)
                .pendingAcquireTimeout(Duration.ofSeconds(3)).retryPolicy(RetryPolicy.none()).build());

        for (int i = 0; i < 3; i++) {
            assertThat(collectHash(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))).isEqualTo(TestData.sha256(AUDIO));
        }
    }

    @Test
    void aSingleRedirectToItselfIsFollowedButCredentialsNeverCrossToAnotherServer() {
        RecordingsServer home = track(RecordingsServer.start());
        RecordingsServer other = track(RecordingsServer.builder().credentials(home.projectId(), home.apiToken())
                .accountSid(home.accountSid()).start());
        TestRecording rec = home.addRecording();
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(home.baseUrl())
                .credentials(home.projectId(), home.apiToken()).retryPolicy(FAST).build());

        home.enqueueFault(dev.laml.recordings.testkit.Fault.redirectToSelf());
        assertThat(collectHash(client.download(rec.accountSid(), rec.sid(), AudioFormat.MP3)))
                .isEqualTo(rec.sha256(Format.MP3));

        // The same recording exists on the other server, which would accept the credentials:
        // they are dropped on the way there, so it answers 401.
        other.addRecording(RecordingSpec.create().sid(rec.sid()));
        home.enqueueFault(dev.laml.recordings.testkit.Fault.redirect(other.baseUrl()));
        StepVerifier.create(client.fetch(rec.accountSid(), rec.sid()))
                .expectError(dev.laml.recordings.AuthenticationException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(other.recordedRequests()).singleElement()
                .satisfies(r -> assertThat(r.hasAuthorization()).isFalse());
    }

    @Test
    void redirectLoopsAndLongChainsAreRefused() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo("/a")).willReturn(aResponse().withStatus(302).withHeader("Location", "/b")));
        wm.stubFor(get(urlEqualTo("/b")).willReturn(aResponse().withStatus(301).withHeader("Location", "/a")));
        for (int i = 0; i < 10; i++) {
            wm.stubFor(get(urlEqualTo("/hop" + i)).willReturn(aResponse().withStatus(308).withHeader("Location", "/hop" + (i + 1))));
        }
        RecordingsClient client = client(base(wm));

        StepVerifier.create(client.download(URI.create(base(wm) + "/a")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("loop"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.download(URI.create(base(wm) + "/hop0")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("5 redirects"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aRedirectToANonLoopbackPlainHttpHostIsRefused() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".mp3")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://downgrade.example.com/x.mp3")));

        StepVerifier.create(client(base(wm)).download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectError(UnexpectedResponseException.class)
                .verify(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------ bounded resources

    @Test
    void aFullPendingQueueFailsAtOnceWithAClearError() throws IOException {
        RawHttpServer server = track(new RawHttpServer((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Content-Length", String.valueOf(AUDIO.length));
            Thread.sleep(3_000);
        }));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .maxConnections(1).pendingAcquireMaxCount(1).retryPolicy(FAST).build());

        List<reactor.core.Disposable> holders = new ArrayList<>();
        holders.add(client.download(ACCOUNT, RECORDING, AudioFormat.MP3).subscribe(b -> { }, e -> { }));
        holders.add(client.download(ACCOUNT, RECORDING, AudioFormat.MP3).subscribe(b -> { }, e -> { }));
        try {
            StepVerifier.create(Flux.defer(() -> {
                        sleepQuietly(300);
                        return client.download(ACCOUNT, RECORDING, AudioFormat.MP3);
                    }))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PoolExhaustedException.class)
                            .hasMessageContaining("pendingAcquireMaxCount"))
                    .verify(Duration.ofSeconds(2));
        } finally {
            holders.forEach(reactor.core.Disposable::dispose);
        }
    }

    /**
     * Found by {@code TlsProxySoakTest}: {@code maxIdleTime} was checked only when a connection was next acquired, so a
     * client that went quiet after a burst kept every connection (its socket, and through a proxy a tunnel) open until
     * the server closed it, however long that took.
     */
    @Test
    void idleConnectionsAreClosedOnceMaxIdleTimeHasPassedWithoutANewRequest() throws InterruptedException {
        RecordingsServer server = track(RecordingsServer.start());
        TestRecording rec = server.addRecording(RecordingSpec.create().seed(21).durationSeconds(1));
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .maxIdleTime(Duration.ofMillis(500)).retryPolicy(FAST).build());
        Flux.range(0, 8).flatMap(i -> client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV).then(), 8)
                .blockLast(Duration.ofSeconds(10));
        assertThat(server.openConnections()).as("kept alive after the burst").isPositive();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(server.openConnections()).as("closed by the client within about 1.5 x maxIdleTime").isZero();
        List<ByteBuffer> again = client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV)
                .collectList().block(Duration.ofSeconds(10));
        assertThat(TestData.sha256(again)).isEqualTo(rec.sha256(Format.WAV));
    }

    /**
     * A kept-alive connection the server closes while it idles in the pool (here: right after a complete answer)
     * leaves the pool at the next background check, not at the next acquire: the pool's gauges count only
     * connections that exist, while a healthy idle connection stays until its maxIdleTime.
     */
    @Test
    void aConnectionTheServerClosesWhileIdleLeavesThePool() throws InterruptedException {
        RecordingsServer server = track(RecordingsServer.start());
        TestRecording rec = server.addRecording(RecordingSpec.create().seed(22).durationSeconds(1));
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        RecordingsClient client = track(RecordingsClient.builder().baseUrl(server.baseUrl())
                .maxIdleTime(Duration.ofSeconds(6)).meterRegistry(meters).retryPolicy(FAST).build());
        // Two connections; one of them the server closes after the whole body, once the client has given it back.
        server.enqueueFault(dev.laml.recordings.testkit.Fault.closeAfterBytes(Long.MAX_VALUE / 2));
        long start = System.nanoTime();
        Flux.range(0, 2).flatMap(i -> client.download(rec.accountSid(), rec.sid(), AudioFormat.WAV).then(), 2)
                .blockLast(Duration.ofSeconds(10));
        java.util.function.DoubleSupplier idle = () -> meters.get("laml.recordings.pool.idle").gauge().value();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (idle.getAsDouble() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(idle.getAsDouble()).as("idle connections in the pool").isEqualTo(1);
        assertThat(server.openConnections()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the healthy one is not yet past maxIdleTime")
                .isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void notFoundIsFinalEvenOnMedia() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlEqualTo(PATH + ".wav")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/xml").withBody(TestData.fixture("error-404.xml"))));

        StepVerifier.create(client(base(wm)).download(ACCOUNT, RECORDING, AudioFormat.WAV))
                .expectError(NotFoundException.class)
                .verify(Duration.ofSeconds(5));
        wm.verify(1, getRequestedFor(urlEqualTo(PATH + ".wav")));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
