package dev.laml.recordings.cli;

// The README's "Testing your code with the testkit" example, verbatim (ReadmeTest checks): compiled and run here.
// README:start
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.Recording;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestkitExampleTest {

    // One local SignalWire-like server for the class; counters and faults are reset before each test.
    @RegisterExtension
    static final RecordingsServerExtension recordings =
            new RecordingsServerExtension(RecordingsServer.builder().credentials("my-project", "my-token"));

    @TempDir
    Path dir;

    @Test
    void downloadsExactlyTheBytesEvenWhenTheConnectionBreaks() {
        TestRecording call = recordings.server().addRecording(RecordingSpec.create().durationSeconds(30));

        try (RecordingsClient client = RecordingsClient.builder()
                .baseUrl(recordings.baseUrl())             // http://127.0.0.1:port; plain http is fine on loopback
                .credentials("my-project", "my-token")
                .build()) {
            Recording meta = client.fetch(call.accountSid(), call.sid()).block();
            assertThat(meta.duration()).isEqualTo(Duration.ofSeconds(30));

            recordings.server().enqueueFault(Fault.resetAfterBytes(100_000)); // the next response dies midway
            Path wav = dir.resolve("call.wav");
            client.downloadTo(call.accountSid(), call.sid(), AudioFormat.WAV, wav).block();

            assertThat(wav).hasBinaryContent(call.bytes(Format.WAV));
            assertThat(recordings.server().requestCount(call.url(Format.WAV).getPath())).isEqualTo(2); // resumed
        }
    }
}
// README:end
