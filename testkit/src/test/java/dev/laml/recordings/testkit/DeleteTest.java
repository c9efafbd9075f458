package dev.laml.recordings.testkit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code DELETE .../Recordings/{Sid}.json}. */
@Timeout(60)
class DeleteTest {

    @RegisterExtension
    final RecordingsServerExtension extension = new RecordingsServerExtension();
    private final HttpClient client = Http.client();
    private RecordingsServer server;
    private URI list;

    @BeforeEach
    void setUp() {
        server = extension.server();
        list = server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings.json");
    }

    @Test
    void deleteAnswers204ThenTheRecordingIsGoneEverywhere() {
        TestRecording doomed = server.addRecording();
        TestRecording kept = server.addRecording();
        assertThat(listed()).containsExactlyInAnyOrder(doomed.sid(), kept.sid());

        HttpResponse<byte[]> deleted = delete(doomed.jsonUrl(), true);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(deleted.headers().firstValue("Content-Length")).isEmpty();

        HttpResponse<byte[]> json = Http.get(client, doomed.jsonUrl(), "Authorization", Http.basic(server));
        assertThat(json.statusCode()).isEqualTo(404);
        assertThat(Http.text(json)).isEqualTo(ServingTest.NOT_FOUND_JSON);
        for (URI media : new URI[] {doomed.url(Format.WAV), doomed.url(Format.MP3),
                URI.create(doomed.url(Format.WAV).toString().replace(".wav", ""))}) {
            HttpResponse<byte[]> response = Http.get(client, media);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(Http.text(response)).isEqualTo(ServingTest.NOT_FOUND_XML);
        }
        assertThat(listed()).containsExactly(kept.sid());
        assertThat(server.recording(doomed.sid())).isNull();

        // Deleting again (or an id that never existed) is a JSON 404.
        HttpResponse<byte[]> again = delete(doomed.jsonUrl(), true);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(Http.text(again)).isEqualTo(ServingTest.NOT_FOUND_JSON);
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/json");
        // The connection survived the body-less 204 (keep-alive).
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void deleteRequiresCredentialsBeforeExistence() {
        TestRecording recording = server.addRecording();
        HttpResponse<byte[]> denied = delete(recording.jsonUrl(), false);
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(Http.text(denied)).isEqualTo(ServingTest.AUTH_FAILED);
        assertThat(delete(URI.create(recording.jsonUrl().toString().replace(recording.sid(),
                "00000000-0000-4000-8000-000000000000")), false).statusCode()).isEqualTo(401);
        assertThat(server.recording(recording.sid())).isNotNull();
        assertThat(Http.get(client, recording.url(Format.WAV)).statusCode()).isEqualTo(200);
    }

    @Test
    void deletesAreCountedAndRecorded() {
        TestRecording recording = server.addRecording();
        delete(recording.jsonUrl(), true);
        delete(recording.jsonUrl(), true);
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(server.requestCount(recording.jsonUrl().getPath())).isEqualTo(2);
        RecordedRequest first = server.takeRequest();
        assertThat(first.method()).isEqualTo("DELETE");
        assertThat(first.path()).isEqualTo(recording.jsonUrl().getPath());
        assertThat(first.hasAuthorization()).isTrue();
    }

    @Test
    void aReplacingFaultDeletesNothingOtherFaultsDoNotPreventTheDelete() {
        TestRecording recording = server.addRecording();
        server.enqueueFault(Fault.serverError(503));
        assertThat(delete(recording.jsonUrl(), true).statusCode()).isEqualTo(503);
        assertThat(server.recording(recording.sid())).isNotNull();

        recording.injectFault(Fault.latency(Duration.ofMillis(50)));
        assertThat(delete(recording.jsonUrl(), true).statusCode()).isEqualTo(204);
        assertThat(server.recording(recording.sid())).isNull();
    }

    @Test
    void onlyTheJsonResourceAcceptsDelete() {
        TestRecording recording = server.addRecording();
        HttpResponse<byte[]> onList = delete(list, true);
        assertThat(onList.statusCode()).isEqualTo(405);
        assertThat(onList.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<byte[]> post = Http.send(client, Http.request(recording.jsonUrl(),
                "Authorization", Http.basic(server)).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD, DELETE");
        assertThat(server.recording(recording.sid())).isNotNull();
    }

    private HttpResponse<byte[]> delete(URI uri, boolean auth) {
        HttpRequest.Builder request = auth ? Http.request(uri, "Authorization", Http.basic(server))
                : Http.request(uri);
        return Http.send(client, request.DELETE().build());
    }

    private java.util.List<String> listed() {
        HttpResponse<byte[]> response = Http.get(client, list, "Authorization", Http.basic(server));
        assertThat(response.statusCode()).isEqualTo(200);
        return ListTest.sids(ListTest.parse(Http.text(response)));
    }
}
