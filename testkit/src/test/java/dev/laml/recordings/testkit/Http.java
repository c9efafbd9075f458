package dev.laml.recordings.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** JDK HttpClient helpers: the tests deliberately use a client that shares nothing with the library under test. */
final class Http {

    private Http() {
    }

    /** HTTP/1.1 only (no h2c upgrade attempts), redirects not followed unless asked. */
    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    static HttpRequest.Builder request(URI uri, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    static HttpResponse<byte[]> get(HttpClient client, URI uri, String... headers) {
        return send(client, request(uri, headers).GET().build());
    }

    static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String basic(RecordingsServer server) {
        return basic(server.projectId(), server.apiToken());
    }

    /** {@code POST} here starts recording the call {@code callSid} (the API's {@code …/Calls/{CallSid}/Recordings.json}). */
    static URI callRecordings(RecordingsServer server, String callSid) {
        return server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Calls/" + callSid
                + "/Recordings.json");
    }

    /** {@code POST} here pauses, resumes or stops the call's recording {@code sid}. */
    static URI callRecording(RecordingsServer server, String callSid, String sid) {
        return server.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Calls/" + callSid
                + "/Recordings/" + sid + ".json");
    }
}
