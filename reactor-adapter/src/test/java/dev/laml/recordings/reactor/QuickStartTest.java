package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.ContentRange;
import dev.laml.recordings.DownloadProgress;
import dev.laml.recordings.MediaRequest;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionQuery;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keeps the README's Java snippets honest: each one between the markers below is compiled here
 * (one of them run), and the README must contain it verbatim, so the two cannot drift apart; the
 * {@code toString()} the README shows is compared with what the client prints. (The Spring Boot
 * snippet is compiled and compared the same way by the starter's {@code ReadmeTest}.)
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

    /** Run by {@link #anInvalidIdThrowsAtCallTimeAndTheDeferredCallSignalsItInstead()}. */
    static Mono<Recording> deferredValidation(RecordingsClient client, String accountSid, String untrustedSid) {
        // README:start
        // fetch throws IllegalArgumentException for an id that is not a UUID, before anything is sent;
        // inside Mono.defer, that throw becomes the Mono's error signal
        Mono<Recording> recording = Mono.defer(() -> client.fetch(accountSid, untrustedSid))
                .onErrorResume(IllegalArgumentException.class, e -> Mono.empty());   // say, a 404 page
        // README:end
        return recording;
    }

    @SuppressWarnings("unused") // compiled, not run
    static void beyondOneRecording(RecordingsClient client, String accountSid, String recordingSid) {
        // README:start
        // Every recording since January, lazily: a page is requested only when demand reaches it
        Flux<Recording> all = client.list(accountSid, RecordingQuery.all().pageSize(100)
                .createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z")));

        Mono<Void> gone = client.delete(accountSid, recordingSid);          // 204 -> complete, 404 -> NotFoundException

        // Right after a call: poll until completed (absent -> RecordingNotReadyException with error_code)
        Mono<Recording> ready = client.awaitCompleted(accountSid, recordingSid, Duration.ofMinutes(2));

        // Progress without per-buffer work beyond a counter: an option of the request, as a range is
        DownloadProgress progress = new DownloadProgress();
        MediaRequest mp3 = MediaRequest.of(accountSid, recordingSid, AudioFormat.MP3);
        client.downloadTo(mp3.progress(progress), Path.of("call.mp3")).subscribe();
        double done = progress.snapshot().fraction();
        // README:end
    }

    @SuppressWarnings("unused") // compiled, not run
    static void httpsBehindACompanyProxy() {
        // README:start
        RecordingsClient client = RecordingsClient.builder()
                .space("example")
                .credentials(System.getenv("SIGNALWIRE_PROJECT_ID"), System.getenv("SIGNALWIRE_API_TOKEN"))
                .trustedCertificates(Path.of("/etc/ssl/corp-root-ca.pem"))   // replaces the default trust
                .proxy(URI.create("http://proxy.corp.example:3128"))          // CONNECT; or socks5://host:port
                .noProxy("*.corp.example", "10.0.0.0/8")                      // curl's NO_PROXY rules
                .tlsHandshakeTimeout(Duration.ofSeconds(10))                  // the default
                .build();
        System.out.println(client);   // RecordingsClient[https://example.signalwire.com, project=<your project id>, tls=OpenSSL, proxy=http://proxy.corp.example:3128]
        // README:end
    }

    @SuppressWarnings("unused") // compiled, not run
    static void headersFirstWithARange(RecordingsClient client, String accountSid, String recordingSid) {
        // README:start
        // Headers first: length, type, validators and range before the first byte; then the body
        MediaRequest mp3 = MediaRequest.of(accountSid, recordingSid, AudioFormat.MP3);
        Mono<Long> served = client.open(mp3.range(ByteRange.of(0, 65_535)))
                .flatMap(audio -> {
                    long length = audio.contentLength();      // 65536 (fewer if the recording is shorter)
                    ContentRange part = audio.contentRange(); // bytes 0-65535/4800000
                    String etag = audio.etag();               // for If-Range / If-None-Match downstream
                    return audio.body().map(ByteBuffer::remaining).reduce(0L, Long::sum);
                });

        ByteRange.from(1_000_000);   // from an offset to the end
        ByteRange.last(4096);        // the final 4 KiB
        Flux<ByteBuffer> tail = client.download(MediaRequest.of(accountSid, recordingSid, AudioFormat.WAV)
                .range(ByteRange.last(4096)));
        // README:end
    }

    @SuppressWarnings("unused") // compiled, not run (MediaHostsTest runs the same cases)
    static void mediaUrlsOnAllowedHostsOnly(URI mediaUrl, DownloadProgress progress) {
        // README:start
        // A media URL is fetched only from the configured origin and the hosts allowed here
        RecordingsClient client = RecordingsClient.builder()
                .space("example")                  // https://example.signalwire.com: always allowed
                .mediaHosts("*.signalwire.com")    // exact hosts or *.domain; default: none beyond the origin
                .build();
        Flux<ByteBuffer> audio = client.download(mediaUrl);
        Flux<ByteBuffer> part = client.download(MediaRequest.of(mediaUrl)
                .range(ByteRange.from(1_000_000)).progress(progress));

        // Throws IllegalArgumentException at once, nothing sent: media URL refused: host "169.254.169.254"
        // is neither the configured origin https://example.signalwire.com nor a host allowed by mediaHosts ...
        client.download(URI.create("https://169.254.169.254/latest/meta-data/"));
        // README:end
    }

    @SuppressWarnings("unused") // compiled, not run
    static void transcripts(RecordingsClient client, String accountSid, String recordingSid, String transcriptionSid) {
        // README:start
        // An account's transcriptions since January, paged lazily as list pages
        Flux<Transcription> recent = client.transcriptions(accountSid, TranscriptionQuery.all()
                .createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z")));
        // One recording's (its subresource_uris.transcriptions); none is an empty Flux
        Flux<String> texts = client.recordingTranscriptions(accountSid, recordingSid)
                .filter(Transcription::isCompleted)
                .mapNotNull(Transcription::transcriptionText);
        Mono<Transcription> one = client.fetchTranscription(accountSid, transcriptionSid);
        Mono<Void> gone = client.deleteTranscription(accountSid, transcriptionSid);   // 204 -> complete

        // The transcript beside the audio: yyyy/MM/dd/{sid}.transcript.json
        Flux<ArchiveEvent> run = client.archive(accountSid, RecordingQuery.all(),
                ArchiveTarget.directory(Path.of("archive")), ArchiveOptions.defaults().transcripts(true));
        // README:end
    }

    @Test
    void theReadmeShowsExactlyTheCompiledSnippets() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/reactor/QuickStartTest.java"),
                StandardCharsets.UTF_8);
        int snippets = 0;
        for (int at = source.indexOf("// README:start\n"); at >= 0; at = source.indexOf("// README:start\n", at + 1)) {
            int end = source.indexOf("        // README:end", at);
            String snippet = source.substring(at + "// README:start\n".length(), end);
            List<String> lines = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList();
            assertThat(readme).contains(String.join("\n", lines));
            snippets++;
        }
        assertThat(snippets).isEqualTo(7);
    }

    @Test
    void anInvalidIdThrowsAtCallTimeAndTheDeferredCallSignalsItInstead() {
        String account = "0d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
        // Port 1 on loopback: nothing listens, so a request that was sent would fail the Mono.
        try (RecordingsClient client = RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:1"))
                .credentials("my-project", "my-token").build()) {
            assertThatThrownBy(() -> client.fetch(account, "../../Calls/x"))
                    .isInstanceOf(IllegalArgumentException.class);
            StepVerifier.create(Mono.defer(() -> client.fetch(account, "../../Calls/x")))
                    .expectError(IllegalArgumentException.class)
                    .verify(Duration.ofSeconds(10));
            StepVerifier.create(deferredValidation(client, account, "../../Calls/x"))
                    .verifyComplete();
        }
    }

    @Test
    void theToStringTheReadmeShowsIsWhatTheClientPrints() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String marker = "System.out.println(client);   // ";
        int at = readme.indexOf(marker);
        assertThat(at).as("the README prints a client").isNotNegative();
        String shown = readme.substring(at + marker.length(), readme.indexOf('\n', at));
        // As in the README, but without a trust file that exists only on the reader's machine.
        try (RecordingsClient client = RecordingsClient.builder()
                .space("example")
                .credentials("my-project", "my-token")
                .proxy(URI.create("http://proxy.corp.example:3128"))
                .noProxy("*.corp.example", "10.0.0.0/8")
                .tlsHandshakeTimeout(Duration.ofSeconds(10))
                .build()) {
            assertThat(client.toString()).isEqualTo(shown.replace("<your project id>", "my-project")
                    // OpenSSL wherever netty-tcnative loads, as on the machines that run this build
                    .replace("tls=OpenSSL", "tls=" + (client.tlsEngine() == TlsEngine.JDK ? "JDK" : "OpenSSL")));
            assertThat(client.toString()).doesNotContain("my-token");
        }
    }
}
