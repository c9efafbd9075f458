package dev.laml.recordings.events;

import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The wiring the end-to-end tests share over real sockets: a client of the testkit's API, a SQLite inbox in the test's
 * directory, and the events endpoint in front of that inbox, each closed after the test in the reverse order of
 * creation. What differs from test to test (the testkit's settings, the workers' options) stays in the test.
 */
abstract class EventsEndToEnd {

    /** The path the events endpoint listens on. */
    static final String EVENTS_PATH = "/recordings/events";

    @TempDir
    Path tmp;

    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Where the events endpoint on 127.0.0.1:{@code port} is reached. */
    static URI publicUrl(int port) {
        return URI.create("http://127.0.0.1:" + port + EVENTS_PATH);
    }

    /** A testkit API that sends every recording's status callback to {@code publicUrl}, signed with {@code key}. */
    RecordingsServer apiCallingBack(URI publicUrl, String key) {
        RecordingsServer api = RecordingsServer.builder().statusCallback(publicUrl, key).start();
        closing.add(api);
        return api;
    }

    /** A client of {@code api} with its credentials and no retries (the testkit fails only when told to). */
    RecordingsClient clientOf(RecordingsServer api) {
        RecordingsClient client = RecordingsClient.builder().baseUrl(api.baseUrl())
                .credentials(api.projectId(), api.apiToken()).retryPolicy(RetryPolicy.none()).build();
        closing.add(client);
        return client;
    }

    /** A SQLite inbox in the test's directory. */
    RecordingInbox inbox() {
        RecordingInbox inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"));
        closing.add(inbox);
        return inbox;
    }

    /** Workers archiving into {@code archive} (a directory), polling every 100 ms; the test adds the rest. */
    static RecordingWorkers.Builder workersInto(Path archive, RecordingsClient client, RecordingInbox inbox) {
        return RecordingWorkers.builder().client(client).inbox(inbox).target(ArchiveTarget.directory(archive))
                .pollInterval(Duration.ofMillis(100));
    }

    /**
     * The events endpoint for {@code api}'s account on 127.0.0.1:{@code port}{@value #EVENTS_PATH}, known to the
     * sender as {@code publicUrl}: callbacks signed with {@code key} are stored into {@code inbox}, and each accepted
     * one wakes {@code workers}.
     */
    RecordingEventsServer serveEvents(RecordingsServer api, RecordingsClient client, String key, URI publicUrl, int port,
            RecordingInbox inbox, RecordingWorkers workers) {
        RecordingEvents events = RecordingEvents.builder().signature(WebhookSignature.of(key)).publicUrl(publicUrl)
                .apiBaseUrl(client.baseUrl()).accountSid(api.accountSid()).inbox(inbox)
                .onAccepted(e -> workers.wake()).build();
        RecordingEventsServer server = RecordingEventsServer.start(events, EVENTS_PATH, "127.0.0.1", port);
        closing.add(server);
        return server;
    }
}
