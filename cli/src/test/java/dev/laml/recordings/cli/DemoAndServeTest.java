package dev.laml.recordings.cli;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two commands that embed the testkit, over HTTPS and over plain HTTP. */
class DemoAndServeTest {

    @TempDir
    Path dir;

    @Test
    void theDemoVerifiesEveryRecordingAndPrintsTheSummary() {
        CliRun r = CliRun.run("demo", "--recordings", "6", "--concurrency", "3");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("Demo: 6 synthetic recordings (wav,", "All 6 recordings verified");
        Matcher row = Pattern.compile("(?m)^\\s+recordings\\s+verified\\s+bytes\\s+time\\s+MB/s\\s+failures\\n"
                + "\\s+(\\d+)\\s+(\\d+)\\s+([\\d,]+)\\s+[\\d.]+ s\\s+[\\d.]+\\s+(\\d+)$").matcher(r.stdout());
        assertThat(row.find()).as(r.stdout()).isTrue();
        assertThat(row.group(1)).isEqualTo("6");
        assertThat(row.group(2)).isEqualTo("6");
        assertThat(row.group(4)).isEqualTo("0");
        // Not a terminal: plain progress lines, the last one at 100%.
        assertThat(r.stderr()).contains("100%  6/6 recordings").doesNotContain("\r");
    }

