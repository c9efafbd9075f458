package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RateLimitedException;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixture;
import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.noHeaders;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingsProtocol.error / decodeRecording: what an error response means")
class ErrorInterpretationTest {

    private static final String SIGNALWIRE_ERRORS = "https://signalwire.com/docs/compatibility-api/reference/errors";
    private static final Instant NOW = Instant.parse("2015-10-21T07:27:00Z");

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).sendCredentialsToMedia(true)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    private final ApiRequest fetch = protocol.fetch(ACCOUNT_SID, RECORDING_SID);
    private final ApiRequest media = protocol.media(ACCOUNT_SID, RECORDING_SID, AudioFormat.MP3);

    private ApiException error(int status, String reason, HeaderLookup headers, byte[] body) {
        return protocol.error(fetch, status, reason, headers, body);
    }

    /** Asserts what every error message must and must not say. */
    private static void assertSafeMessage(ApiException e, String path) {
        assertThat(e.getMessage())
                .contains(path)
                .contains(String.valueOf(e.httpStatus()))
                .doesNotContain(TOKEN, BASIC_B64, "Basic ", "\r", "\n");
    }

    @Nested
    @DisplayName("documented error bodies")
    class DocumentedBodies {

        @Test
        void a401IsAnAuthenticationFailureWithCodeAndLink() {
            assertThatThrownBy(() -> protocol.decodeRecording(fetch, 401, "Unauthorized", json(), fixture("error-401.json")))
                    .isExactlyInstanceOf(AuthenticationException.class)
                    .satisfies(t -> {
                        ApiException e = (ApiException) t;
                        assertThat(e.httpStatus()).isEqualTo(401);
                        assertThat(e.code()).isEqualTo(20003);
                        assertThat(e.serverMessage()).isEqualTo("Authentication failed");
                        assertThat(e.moreInfo()).isEqualTo(SIGNALWIRE_ERRORS);
                        assertThat(e.getMessage()).contains("401", "Unauthorized", "20003", "Authentication failed",
                                "GET /api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/" + RECORDING_SID + ".json");
                        assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
                    });
        }

        @Test
        void a403IsAnAuthenticationFailureToo() {
            ApiException e = error(403, "Forbidden", json(), utf8("{\"code\": 20003, \"message\": \"Forbidden\"}"));
            assertThat(e).isExactlyInstanceOf(AuthenticationException.class);
            assertThat(e.httpStatus()).isEqualTo(403);
            assertThat(e.code()).isEqualTo(20003);
        }

        @Test
        void a404IsNotFoundWithCodeAndLink() {
            assertThatThrownBy(() -> protocol.decodeRecording(fetch, 404, "Not Found", json(), fixture("error-404.json")))
                    .isExactlyInstanceOf(NotFoundException.class)
                    .satisfies(t -> {
                        ApiException e = (ApiException) t;
                        assertThat(e.httpStatus()).isEqualTo(404);
                        assertThat(e.code()).isEqualTo(20404);
                        assertThat(e.serverMessage()).isEqualTo("The requested resource was not found");
                        assertThat(e.moreInfo()).isEqualTo(SIGNALWIRE_ERRORS);
                        assertThat(e.getMessage()).contains("404", "20404", "The requested resource was not found");
                        assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
                    });
        }

        @ParameterizedTest(name = "[{index}] Content-Type {0}")
        @NullSource
        @ValueSource(strings = {"application/xml", "text/xml; charset=utf-8", "text/plain", "audio/mpeg"})
        void anXml404OnMediaIsNotFoundWithCodeAndLink(String contentType) {
            HeaderLookup h = contentType == null ? noHeaders() : headers("Content-Type", contentType);
            ApiException e = protocol.error(media, 404, "Not Found", h, fixture("error-404.xml"));

            assertThat(e).isExactlyInstanceOf(NotFoundException.class);
            assertThat(e.code()).isEqualTo(20404);
            assertThat(e.serverMessage()).isEqualTo("The requested resource was not found");
            assertThat(e.moreInfo()).isEqualTo("https://www.twilio.com/docs/errors/20404");
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".mp3");
        }

        @Test
        void theErrorsArrayVariantGivesItsFirstError() {
            ApiException e = error(400, "Bad Request", json(), fixture("error-errors-array.json"));

            assertThat(e).isExactlyInstanceOf(BadRequestException.class);
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.code()).isEqualTo(30010);
            assertThat(e.serverMessage()).isEqualTo("Page size is too large");
            assertThat(e.moreInfo()).isEqualTo(SIGNALWIRE_ERRORS);
            assertThat(e.getMessage()).contains("400", "30010", "Page size is too large");
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
        }

        @Test
        void theTopLevelWinsOverTheErrorsArray() {
            ApiException e = error(400, null, json(), utf8("{\"errors\": [{\"code\": 1, \"message\": \"inner\"},"
                    + " {\"code\": 2}], \"code\": 21000, \"message\": \"outer\"}"));
            assertThat(e.code()).isEqualTo(21000);
            assertThat(e.serverMessage()).isEqualTo("outer");
        }

        @Test
        void aProblemDetailIsReadAsTheMessage() {
            ApiException e = error(400, null, headers("Content-Type", "application/problem+json"),
                    utf8("{\"type\": \"about:blank\", \"detail\": \"PageSize must be at most 1000\", \"status\": 400}"));
            assertThat(e.serverMessage()).isEqualTo("PageSize must be at most 1000");
            assertThat(e.code()).isNull();
        }
    }

    @Nested
    @DisplayName("bodies that say nothing")
    class UselessBodies {

        @Test
        void anHtml502IsAServerErrorWithoutCode() {
            ApiException e = error(502, "Bad Gateway", headers("Content-Type", "text/html"),
                    utf8("<html><title>502</title><body><h1>Bad Gateway</h1></body></html>"));

            assertThat(e).isExactlyInstanceOf(ServerException.class);
            assertThat(e.httpStatus()).isEqualTo(502);
            assertThat(e.code()).isNull();
            assertThat(e.serverMessage()).isNull();
            assertThat(e.getMessage()).contains("502", "Bad Gateway").doesNotContain("<html>", "<h1>");
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
        }

        @Test
        void anEmpty404ForMetadataIsNotFoundWithoutCode() {
            assertThatThrownBy(() -> protocol.decodeRecording(fetch, 404, "Not Found", noHeaders(), new byte[0]))
                    .isExactlyInstanceOf(NotFoundException.class)
                    .satisfies(t -> {
                        ApiException e = (ApiException) t;
                        assertThat(e.httpStatus()).isEqualTo(404);
                        assertThat(e.code()).isNull();
                        assertThat(e.serverMessage()).isNull();
                        assertThat(e.moreInfo()).isNull();
                        assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
                    });
        }

        @ParameterizedTest(name = "[{index}] body \"{0}\"")
        @ValueSource(strings = {"", "   \n", "{\"code\": 20404, \"message\": ", "not json", "[1, 2]", "{\"code\": \"abc\"}"})
        void anEmptyOrUnreadableBodyLeavesTheStatusToDecide(String body) {
            ApiException e = error(404, null, json(), utf8(body));

            assertThat(e).isExactlyInstanceOf(NotFoundException.class);
            assertThat(e.httpStatus()).isEqualTo(404);
            assertThat(e.code()).isNull();
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
        }

        @Test
        void aNullBodyIsAnEmptyBody() {
            ApiException e = error(404, "Not Found", noHeaders(), null);
            assertThat(e).isExactlyInstanceOf(NotFoundException.class);
            assertThat(e.code()).isNull();
            assertThat(e.serverMessage()).isNull();
        }
    }

    @Nested
    @DisplayName("status decides the type")
    class StatusTypes {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {500, 501, 502, 503, 504, 599})
        void fiveHundredsAreServerErrors(int status) {
            ApiException e = error(status, null, noHeaders(), new byte[0]);
            assertThat(e).isExactlyInstanceOf(ServerException.class);
            assertThat(e.httpStatus()).isEqualTo(status);
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".json");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {402, 405, 409, 410, 418, 422, 499, 600})
        void otherStatusesArePlainApiExceptions(int status) {
            ApiException e = error(status, null, noHeaders(), new byte[0]);
            assertThat(e).isExactlyInstanceOf(ApiException.class);
            assertThat(e.httpStatus()).isEqualTo(status);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {300, 301, 302, 303, 304, 307, 308})
        void redirectsAreUnexpectedResponses(int status) {
            ApiException e = error(status, "Found", headers("Location", "https://evil.com/"), new byte[0]);
            assertThat(e).isExactlyInstanceOf(UnexpectedResponseException.class);
            assertThat(e.httpStatus()).isEqualTo(status);
            assertThat(e.getMessage()).contains("redirect").doesNotContain("evil.com");
        }

        @Test
        void a302ThroughDecodeRecordingIsAnUnexpectedResponse() {
            assertThatThrownBy(() -> protocol.decodeRecording(fetch, 302, "Found", noHeaders(), new byte[0]))
                    .isExactlyInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("302");
        }

        @Test
        void a1xxIsNotASuccess() {
            assertThatThrownBy(() -> protocol.decodeRecording(fetch, 199, null, json(), fixture("recording-spec.json")))
                    .isInstanceOf(ApiException.class);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @CsvSource({"text/html, <html><body>Please log in</body></html>", "application/json, {\"ok\": true}"})
        void aSuccessThatIsNotAudioIsAnUnexpectedResponse(String contentType, String body) {
            ApiException e = protocol.error(media, 200, "OK", headers("Content-Type", contentType), utf8(body));

            assertThat(e).isExactlyInstanceOf(UnexpectedResponseException.class);
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.getMessage()).contains("200", "expected audio", contentType)
                    .doesNotContain("Please log in");
            assertSafeMessage(e, "/Recordings/" + RECORDING_SID + ".mp3");
        }
    }

    @Nested
    @DisplayName("429 and Retry-After")
    class RateLimiting {

        private RateLimitedException rateLimited(HeaderLookup headers) {
            ApiException e = error(429, "Too Many Requests", headers,
                    utf8("{\"code\": 20429, \"message\": \"Too Many Requests\"}"));
            assertThat(e).isExactlyInstanceOf(RateLimitedException.class);
            assertThat(e.code()).isEqualTo(20429);
            assertThat(e.httpStatus()).isEqualTo(429);
            return (RateLimitedException) e;
        }

        @ParameterizedTest(name = "[{index}] Retry-After \"{0}\" -> {1}")
        @CsvSource(delimiter = '|', value = {
                "7                              | PT7S",
                "' 7 '                          | PT7S",
                "0                              | PT0S",
                "Wed, 21 Oct 2015 07:28:00 GMT  | PT1M",
                "Wed, 21 Oct 2015 07:27:30 +0000| PT30S",
                "Wed, 21 Oct 2015 09:28:00 +0200| PT1M",
                "Wed, 21 Oct 2015 07:00:00 GMT  | PT0S",
        })
        void isReadAsSecondsOrAsAnHttpDateAgainstTheClock(String header, Duration expected) {
            assertThat(rateLimited(headers("Retry-After", header)).retryAfter()).isEqualTo(expected);
        }

        @ParameterizedTest(name = "[{index}] Retry-After \"{0}\"")
        @ValueSource(strings = {"soon", "-5", "7s", "1.5", "", "99999999999999999999999", "Wed, 32 Oct 2015 07:28:00 GMT"})
        void isNullWhenUnreadable(String header) {
            assertThat(rateLimited(headers("Retry-After", header)).retryAfter()).isNull();
        }

        @Test
        void isNullWhenAbsent() {
            assertThat(rateLimited(json()).retryAfter()).isNull();
        }

        @Test
        void theMessageIsSafe() {
            assertSafeMessage(rateLimited(headers("Retry-After", "7")), "/Recordings/" + RECORDING_SID + ".json");
        }
    }

    @Nested
    @DisplayName("transfer-side failures")
    class TransferSide {

        @Test
        void aBodyOverTheCapIsAnUnexpectedResponse() {
            UnexpectedResponseException e = protocol.bodyTooLarge(fetch, 200, 1024);
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.getMessage()).contains("1024").contains("/Recordings/" + RECORDING_SID + ".json")
                    .doesNotContain(TOKEN, BASIC_B64);
        }

        @Test
        void aShortBodySaysHowMuchArrivedOfHowMuch() {
            IOException cause = new IOException("connection reset\r\nby peer");
            var e = protocol.incompleteBody(media, 10, 100, cause);
            assertThat(e.received()).isEqualTo(10);
            assertThat(e.expected()).isEqualTo(100);
            assertThat(e.getCause()).isSameAs(cause);
            assertThat(e.getMessage()).contains("ended after 10 of 100 bytes", "/Recordings/" + RECORDING_SID + ".mp3");
            assertThat(protocol.incompleteBody(media, 10, -1, null).getMessage()).contains("an unknown number of");
            assertThat(protocol.incompleteBody(media, 101, 100, null).getMessage()).contains("ran past its length at 101");
        }

        @Test
        void aTransportFailureNamesTheRequestAndNeutralisesTheCauseMessage() {
            var e = protocol.transferFailed(fetch, new IOException("reset\r\nFORGED"));
            assertThat(e.getMessage()).contains("/Recordings/" + RECORDING_SID + ".json", "IOException", "reset")
                    .doesNotContain("\r", "\n", TOKEN, BASIC_B64);
            assertThat(e.getCause()).hasMessage("reset\r\nFORGED");
            assertThat(protocol.transferFailed(fetch, null).getMessage()).endsWith("failed in transfer");
        }

        @Test
        void aMalformedResponseNamesTheRequestAndWhatWasWrongAndKeepsTheParsersException() {
            var parser = new IllegalArgumentException("Content-Length value is not a number: -5\r\nFORGED");
            var e = protocol.malformedResponse(media, null, parser);
            assertThat(e).isInstanceOf(dev.laml.recordings.TransferException.class);
            assertThat(e.getMessage()).contains("/Recordings/" + RECORDING_SID + ".mp3", "not valid HTTP",
                    "IllegalArgumentException", "Content-Length value is not a number: -5").doesNotContain("\r", "\n");
            assertThat(e.getCause()).isSameAs(parser);
            assertThat(protocol.malformedResponse(media, "status line or headers: x", parser).getMessage())
                    .endsWith("the response is not valid HTTP (status line or headers: x)");
            assertThat(protocol.malformedResponse(media, null, null).getMessage()).endsWith("(unreadable)");
        }
    }

    @Nested
    @DisplayName("what messages never carry")
    class MessageHygiene {

        @Test
        void controlCharactersInTheServerMessageAndReasonAreNeutralised() {
            ApiException e = error(404, "Not\r\nFound\u0000", json(), utf8("{\"code\": 20404, \"message\":"
                    + " \"gone\\r\\nFORGED: entry\\u0000\\u001b[31m\\u007f\\u0085\\u009b31m\"}"));

            assertThat(e.serverMessage()).contains("gone", "FORGED: entry").doesNotContain("\r", "\n");
            for (String m : new String[]{e.getMessage(), e.serverMessage()}) {
                assertThat(m.chars().filter(Character::isISOControl).toArray())
                        .as("control characters in %s", m.replaceAll("\\p{Cc}", "?"))
                        .isEmpty();
            }
            assertThat(e.getMessage()).contains("Not  Found", "gone", "FORGED: entry");
        }

        @Test
        void controlCharactersInAnXmlMessageAreNeutralised() {
            ApiException e = protocol.error(media, 404, null, headers("Content-Type", "text/xml"),
                    utf8("<TwilioResponse><RestException><Code>20404</Code><Message>a\r\nb\u001bc</Message>"
                            + "</RestException></TwilioResponse>"));
            assertThat(e.serverMessage()).isEqualTo("a  b c");
            assertThat(e.getMessage()).doesNotContain("\r", "\n", "\u001b");
        }

        @Test
        void aVeryLongServerMessageIsShortened() {
            ApiException e = error(400, null, json(), utf8("{\"message\": \"" + "m".repeat(100_000) + "\"}"));
            assertThat(e.serverMessage()).hasSizeLessThanOrEqualTo(300).startsWith("mmm");
            assertThat(e.getMessage()).hasSizeLessThan(600);
        }

        @Test
        void aLongReasonPhraseIsShortened() {
            ApiException e = error(500, "r".repeat(10_000), noHeaders(), null);
            assertThat(e.getMessage()).hasSizeLessThan(300).contains("r".repeat(80)).doesNotContain("r".repeat(81));
        }

        @Test
        void theQueryOfAMediaUrlStaysOut() {
            ApiRequest signed = protocol.media(URI.create("https://example.signalwire.com/rec.wav?Signature=abc123"));
            ApiException e = protocol.error(signed, 403, "Forbidden", noHeaders(), null);
            assertThat(e.getMessage()).contains("GET /rec.wav").doesNotContain("Signature", "abc123");
        }
    }
}
