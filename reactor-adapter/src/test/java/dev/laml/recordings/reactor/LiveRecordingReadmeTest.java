package dev.laml.recordings.reactor;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.UpdateRecording;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README's "Control a live recording" snippets honest, as {@code QuickStartTest} does for the quick start:
 * compiled here, and the README must contain each verbatim. (A class of its own so that the quick start's snippet
 * count stays its own.)
 */
class LiveRecordingReadmeTest {

    @SuppressWarnings("unused") // compiled, not run: it would talk to a real space
    static void controlALiveRecording(RecordingsClient client, String accountSid, String callSid, String conferenceSid) {
        // README:start
        // Start: one options value; what is left unset is the API's default (mono, both tracks, no callback)
        Recording started = client.startRecording(StartRecording.of(accountSid, callSid)
                        .channels(StartRecording.Channels.DUAL)
                        .statusCallback(URI.create("https://example.com/recordings/events"))
                        .statusCallbackEvents(StartRecording.CallbackEvent.IN_PROGRESS,
                                StartRecording.CallbackEvent.COMPLETED))
                .block();

        // A card number is read: pause, leaving the paused time out of the audio, then resume
        RecordingOwner call = RecordingOwner.call(callSid);
        client.updateRecording(UpdateRecording.pause(accountSid, call, started.sid())
                .pauseBehavior(UpdateRecording.PauseBehavior.SKIP)).block();
        client.updateRecording(accountSid, call, started.sid(), UpdateRecording.Action.RESUME).block();

        // The agent leaves: stop; the recording completes and its status callback fires
        client.updateRecording(accountSid, call, started.sid(), UpdateRecording.Action.STOP).block();

        // A conference's recordings: listed lazily, paused/resumed/stopped with RecordingOwner.conference(...)
        Flux<Recording> inConference = client.conferenceRecordings(accountSid, conferenceSid);
        // README:end
    }

    @SuppressWarnings("unused") // compiled, not run
    static Mono<Recording> whenAStartMayHaveArrived(RecordingsClient client, String accountSid, String callSid) {
        // README:start
        // Not repeated once it may have reached the server: look before trying again
        Mono<Recording> recording = client.startRecording(accountSid, callSid)
                .onErrorResume(TransferException.class, e -> e.requestMayHaveReachedServer()
                        ? client.list(accountSid, RecordingQuery.all().callSid(callSid)).next()  // newest first
                        : Mono.error(e));
        // README:end
        return recording;
    }

    @Test
    void theReadmeShowsExactlyTheCompiledSnippets() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/reactor/LiveRecordingReadmeTest.java"),
                StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("## Control a live recording"),
                readme.indexOf("\n## ", readme.indexOf("## Control a live recording") + 1));
        int snippets = 0;
        for (int at = source.indexOf("// README:start\n"); at >= 0; at = source.indexOf("// README:start\n", at + 1)) {
            int end = source.indexOf("        // README:end", at);
            String snippet = source.substring(at + "// README:start\n".length(), end);
            List<String> lines = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();
            assertThat(section).contains(String.join("\n", lines));
            snippets++;
        }
        assertThat(snippets).isEqualTo(2);
    }
}
