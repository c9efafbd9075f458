package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.PROJECT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static dev.laml.recordings.reactor.TestData.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What goes on the wire and how each answer is typed, checked against WireMock. */
class HttpContractTest extends AgainstWireMock {

    private static final String BASE = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING;
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));

    @Override
    RecordingsClient.Builder configure(RecordingsClient.Builder builder) {
        return builder.retryPolicy(RetryPolicy.none()); // one exchange per call; ReliabilityTest covers retries
    }

    private void stubJson(String path, int status, String fixture) {
        wm.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture(fixture))));
    }

    @Test
    void fetchSendsBasicAuthAndAcceptJsonAndDecodesTheRecording() {
        stubJson(BASE + ".json", 200, "recording-spec.json");

        Recording r = client.fetch(ACCOUNT, RECORDING).block(Duration.ofSeconds(5));

        wm.verify(1, getRequestedFor(urlEqualTo(BASE + ".json"))
                .withHeader("Authorization", equalTo(BASIC))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("Transfer-Encoding", absent()));
        assertThat(wm.getAllServeEvents().get(0).getRequest().getHeaders().getHeader("User-Agent").values())
                .as("exactly one User-Agent, ours, with the version this build made")
                .singleElement().asString()
                .isEqualTo("laml-recordings/" + versionInThePom() + " (+https://github.com/dev-laml/laml-recordings)");
        assertThat(r.sid()).isEqualTo(RECORDING);
        assertThat(r.accountSid()).isEqualTo(ACCOUNT);
        assertThat(r.channels()).isEqualTo(1);
        assertThat(r.duration()).isEqualTo(Duration.ofSeconds(4));
        assertThat(r.price()).isEqualByComparingTo(new BigDecimal("-0.0025"));
        assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
        assertThat(r.source()).isEqualTo(RecordingSource.DIAL_VERB);
        assertThat(r.dateCreated()).isEqualTo(OffsetDateTime.parse("2018-09-25T23:00:00Z"));
    }

    @ParameterizedTest
    @EnumSource(AudioFormat.class)
    void mediaRequestsCarryNoCredentials(AudioFormat format) {
        wm.stubFor(get(urlEqualTo(BASE + format.extension())).willReturn(aResponse()
                .withHeader("Content-Type", format.mediaType()).withBody(TestData.bytes(5000, 1))));

        Long bytes = client.download(ACCOUNT, RECORDING, format).map(b -> (long) b.remaining())
                .reduce(0L, Long::sum).block(Duration.ofSeconds(5));

        assertThat(bytes).isEqualTo(5000);
        wm.verify(1, getRequestedFor(urlEqualTo(BASE + format.extension())).withHeader("Authorization", absent()));
    }

    @Test
    void mediaCredentialsAreOptInAndStayOnTheConfiguredOrigin() {
        wm.stubFor(get(urlPathMatching(".*")).willReturn(aResponse()
                .withHeader("Content-Type", "audio/mpeg").withBody(TestData.bytes(100, 1))));
        try (RecordingsClient optedIn = RecordingsClient.builder()
                .baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(PROJECT, TOKEN).sendCredentialsToMedia(true).mediaHosts("localhost").build()) {

            optedIn.download(ACCOUNT, RECORDING, AudioFormat.MP3).blockLast(Duration.ofSeconds(5));
            // Same server, different origin (host spelled differently, allowed as a media host): no credentials.
            optedIn.download(URI.create("http://localhost:" + wm.port() + "/elsewhere.mp3")).blockLast(Duration.ofSeconds(5));
        }
        wm.verify(1, getRequestedFor(urlEqualTo(BASE + ".mp3")).withHeader("Authorization", equalTo(BASIC)));
        wm.verify(1, getRequestedFor(urlEqualTo("/elsewhere.mp3")).withHeader("Authorization", absent()));
    }

    @Test
    void errorBodiesAreTypedWithCodeAndMoreInfo() {
        stubJson(BASE + ".json", 401, "error-401.json");
        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(AuthenticationException.class);
                    ApiException api = (ApiException) e;
                    assertThat(api.httpStatus()).isEqualTo(401);
                    assertThat(api.code()).isEqualTo(20003);
                    assertThat(api.moreInfo()).isEqualTo("https://signalwire.com/docs/compatibility-api/reference/errors");
                    assertThat(e.getMessage()).contains("401", "20003", "Authentication failed", BASE + ".json")
                            .doesNotContain(TOKEN).doesNotContain(BASIC.substring(6));
                })
                .verify(Duration.ofSeconds(5));

        stubJson(BASE + ".json", 404, "error-404.json");
        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(NotFoundException.class,
                        nf -> assertThat(nf.code()).isEqualTo(20404)))
                .verify(Duration.ofSeconds(5));

        stubJson(BASE + ".json", 400, "error-errors-array.json");
        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(BadRequestException.class, br -> {
                    assertThat(br.code()).isEqualTo(30010);
                    assertThat(br.serverMessage()).isEqualTo("Page size is too large");
                }))
                .verify(Duration.ofSeconds(5));

        wm.stubFor(get(urlEqualTo(BASE + ".json")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")));
        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RateLimitedException.class,
                        rl -> assertThat(rl.retryAfter()).isEqualTo(Duration.ofSeconds(3))))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aMedia404WithAnXmlBodyIsNotFoundAndNoBytes() {
        wm.stubFor(get(urlEqualTo(BASE + ".wav")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/xml").withBody(TestData.fixture("error-404.xml"))));

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.WAV))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(NotFoundException.class, nf -> {
                    assertThat(nf.code()).isEqualTo(20404);
                    assertThat(nf.moreInfo()).isEqualTo("https://www.twilio.com/docs/errors/20404");
                }))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aSuccessfulMediaAnswerThatIsJsonIsNotTakenForAudio() {
        stubJson(BASE + ".mp3", 200, "error-404.json");

        StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                .expectError(UnexpectedResponseException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void metadataLargerThanTheCapFailsWithoutBufferingIt() {
        byte[] huge = new byte[3 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        wm.stubFor(get(urlEqualTo(BASE + ".json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(huge)));
        wm.stubFor(get(urlEqualTo("/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + TestData.PROJECT + ".json"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(huge).withChunkedDribbleDelay(4, 10)));

        StepVerifier.create(client.fetch(ACCOUNT, RECORDING))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("1048576"))
                .verify(Duration.ofSeconds(5));
        // Without a Content-Length the cap is enforced while counting.
        StepVerifier.create(client.fetch(ACCOUNT, TestData.PROJECT))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("1048576"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void theMetadataCapIsConfigurable() {
        byte[] fixture = TestData.fixture("recording-spec.json"); // 971 bytes
        byte[] padded = java.util.Arrays.copyOf(fixture, 1025);
        java.util.Arrays.fill(padded, fixture.length, padded.length, (byte) ' ');
        wm.stubFor(get(urlEqualTo(BASE + ".json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(padded)));
        try (RecordingsClient small = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(PROJECT, TOKEN).maxMetadataBytes(1024).build()) {
            StepVerifier.create(small.fetch(ACCOUNT, RECORDING))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                            .hasMessageContaining("1024"))
                    .verify(Duration.ofSeconds(5));
            stubJson(BASE + ".json", 200, "recording-spec.json");
            StepVerifier.create(small.fetch(ACCOUNT, RECORDING))
                    .expectNextCount(1)
                    .verifyComplete();
        }
    }

    @Test
    void wireMockFaultsBecomeTransferErrors() {
        for (Fault fault : new Fault[] {Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE,
                Fault.MALFORMED_RESPONSE_CHUNK, Fault.RANDOM_DATA_THEN_CLOSE}) {
            wm.stubFor(get(urlEqualTo(BASE + ".mp3")).willReturn(aResponse().withFault(fault)));
            StepVerifier.create(client.download(ACCOUNT, RECORDING, AudioFormat.MP3))
                    .thenConsumeWhile(b -> true)
                    .expectErrorSatisfies(e -> assertThat(e).as(fault.name()).isInstanceOf(TransferException.class))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void fetchIsLazyAndInvalidIdsFailAtCallTime() throws InterruptedException {
        stubJson(BASE + ".json", 200, "recording-spec.json");

        var mono = client.fetch(ACCOUNT, RECORDING);
        Thread.sleep(200);
        assertThat(wm.getAllServeEvents()).isEmpty();
        mono.block(Duration.ofSeconds(5));
        assertThat(wm.getAllServeEvents()).hasSize(1);

        assertThatThrownBy(() -> client.fetch(ACCOUNT, "../" + RECORDING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recordingSid");
        assertThatThrownBy(() -> client.download("%2e%2e", RECORDING, AudioFormat.MP3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accountSid");
        assertThatThrownBy(() -> client.download(ACCOUNT, RECORDING, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(wm.getAllServeEvents()).hasSize(1);
    }

    /** The project's version as this module's pom names it (its parent's): what the build puts in the User-Agent. */
    private static String versionInThePom() {
        try {
            Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>",
                    Pattern.DOTALL).matcher(Files.readString(Path.of("pom.xml")));
            assertThat(m.find()).as("pom.xml names its parent's version").isTrue();
            return m.group(1).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
