package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.NotFoundException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README's quick start honest: the snippet below is compiled here, and the README
 * must contain it verbatim (between the markers), so the two cannot drift apart.
 */
class QuickStartTest {

    @SuppressWarnings("unused") // compiled, not run: it would talk to a real space
    static void quickStart(String accountSid, String recordingSid) {
        // README:start
        RecordingsClient client = RecordingsClient.builder()
                .space("example")                                  // https://example.signalwire.com
                .credentials(System.getenv("SIGNALWIRE_PROJECT_ID"),
                             System.getenv("SIGNALWIRE_API_TOKEN"))  // only needed for metadata
                .build();                                          // immutable, thread-safe: share it

        // Metadata: a Mono<Recording>; typed errors (NotFoundException, AuthenticationException, ...)
        client.fetch(accountSid, recordingSid)
                .subscribe(rec -> System.out.println(rec.duration() + " " + rec.status()));

        // Audio: a Flux<ByteBuffer> with real backpressure; every buffer is yours to keep
        Flux<ByteBuffer> mp3 = client.download(accountSid, recordingSid, AudioFormat.MP3);

        // Straight to a file: atomic (temp file + move), paced by the disk, never buffered whole
        Long bytes = client.downloadTo(accountSid, recordingSid, AudioFormat.WAV, Path.of("call.wav"))
                .onErrorResume(NotFoundException.class, e -> reactor.core.publisher.Mono.empty())
                .block();
        // README:end
    }

    @Test
    void theReadmeShowsExactlyTheCompiledSnippet() throws IOException {
        Path readme = Path.of("..", "README.md");
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/reactor/QuickStartTest.java"),
                StandardCharsets.UTF_8);
        String snippet = between(source, "// README:start\n", "        // README:end");
        List<String> lines = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();

        assertThat(Files.readString(readme, StandardCharsets.UTF_8)).contains(String.join("\n", lines));
    }

    private static String between(String s, String start, String end) {
        int a = s.indexOf(start);
        int b = s.indexOf(end, a);
        return s.substring(a + start.length(), b);
    }
}
