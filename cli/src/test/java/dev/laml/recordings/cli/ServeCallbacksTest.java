package dev.laml.recordings.cli;

import com.sun.net.httpserver.HttpServer;
import dev.laml.recordings.webhooks.FormFields;
import dev.laml.recordings.webhooks.RecordingStatusCallback;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve --callback-url}: the testkit's callbacks, received by a JDK HTTP server that checks them exactly as a
 * production receiver would, with core's {@link WebhookSignature} and {@link RecordingStatusCallback}: the testkit
 * signs with its own code, so each side is checked against the other.
 */
@Timeout(90)
class ServeCallbacksTest {

    private static final String KEY = "PSK_serve_callbacks_key";

    @TempDir
    Path dir;

    /** What the receiver made of each request. */
    record Checked(boolean signatureValid, RecordingStatusCallback callback) {
    }

    private final List<Checked> checked = new CopyOnWriteArrayList<>();
    private final HttpServer receiver;
    private final WebhookSignature signature = WebhookSignature.of(KEY);
    private volatile int answer = 204;

    ServeCallbacksTest() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                Map<String, List<String>> form = FormFields.parse(body);
                boolean valid = signature.validForm(url().toString(), form,
                        exchange.getRequestHeaders().getFirst("X-SignalWire-Signature"));
                checked.add(new Checked(valid, RecordingStatusCallback.fromForm(form)));
                exchange.sendResponseHeaders(valid ? answer : 403, -1);
            } finally {
                exchange.close();
            }
        });
        receiver.start();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/recordings/events");
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private Path keyFile() throws IOException {
        return Files.writeString(dir.resolve("signing.key"), KEY + "\n");
    }

    @Test
    void everyRecordingIsAnnouncedWithACallbackThatCoreAcceptsAndNewOnesKeepComing() throws Exception {
        try (Serving serving = Serving.start(Map.of(), "serve", "--recordings", "2", "--callback-url", url().toString(),
                "--signing-key-file", keyFile().toString(), "--new-recording-every", "300ms")) {
            String printed = serving.await("new recording");
            URI base = baseUrl(printed);
            // Two at start (complete at once), then at least two new ones, each in progress and then completed.
            awaitChecked(c -> c.stream().filter(x -> x.callback().rawStatus().equals("completed")).count() >= 4);

            assertThat(checked).allSatisfy(c -> {
                assertThat(c.signatureValid()).as("signature of %s", c.callback()).isTrue();
                assertThat(c.callback().urlMatches(base)).as("RecordingUrl of %s", c.callback()).isTrue();
            });
            assertThat(checked).extracting(c -> c.callback().rawStatus()).contains("in-progress", "completed");
            String out = serving.await("callback  completed");
            assertThat(out).containsPattern("Status callbacks go to " + Pattern.quote(url().toString())
                    + ", signed with the key from " + Pattern.quote(dir.resolve("signing.key").toString()));
            assertThat(out).containsPattern("(?m)^callback  completed    [0-9a-f-]{36}  -> 204$");
            assertThat(out).containsPattern("(?m)^callback  in-progress  [0-9a-f-]{36}  -> 204$");
            assertThat(out).containsPattern("(?m)^new recording  [0-9a-f-]{36}  +\\d+ s, completes in \\d\\.\\d s$");
            // The welcome comes before any delivery line.
            assertThat(out.indexOf("base URL")).isLessThan(out.indexOf("callback  "));
            assertThat(serving.stop()).isZero();
            assertThat(serving.all()).doesNotContain(KEY);
        }
    }

    @Test
    void theKeyMayComeFromTheEnvironmentAndWronglySignedCallbacksAreRefusedAndRetried() throws Exception {
        try (Serving serving = Serving.start(Map.of("SIGNALWIRE_SIGNING_KEY", KEY), "serve", "--recordings", "1",
                "--callback-url", url().toString(), "--callback-faults", "wrong-signature=100%")) {
            String out = serving.await("failed after 3 attempts");

            assertThat(checked).hasSize(3).allSatisfy(c -> assertThat(c.signatureValid()).isFalse());
            assertThat(out).containsPattern("(?m)^callback  completed    [0-9a-f-]{36}  wrongly signed failed after 3 "
                    + "attempts: answered 403$");
            assertThat(out).contains("signed with the key from $SIGNALWIRE_SIGNING_KEY");
            assertThat(serving.stop()).isZero();
            assertThat(serving.all()).doesNotContain(KEY);
        }
    }

    @Test
    void droppedCallbacksAreNeverSentAndSaySo() throws Exception {
        try (Serving serving = Serving.start(Map.of(), "serve", "--recordings", "3", "--callback-url", url().toString(),
                "--signing-key-file", keyFile().toString(), "--callback-faults", "drop=100%")) {
            String out = serving.awaitCount("dropped, never sent", 3);

            assertThat(out).containsPattern("(?m)^callback  completed    [0-9a-f-]{36}  dropped, never sent$");
            assertThat(checked).isEmpty();
            assertThat(serving.stop()).isZero();
        }
    }

    @Test
    void badCallbackOptionsAreUsageErrors() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.key"), "  \n");
        String url = url().toString();
        assertUsage("--callback-url needs the signing key: set SIGNALWIRE_SIGNING_KEY or pass --signing-key-file PATH",
                "serve", "--callback-url", url);
        assertUsage("--signing-key-file needs --callback-url", "serve", "--signing-key-file", keyFile().toString());
        assertUsage("--callback-faults needs --callback-url", "serve", "--callback-faults", "drop=1%");
        assertUsage("--signing-key-file " + empty + " is empty", "serve", "--callback-url", url,
                "--signing-key-file", empty.toString());
        assertUsage("cannot read --signing-key-file " + dir.resolve("missing.key"), "serve", "--callback-url", url,
                "--signing-key-file", dir.resolve("missing.key").toString());
        assertUsage("--callback-url must be an absolute http(s) URL with a host, got /relative", "serve",
                "--callback-url", "/relative", "--signing-key-file", keyFile().toString());
        assertUsage("--callback-faults takes duplicate=SHARE, wrong-signature=SHARE or drop=SHARE, got dupe=5%",
                "serve", "--callback-url", url, "--signing-key-file", keyFile().toString(), "--callback-faults",
                "dupe=5%");
        assertUsage("--callback-faults drop=60%: the shares must be from 0% to 100% and add up to 100% at most",
                "serve", "--callback-url", url, "--signing-key-file", keyFile().toString(), "--callback-faults",
                "duplicate=50%,drop=60%");
        assertUsage("--new-recording-every takes a number and a unit (ms, s, m or h), e.g. 2s, got 2 seconds",
                "serve", "--new-recording-every", "2 seconds");
        assertUsage("--new-recording-every must be at least 10ms, got 5ms", "serve", "--new-recording-every", "5ms");
        assertThat(checked).isEmpty();
    }

    private static void assertUsage(String message, String... args) {
        CliRun r = CliRun.run(args);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).as(r.toString()).contains(message).doesNotContain(KEY);
    }

    private static URI baseUrl(String printed) {
        Matcher m = Pattern.compile("base URL\\s+(\\S+)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        return URI.create(m.group(1));
    }

    private void awaitChecked(java.util.function.Predicate<List<Checked>> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.test(checked)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("callbacks so far: " + checked);
            }
            Thread.sleep(20);
        }
    }

    /** {@code serve} on its own thread, stopped as an embedding application stops it: by interrupting it. */
    private static final class Serving implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        private Serving(Map<String, String> env, String... args) {
            thread = new Thread(() -> exit.set(RecordingsCli.run(args,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env)), "serve-under-test");
        }

        static Serving start(Map<String, String> env, String... args) {
            Serving s = new Serving(env, args);
            s.thread.start();
            return s;
        }

        String await(String marker) throws InterruptedException {
            return awaitCount(marker, 1);
        }

        String awaitCount(String marker, int times) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                String s = out.toString(StandardCharsets.UTF_8);
                if (s.split(Pattern.quote(marker), -1).length - 1 >= times) {
                    return s;
                }
                if (!thread.isAlive()) {
                    break;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("serve printed '" + marker + "' fewer than " + times + " times: " + all());
        }

        String all() {
            return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        }

        /** Interrupts the server, waits for it and returns its exit code. */
        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            assertThat(thread.isAlive()).as("serve stopped").isFalse();
            return exit.get();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
