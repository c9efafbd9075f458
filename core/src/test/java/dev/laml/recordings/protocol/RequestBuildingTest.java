package dev.laml.recordings.protocol;

import dev.laml.recordings.AudioFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.PROJECT;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.TOKEN_B64;
import static dev.laml.recordings.TestData.credentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@DisplayName("RecordingsProtocol: the requests it builds")
class RequestBuildingTest {

    private static final String RECORDING_PATH =
            "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/" + RECORDING_SID;
    private static final String EXPECTED_AUTHORIZATION = "Basic " + Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));

    private final ApiEndpoint example = ApiEndpoint.forSpace("example");
    private final RecordingsProtocol anonymous = RecordingsProtocol.builder(example).build();
    private final RecordingsProtocol authenticated = RecordingsProtocol.builder(example).credentials(credentials()).build();
    private final RecordingsProtocol mediaWithCredentials = RecordingsProtocol.builder(example)
            .credentials(credentials()).sendCredentialsToMedia(true).build();

    @Nested
    @DisplayName("fetch(accountSid, recordingSid)")
    class Fetch {

        @Test
        void isAGetOfTheJsonDocumentWithBasicCredentials() {
            ApiRequest request = authenticated.fetch(ACCOUNT_SID, RECORDING_SID);

            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.uri()).isEqualTo(URI.create("https://example.signalwire.com" + RECORDING_PATH + ".json"));
            assertThat(request.headers())
                    .containsEntry("Authorization", EXPECTED_AUTHORIZATION)
                    .containsEntry("Accept", "application/json");
            assertThat(request.kind()).isEqualTo(ApiRequest.Kind.METADATA);
            assertThat(request.isAuthenticated()).isTrue();
        }

        @Test
        void carriesNoAuthorizationWithoutCredentials() {
            ApiRequest request = anonymous.fetch(ACCOUNT_SID, RECORDING_SID);

            assertThat(request.headers()).doesNotContainKey("Authorization").containsEntry("Accept", "application/json");
            assertThat(request.isAuthenticated()).isFalse();
            assertThat(anonymous.hasCredentials()).isFalse();
            assertThat(authenticated.hasCredentials()).isTrue();
        }

        @Test
        void keepsThePathPrefixOfAProxyBaseUrl() {
            ApiEndpoint proxy = ApiEndpoint.of(URI.create("https://proxy.example/prefix/"), false);
            ApiRequest request = RecordingsProtocol.builder(proxy).build().fetch(ACCOUNT_SID, RECORDING_SID);

            assertThat(request.uri()).isEqualTo(URI.create("https://proxy.example/prefix" + RECORDING_PATH + ".json"));
        }

        @Test
        void headersCannotBeModifiedByTheCaller() {
            ApiRequest request = authenticated.fetch(ACCOUNT_SID, RECORDING_SID);
            assertThatUnsupported(() -> request.headers().remove("Authorization"));
            assertThatUnsupported(() -> request.headers().put("Host", "evil.com"));
        }

        private void assertThatUnsupported(Runnable r) {
            org.assertj.core.api.Assertions.assertThatThrownBy(r::run).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    @DisplayName("ids")
    class Ids {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"19e436af-5688-4307-b03b-bdb2b42b8142", "19E436AF-5688-4307-B03B-BDB2B42B8142",
                "00000000-0000-0000-0000-000000000000"})
        void uuidsInEitherCaseAreAcceptedAndUsedVerbatim(String sid) {
            assertThat(anonymous.fetch(sid, sid).uri().getRawPath())
                    .isEqualTo("/api/laml/2010-04-01/Accounts/" + sid + "/Recordings/" + sid + ".json");
            assertThat(anonymous.media(sid, sid, AudioFormat.MP3).uri().getRawPath()).endsWith("/Recordings/" + sid + ".mp3");
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @ValueSource(strings = {"../x", "%2e%2e", "..", "19e436af-5688-4307-b03b-bdb2b42b8142.json",
                "19e436af-5688-4307-b03b-bdb2b42b8142/..", "19e436af-5688-4307-b03b-bdb2b42b8142?x=1",
                "19e436af-5688-4307-b03b-bdb2b42b8142#f", "x19e436af-5688-4307-b03b-bdb2b42b8142",
                "../19e436af-5688-4307-b03b-bdb2b42b8142", "", " ", " 19e436af-5688-4307-b03b-bdb2b42b8142",
                "19e436af-5688-4307-b03b-bdb2b42b8142 ", "19e436af-5688-4307-b03b-bdb2b42b8142\n",
                "19e436af-5688-4307-b03b-bdb2b42b814", "19e436af-5688-4307-b03b-bdb2b42b81422",
                "19e436af-5688-4307-b03b-bdb2b42b814g", "19e436af56884307b03bbdb2b42b8142",
                "19e436af_5688_4307_b03b_bdb2b42b8142", "１9e436af-5688-4307-b03b-bdb2b42b8142"})
        void anythingButAUuidIsRejectedNamingTheParameter(String bad) {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(bad, RECORDING_SID))
                    .withMessageStartingWith("accountSid ");
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(ACCOUNT_SID, bad))
                    .withMessageStartingWith("recordingSid ");
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.media(bad, RECORDING_SID, AudioFormat.WAV))
                    .withMessageStartingWith("accountSid ");
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.media(ACCOUNT_SID, bad, AudioFormat.WAV))
                    .withMessageStartingWith("recordingSid ");
        }

        @Test
        void nullIdsAreRejectedNamingTheParameter() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(null, RECORDING_SID))
                    .withMessageStartingWith("accountSid ").withMessageContaining("null");
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.media(ACCOUNT_SID, null, AudioFormat.MP3))
                    .withMessageStartingWith("recordingSid ").withMessageContaining("null");
        }

        @Test
        void aRejectedValueIsQuotedWithControlCharactersEscaped() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(ACCOUNT_SID, "a\r\nInjected: yes\u001b\u007f"))
                    .withMessageContaining("\"a\\u000d\\u000aInjected: yes\\u001b\\u007f\"")
                    .withMessageNotContaining("\r")
                    .withMessageNotContaining("\n")
                    .withMessageNotContaining("\u001b");
        }

        @Test
        void c1ControlCharactersAreEscapedToo() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(ACCOUNT_SID, "a\u0085b\u009bc"))
                    .withMessageEndingWith("\"a\\u0085b\\u009bc\"");
        }

        @Test
        void quotesAndBackslashesInARejectedValueCannotEndTheQuotation() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(ACCOUNT_SID, "a\"b\\c"))
                    .withMessageEndingWith("\"a\\u0022b\\u005cc\"");
        }

        @Test
        void aLongRejectedValueIsTruncated() {
            String huge = "x".repeat(10_000);
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.fetch(huge, RECORDING_SID))
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200)
                            .contains("\"" + "x".repeat(64) + "\"")
                            .doesNotContain("x".repeat(65))
                            .contains("10000 chars"));
        }
    }

    @Nested
    @DisplayName("media(accountSid, recordingSid, format)")
    class MediaById {

        @ParameterizedTest(name = "[{index}] {0} -> {1}")
        @CsvSource({"WAV, .wav", "MP3, .mp3"})
        void isAPublicGetOfTheAudioFile(AudioFormat format, String extension) {
            ApiRequest request = authenticated.media(ACCOUNT_SID, RECORDING_SID, format);

            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.uri()).isEqualTo(URI.create("https://example.signalwire.com" + RECORDING_PATH + extension));
            assertThat(request.headers()).doesNotContainKey("Authorization");
            assertThat(request.isAuthenticated()).isFalse();
            assertThat(request.kind()).isEqualTo(ApiRequest.Kind.MEDIA);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @EnumSource(AudioFormat.class)
        void carriesCredentialsOnlyWhenOptedIn(AudioFormat format) {
            assertThat(mediaWithCredentials.media(ACCOUNT_SID, RECORDING_SID, format).headers())
                    .containsEntry("Authorization", EXPECTED_AUTHORIZATION);
        }

        @Test
        void optingInWithoutCredentialsSendsNone() {
            RecordingsProtocol p = RecordingsProtocol.builder(example).sendCredentialsToMedia(true).build();
            assertThat(p.media(ACCOUNT_SID, RECORDING_SID, AudioFormat.WAV).headers()).doesNotContainKey("Authorization");
        }

        @Test
        void aNullFormatIsRejected() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.media(ACCOUNT_SID, RECORDING_SID, null))
                    .withMessageStartingWith("format ");
        }
    }

    @Nested
    @DisplayName("media(URI)")
    class MediaByUrl {

        @Test
        void fetchesAUrlAsGivenAndAnonymouslyByDefault() {
            URI url = URI.create("https://example.signalwire.com" + RECORDING_PATH + ".mp3");
            ApiRequest request = authenticated.media(url);

            assertThat(request.uri()).isEqualTo(url);
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.kind()).isEqualTo(ApiRequest.Kind.MEDIA);
            assertThat(request.headers()).doesNotContainKey("Authorization");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com/api/laml/x.wav", "https://example.signalwire.com:443/x",
                "https://EXAMPLE.SIGNALWIRE.COM/x"})
        void carriesCredentialsWhenOptedInAndOnTheSameOrigin(String url) {
            assertThat(mediaWithCredentials.media(URI.create(url)).headers())
                    .containsEntry("Authorization", EXPECTED_AUTHORIZATION);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://evil.com/api/laml/x.wav", "https://example.signalwire.com:8443/x",
                "https://example.signalwire.com.evil.com/x", "https://other.signalwire.com/x",
                "https://s3.amazonaws.com/example.signalwire.com/x.wav"})
        void neverCarriesCredentialsToAnotherHostOrPort(String url) {
            ApiRequest request = mediaWithCredentials.media(URI.create(url));
            assertThat(request.headers()).doesNotContainKey("Authorization");
            assertThat(request.isAuthenticated()).isFalse();
        }

        @Test
        void neverCarriesCredentialsToAnotherScheme() {
            RecordingsProtocol local = RecordingsProtocol.builder(ApiEndpoint.of(URI.create("http://localhost:8080"), false))
                    .credentials(credentials()).sendCredentialsToMedia(true).build();
            assertThat(local.media(URI.create("http://localhost:8080/x.wav")).headers()).containsKey("Authorization");
            assertThat(local.media(URI.create("https://localhost:8080/x.wav")).headers()).doesNotContainKey("Authorization");

            RecordingsProtocol insecure = RecordingsProtocol.builder(ApiEndpoint.of(URI.create("https://example.com"), true))
                    .credentials(credentials()).sendCredentialsToMedia(true).build();
            assertThat(insecure.media(URI.create("http://example.com/x.wav")).headers()).doesNotContainKey("Authorization");
        }

        @Test
        void rejectsPlainHttpToARemoteHostOnAnHttpsEndpoint() {
            assertThatIllegalArgumentException().isThrownBy(() -> authenticated.media(URI.create("http://example.com/x")))
                    .withMessageStartingWith("mediaUrl ");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> authenticated.media(URI.create("http://example.signalwire.com/x")))
                    .withMessageStartingWith("mediaUrl ");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://user:pw@example.signalwire.com/x", "https://user:pw@evil.com/x",
                "https://user:pw@bad_host.example/x"})
        void rejectsUserInfoWithoutEchoingIt(String url) {
            assertThatIllegalArgumentException().isThrownBy(() -> mediaWithCredentials.media(URI.create(url)))
                    .withMessageStartingWith("mediaUrl ")
                    .withMessageNotContaining("pw");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/api/laml/x.wav", "x.wav", "//example.signalwire.com/x.wav", "mailto:x",
                "ftp://example.signalwire.com/x.wav", "file:///x.wav"})
        void rejectsRelativeOpaqueAndNonHttpUrls(String url) {
            assertThatIllegalArgumentException().isThrownBy(() -> mediaWithCredentials.media(URI.create(url)))
                    .withMessageStartingWith("mediaUrl ");
        }

        @Test
        void rejectsNull() {
            assertThatIllegalArgumentException().isThrownBy(() -> anonymous.media((URI) null))
                    .withMessageStartingWith("mediaUrl ");
        }

        @Test
        void dropsAFragmentWhichIsNeverSent() {
            ApiRequest request = anonymous.media(URI.create("https://cdn.example/x.wav?sig=abc#t=10"));
            assertThat(request.uri()).isEqualTo(URI.create("https://cdn.example/x.wav?sig=abc"));
        }

        @Test
        void acceptsPlainHttpToLoopback() {
            assertThat(anonymous.media(URI.create("http://127.0.0.1:9000/x.wav")).uri())
                    .isEqualTo(URI.create("http://127.0.0.1:9000/x.wav"));
        }
    }

    @Nested
    @DisplayName("what requests and protocols show")
    class Redaction {

        @Test
        void aRequestShowsMethodAndPathOnly() {
            ApiRequest request = authenticated.fetch(ACCOUNT_SID, RECORDING_SID);

            assertThat(request.describe()).isEqualTo("GET " + RECORDING_PATH + ".json");
            assertThat(request.toString()).contains("GET " + RECORDING_PATH + ".json")
                    .doesNotContain(TOKEN, BASIC_B64, TOKEN_B64, "Basic", "example.signalwire.com");
        }

        @Test
        void aMediaRequestWithCredentialsShowsNoneOfThem() {
            ApiRequest request = mediaWithCredentials.media(URI.create("https://example.signalwire.com/x.wav?Signature=s3cr"));
            assertThat(request.isAuthenticated()).isTrue();
            assertThat(request.describe()).isEqualTo("GET /x.wav");
            assertThat(request.toString()).doesNotContain(TOKEN, BASIC_B64, "Signature", "s3cr");
        }

        @Test
        void aProtocolShowsNoSecret() {
            assertThat(mediaWithCredentials.toString()).contains(PROJECT).doesNotContain(TOKEN, BASIC_B64, TOKEN_B64);
        }
    }

    @Nested
    @DisplayName("builder")
    class Builder {

        @Test
        void theMetadataCapDefaultsToOneMebibyteAndMustBeAtLeastOneKibibyte() {
            assertThat(anonymous.maxMetadataBytes()).isEqualTo(1 << 20);
            assertThat(RecordingsProtocol.builder(example).maxMetadataBytes(1024).build().maxMetadataBytes()).isEqualTo(1024);
            assertThatIllegalArgumentException().isThrownBy(() -> RecordingsProtocol.builder(example).maxMetadataBytes(1023))
                    .withMessageContaining("maxMetadataBytes");
        }

        @Test
        void keepsItsEndpoint() {
            assertThat(anonymous.endpoint()).isSameAs(example);
        }
    }
}
