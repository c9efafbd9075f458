package dev.laml.recordings.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Status codes, headers and bodies as the real API sends them. */
class ServingTest {

    static final String AUTH_FAILED = "{\"code\": 20003, \"message\": \"Authentication failed\", \"more_info\": "
            + "\"https://signalwire.com/docs/compatibility-api/reference/errors\", \"status\": 401}";
    static final String NOT_FOUND_JSON = "{\"code\": 20404, \"message\": \"The requested resource was not found\", "
            + "\"more_info\": \"https://signalwire.com/docs/compatibility-api/reference/errors\", \"status\": 404}";
    static final String NOT_FOUND_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TwilioResponse><RestException>"
            + "<Code>20404</Code><Message>The requested resource was not found</Message>"
            + "<MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo><Status>404</Status></RestException>"
            + "</TwilioResponse>";

    private static RecordingsServer server;
    private static TestRecording recording;
    private final HttpClient client = Http.client();

    @BeforeAll
    static void start() {
        server = RecordingsServer.start();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(3));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.resetCounters();
    }

    @Test
    void baseUrlIsLoopbackWithTheBoundPort() {
        assertThat(server.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(server.port()).isPositive();
        assertThat(server.accountSid()).isEqualTo(server.projectId());
        assertThat(server.apiToken()).startsWith("PT");
    }

    @Test
    void jsonRequiresBasicAuthWithTheServersCredentials() {
        HttpResponse<byte[]> missing = Http.get(client, recording.jsonUrl());
        HttpResponse<byte[]> wrong = Http.get(client, recording.jsonUrl(),
                "Authorization", Http.basic(server.projectId(), "nope"));
        HttpResponse<byte[]> right = Http.get(client, recording.jsonUrl(), "Authorization", Http.basic(server));

        for (HttpResponse<byte[]> denied : new HttpResponse[] {missing, wrong}) {
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(Http.text(denied)).isEqualTo(AUTH_FAILED);
            assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/json");
        }
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(Http.text(right)).isEqualTo(recording.json());
        assertThat(right.headers().firstValue("Content-Type")).hasValue("application/json");

        assertThat(server.takeRequest().hasAuthorization()).isFalse();
        assertThat(server.takeRequest().header("authorization")).isEqualTo(Http.basic(server.projectId(), "nope"));
        RecordedRequest authorized = server.takeRequest();
        assertThat(authorized.hasAuthorization()).isTrue();
        assertThat(authorized.method()).isEqualTo("GET");
        assertThat(authorized.path()).isEqualTo(recording.jsonUrl().getPath());
    }

    @Test
    void mediaNeedsNoAuthAndIsServedWithValidators() throws Exception {
        for (Format format : Format.values()) {
            HttpResponse<byte[]> response = Http.get(client, recording.url(format));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(recording.bytes(format));
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(response.body())))
                    .isEqualTo(recording.sha256(format));
            assertThat(response.headers().firstValue("Content-Type")).hasValue(format.contentType());
            assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(recording.size(format));
            assertThat(response.headers().firstValue("ETag")).hasValue(recording.etag(format));
            assertThat(response.headers().firstValue("Last-Modified")).hasValue("Tue, 25 Sep 2018 23:00:00 GMT");
            assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
            assertThat(server.takeRequest().hasAuthorization()).isFalse();
        }
    }

    @Test
    void theExtensionlessUrlServesWav() {
        URI bare = URI.create(recording.url(Format.WAV).toString().replace(".wav", ""));
        HttpResponse<byte[]> response = Http.get(client, bare);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("audio/x-wav");
        assertThat(response.body()).isEqualTo(recording.bytes(Format.WAV));
    }

    @Test
    void headSendsTheHeadersOfGetWithoutABody() {
        HttpResponse<byte[]> response = Http.send(client,
                Http.request(recording.url(Format.MP3)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(recording.size(Format.MP3));
        assertThat(response.body()).isEmpty();
        assertThat(server.bytesWritten()).isZero();
        // The connection is still usable after a body-less response that announced a length.
        assertThat(Http.get(client, recording.url(Format.MP3)).body()).isEqualTo(recording.bytes(Format.MP3));
    }

    @Test
    void unknownRecordingIsJson404OnJsonAndXml404OnMedia() {
        String unknown = "00000000-0000-4000-8000-000000000000";
        URI base = server.baseUrl();
        String prefix = "/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings/";

        HttpResponse<byte[]> json = Http.get(client, base.resolve(prefix + unknown + ".json"),
                "Authorization", Http.basic(server));
        assertThat(json.statusCode()).isEqualTo(404);
        assertThat(Http.text(json)).isEqualTo(NOT_FOUND_JSON);
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");

        for (String ext : new String[] {"", ".wav", ".mp3"}) {
            HttpResponse<byte[]> media = Http.get(client, base.resolve(prefix + unknown + ext));
            assertThat(media.statusCode()).isEqualTo(404);
            assertThat(Http.text(media)).isEqualTo(NOT_FOUND_XML);
            assertThat(media.headers().firstValue("Content-Type")).hasValue("application/xml");
        }

        // A known sid under another account does not exist there.
        String otherAccount = "11111111-1111-4111-8111-111111111111";
        HttpResponse<byte[]> elsewhere = Http.get(client, base.resolve(
                "/api/laml/2010-04-01/Accounts/" + otherAccount + "/Recordings/" + recording.sid() + ".wav"));
        assertThat(elsewhere.statusCode()).isEqualTo(404);

        // An unknown .json without credentials is a 401: credentials are checked first.
        assertThat(Http.get(client, base.resolve(prefix + unknown + ".json")).statusCode()).isEqualTo(401);
        assertThat(Http.get(client, base.resolve("/nothing/here")).statusCode()).isEqualTo(404);
    }

    @Test
    void removedRecordingsAnswer404() {
        TestRecording doomed = server.addRecording();
        assertThat(Http.get(client, doomed.url(Format.WAV)).statusCode()).isEqualTo(200);
        assertThat(server.removeRecording(doomed.sid())).isTrue();
        assertThat(Http.get(client, doomed.url(Format.WAV)).statusCode()).isEqualTo(404);
    }

    @Test
    void otherMethodsAre405() {
        HttpResponse<byte[]> response = Http.send(client, Http.request(recording.url(Format.WAV))
                .DELETE().build());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void jsonRendersTheDocumentedExampleExactly() {
        TestRecording example = server.addRecording(RecordingSpec.create()
                .sid("19e436af-5688-4307-b03b-bdb2b42b8142")
                .accountSid("720796a0-8ee9-4350-83bd-2d07a3121f1e")
                .callSid("b3877c40-da60-4998-90ad-b792e98472af")
                .durationSeconds(4)
                .dateCreated(OffsetDateTime.parse("2018-09-25T23:00:00Z"))
                .dateUpdated(OffsetDateTime.parse("2018-09-26T23:00:04Z"))
                .startTime(OffsetDateTime.parse("2018-09-25T22:59:56Z"))
                .endTime(OffsetDateTime.parse("2018-09-25T23:00:00Z"))
                .price(new BigDecimal("-0.0025"))
                .source("DialVerb"));
        String base = "/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/"
                + "19e436af-5688-4307-b03b-bdb2b42b8142";
        String expected = "{\"sid\": \"19e436af-5688-4307-b03b-bdb2b42b8142\", "
                + "\"account_sid\": \"720796a0-8ee9-4350-83bd-2d07a3121f1e\", \"api_version\": \"2010-04-01\", "
                + "\"call_sid\": \"b3877c40-da60-4998-90ad-b792e98472af\", \"conference_sid\": null, "
                + "\"channel\": \"1\", \"channels\": \"1\", \"date_created\": \"Tue, 25 Sep 2018 23:00:00 +0000\", "
                + "\"date_updated\": \"Wed, 26 Sep 2018 23:00:04 +0000\", "
                + "\"start_time\": \"Tue, 25 Sep 2018 22:59:56 +0000\", "
                + "\"end_time\": \"Tue, 25 Sep 2018 23:00:00 +0000\", \"duration\": 4, \"price\": \"-0.0025\", "
                + "\"price_unit\": \"USD\", \"source\": \"DialVerb\", \"status\": \"completed\", "
                + "\"error_code\": null, \"uri\": \"" + base + ".json\", "
                + "\"subresource_uris\": {\"transcriptions\": \"" + base + "/Transcriptions.json\"}, "
                + "\"encryption_details\": null, \"trim\": \"do-not-trim\"}";
        assertThat(example.json()).isEqualTo(expected);

        // Served under its own account with the server's credentials.
        HttpResponse<byte[]> response = Http.get(client, example.jsonUrl(), "Authorization", Http.basic(server));
        assertThat(Http.text(response)).isEqualTo(expected);
    }

    @Test
    void jsonDefaultsNullsAndEscaping() {
        TestRecording r = server.addRecording(RecordingSpec.create()
                .channels(2).durationSeconds(9).status("in-progress").source("Say \"hi\"\\\n")
                .startTime(null).endTime(null).callSid(null)
                .dateCreated(OffsetDateTime.parse("2020-03-01T10:00:00+02:00")));
        assertThat(r.json())
                .contains("\"sid\": \"" + r.sid() + "\"")
                .contains("\"account_sid\": \"" + server.accountSid() + "\"")
                .contains("\"channel\": \"2\", \"channels\": \"2\"")
                .contains("\"duration\": 9,")
                .contains("\"status\": \"in-progress\"")
                .contains("\"source\": \"Say \\\"hi\\\"\\\\\\n\"")
                .contains("\"call_sid\": null")
                .contains("\"start_time\": null, \"end_time\": null")
                .contains("\"price\": null")
                .contains("\"date_created\": \"Sun, 01 Mar 2020 08:00:00 +0000\"")
                .contains("\"date_updated\": \"Sun, 01 Mar 2020 08:00:00 +0000\"");

        TestRecording defaults = server.addRecording(RecordingSpec.create().durationSeconds(20));
        assertThat(defaults.json())
                .contains("\"start_time\": \"Tue, 25 Sep 2018 22:59:40 +0000\"")
                .contains("\"end_time\": \"Tue, 25 Sep 2018 23:00:00 +0000\"")
                .contains("\"source\": \"RecordVerb\"")
                .containsPattern("\"call_sid\": \"[0-9a-f-]{36}\"");
    }
}
