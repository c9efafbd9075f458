package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RecordingQuery;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the README's Archive snippet honest: compiled here, and the README must contain it verbatim. */
class ArchiveReadmeTest {

    @SuppressWarnings("unused") // compiled, not run: it would talk to a real space
    static void archive(RecordingsClient client, String accountSid) {
        // README:start
        Flux<ArchiveEvent> events = client.archive(accountSid,
                RecordingQuery.all().createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z")),
                Path.of("archive"),
                ArchiveOptions.defaults().format(AudioFormat.MP3).concurrency(8).deleteAfterVerify(true));
        // LISTED, then SKIPPED | DOWNLOADED | FAILED per recording (then DELETED), and SUMMARY last
        ArchiveEvent.Summary summary = (ArchiveEvent.Summary) events.blockLast();
        // README:end
    }

    @Test
    void theReadmeShowsExactlyTheCompiledSnippet() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/reactor/ArchiveReadmeTest.java"),
                StandardCharsets.UTF_8);
        int at = source.indexOf("        // README:start\n");
        int end = source.indexOf("        // README:end", at);
        String snippet = source.substring(at + "        // README:start\n".length(), end);
        List<String> lines = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();

        assertThat(readme).contains("## Archive").contains(String.join("\n", lines));
    }
}