    @Test
    void theDemoRunsOverHttpsTrustingOnlyItsOwnCertificate() {
        CliRun r = CliRun.run("demo", "--recordings", "4", "--concurrency", "2");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).containsPattern("served by a local testkit server at https://127\\.0\\.0\\.1:\\d+\n"
                        + "\\(TLS: " + Pattern.quote(expectedEngine()) + ", trusting only this demo's certificate\\)\\.\n")
                .contains("All 4 recordings verified");
    }

    @Test
    void theDemoStillRunsOverPlainHttpForComparison() {
        CliRun r = CliRun.run("demo", "--recordings", "3", "--plain-http");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).containsPattern("served by a local testkit server at http://127\\.0\\.0\\.1:\\d+\\.\n")
                .contains("All 3 recordings verified")
                .doesNotContain("https://", "TLS");
    }

    /** The engine a client picks by default here: OpenSSL where netty-tcnative loads, the JDK's elsewhere. */
    private static String expectedEngine() {
        try (RecordingsClient probe = RecordingsClient.builder().baseUrl(URI.create("https://127.0.0.1:1")).build()) {
            // The CLI names the engine in words.
            return probe.tlsEngine() == TlsEngine.OPENSSL ? "OpenSSL" : "JDK";
        }
    }

    @Test
    void theDemoCanSaveTheFilesAndUseMp3() throws IOException {
        Path out = dir.resolve("demo");
        CliRun r = CliRun.run("demo", "--recordings", "3", "--concurrency", "2", "--format", "mp3",
                "--dir", out.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files).hasSize(3).allMatch(p -> p.getFileName().toString().endsWith(".mp3"));
        }
    }

    @Test
    void theDemoRejectsSillyNumbers() {
        assertThat(CliRun.run("demo", "--recordings", "0").exitCode()).isEqualTo(2);
        assertThat(CliRun.run("demo", "--concurrency", "-1").exitCode()).isEqualTo(2);
        assertThat(CliRun.run("demo", "--format", "flac").exitCode()).isEqualTo(2);
    }

    @Test
    void serveRunsUntilInterruptedAndAnswersWhatItPrinted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(RecordingsCli.run(
                new String[] {"serve", "--recordings", "2", "--project", "my-project"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())), "serve-under-test");
        serving.start();
        try {
            String printed = awaitOutput(out, "--sid ");
            Matcher base = Pattern.compile("base URL\\s+(\\S+)").matcher(printed);
            Matcher json = Pattern.compile("curl -f -u my-project:(\\S+) (\\S+\\.json)").matcher(printed);
            Matcher media = Pattern.compile("curl -fo recording.wav (\\S+\\.wav)").matcher(printed);
            assertThat(base.find() && json.find() && media.find()).as(printed).isTrue();
            assertThat(printed).contains("project id    my-project", "account sid", "wav bytes");

            HttpClient http = HttpClient.newHttpClient();
            String basic = Base64.getEncoder().encodeToString(("my-project:" + json.group(1))
                    .getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> metadata = http.send(HttpRequest.newBuilder(URI.create(json.group(2)))
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metadata.statusCode()).isEqualTo(200);
            assertThat(metadata.body()).contains("\"sid\"");
            HttpResponse<byte[]> audio = http.send(HttpRequest.newBuilder(URI.create(media.group(1))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(audio.statusCode()).isEqualTo(200);
            assertThat(new String(audio.body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");

            serving.interrupt();
            serving.join(10_000);
            assertThat(serving.isAlive()).isFalse();
            assertThat(exit.get()).isZero();
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(base.group(1)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(ConnectException.class);
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
    }

    @Test
    void serveWithTlsWritesTheCertificateToTrustAndPrintsCommandsThatUseIt() throws Exception {
        Path ca = dir.resolve("serve ca.pem"); // a space: the printed commands must quote it
        try (Serving serving = Serving.start("serve", "--tls", "--ca-out", ca.toString(), "--recordings", "2")) {
            String printed = serving.await(" list --json\n");
            Matcher base = Pattern.compile("base URL\\s+(\\S+)").matcher(printed);
            Matcher token = Pattern.compile("API token\\s+(\\S+)").matcher(printed);
            Matcher sid = Pattern.compile("--sid (\\S+)").matcher(printed);
            assertThat(base.find() && token.find() && sid.find()).as(printed).isTrue();
            assertThat(base.group(1)).startsWith("https://127.0.0.1:");
            String quoted = "'" + ca.toAbsolutePath() + "'";
            assertThat(printed).contains("running at https://127.0.0.1:", "CA file       " + ca.toAbsolutePath(),
                    "curl --cacert " + quoted + " -fo recording.wav https://",
                    "curl --cacert " + quoted + " -f -u ",
                    "export SIGNALWIRE_BASE_URL=" + base.group(1) + " SIGNALWIRE_CA_FILE=" + quoted + "\n",
                    "recordings metadata --sid ")
                    .containsPattern("TLS\\s+(OpenSSL|JDK), a certificate for 127\\.0\\.0\\.1");
            assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----\n");

            Map<String, String> env = CliRun.env("SIGNALWIRE_PROJECT_ID", projectOf(printed),
                    "SIGNALWIRE_API_TOKEN", token.group(1));
            CliRun metadata = CliRun.run(env, "metadata", "--base-url", base.group(1), "--ca-file", ca.toString(),
                    "--sid", sid.group(1));
            CliRun audio = CliRun.run(env, "download", "--base-url", base.group(1), "--ca-file", ca.toString(),
                    "--sid", sid.group(1), "-o", "-");
            CliRun untrusted = CliRun.run(env, "metadata", "--base-url", base.group(1), "--sid", sid.group(1));

            assertThat(metadata.exitCode()).as(metadata.toString()).isZero();
            assertThat(metadata.stdout()).contains(sid.group(1));
            assertThat(audio.exitCode()).as(audio.stderr()).isZero();
            assertThat(new String(audio.stdoutBytes(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
            assertThat(untrusted.exitCode()).as(untrusted.toString()).isEqualTo(6);
            assertThat(untrusted.stderr()).contains("is not trusted");

            assertThat(serving.stop()).isZero();
        }
        assertThat(ca).as("the user's file stays after the server stops").exists();
    }

    @Test
    void serveWithTlsAloneWritesATemporaryCaFileAndDeletesItAtStop() throws Exception {
        Path ca;
        try (Serving serving = Serving.start("serve", "--tls", "--recordings", "1")) {
            String printed = serving.await(" list --json\n");
            Matcher file = Pattern.compile("CA file\\s+(\\S+\\.pem)").matcher(printed);
            assertThat(file.find()).as(printed).isTrue();
            ca = Path.of(file.group(1));
            assertThat(ca).isAbsolute().exists();
            assertThat(ca.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()
                    .normalize());
            assertThat(printed).contains("SIGNALWIRE_CA_FILE=" + ca, "curl --cacert " + ca,
                    "deleted when the server stops");

            assertThat(serving.stop()).isZero();
        }
        assertThat(ca).doesNotExist();
    }

    @Test
    void caOutWithoutTlsIsAUsageError() {
        CliRun r = CliRun.run("serve", "--ca-out", dir.resolve("ca.pem").toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("--ca-out needs --tls").hasLineCount(1);
        assertThat(dir).isEmptyDirectory();
    }

    private static String projectOf(String printed) {
        Matcher m = Pattern.compile("project id\\s+(\\S+)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        return m.group(1);
    }

    /** {@code serve} on its own thread, stopped as an embedding application stops it: by interrupting it. */
    private static final class Serving implements AutoCloseable {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        private Serving(String... args) {
            thread = new Thread(() -> exit.set(RecordingsCli.run(args,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())), "serve-under-test");
        }

        static Serving start(String... args) {
            Serving s = new Serving(args);
            s.thread.start();
            return s;
        }

        String await(String marker) throws InterruptedException {
            return awaitOutput(out, marker);
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

    @Test
    void serveOnAPortInUseFailsWithExit6() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.run("serve", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
            assertThat(r.stderr()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).hasLineCount(1);
        }
    }

    private static String awaitOutput(ByteArrayOutputStream out, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String s = out.toString(StandardCharsets.UTF_8);
            if (s.contains(marker)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("serve printed no '" + marker + "' in 20 s: " + out.toString(StandardCharsets.UTF_8));
    }
}
