package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code recordings listen}: options, exit codes, and a run fed by the testkit's signed callbacks. */
@org.junit.jupiter.api.Timeout(180) // a listen that should have failed at start would otherwise wait for ever
class ListenCommandTest {

    static final String PROJECT = "6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    static final String TOKEN = "PTlisten-test-token";
    static final String KEY = "PSK_listen_test_key";

    @TempDir
    Path tmp;

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN,
                "SIGNALWIRE_SIGNING_KEY", KEY);
    }

    @Test
    void badOptionsExit2AndNameTheProblem() {
        CliRun noTarget = CliRun.run(env(), "listen", "--port", "0", "--base-url", "http://127.0.0.1:1");
        assertThat(noTarget.exitCode()).as(noTarget.toString()).isEqualTo(2);
        assertThat(noTarget.stderr()).contains("--dir").contains("--to");

        Map<String, String> noKey = CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
        CliRun missingKey = CliRun.run(noKey, "listen", "--port", "0", "--dir", tmp.toString(),
                "--base-url", "http://127.0.0.1:1");
        assertThat(missingKey.exitCode()).isEqualTo(2);
        assertThat(missingKey.stderr()).contains("SIGNALWIRE_SIGNING_KEY").doesNotContain(KEY);

        CliRun badDuration = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.toString(),
                "--base-url", "http://127.0.0.1:1", "--reconcile-every", "soon");
        assertThat(badDuration.exitCode()).isEqualTo(2);
        assertThat(badDuration.stderr()).contains("--reconcile-every");

        CliRun badLease = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.toString(),
                "--base-url", "http://127.0.0.1:1", "--lease", "0s");
        assertThat(badLease.exitCode()).isEqualTo(2);
        assertThat(badLease.stderr()).contains("--lease");

        CliRun badInbox = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.toString(),
                "--base-url", "http://127.0.0.1:1", "--inbox", "jdbc:mysql://db/x");
        assertThat(badInbox.exitCode()).isEqualTo(2);

        CliRun keyAsOption = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.toString(),
                "--signing-key", KEY);
        assertThat(keyAsOption.exitCode()).isEqualTo(2);
    }

    @Test
    void theS3OptionsAreArchivesAndCheckedTheSameWay() {
        // listen takes archive's --s3-... settings (one mixin), with the same checks before anything starts
        CliRun s3OptionWithoutTo = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.toString(),
                "--base-url", "http://127.0.0.1:1", "--s3-storage-class", "STANDARD_IA");
        assertThat(s3OptionWithoutTo.exitCode()).as(s3OptionWithoutTo.toString()).isEqualTo(2);
        assertThat(s3OptionWithoutTo.stderr()).contains("--s3-... options go with --to");

        CliRun badChecksum = CliRun.run(env(), "listen", "--port", "0", "--to", "s3://bucket/prefix",
                "--base-url", "http://127.0.0.1:1", "--s3-checksum", "crc32");
        assertThat(badChecksum.exitCode()).as(badChecksum.toString()).isEqualTo(2);
        assertThat(badChecksum.stderr()).contains("--s3-checksum must be auto, sha256, md5 or none");

        // listen has no read-back, so a store that checks nothing cannot prove a copy before a deletion
        CliRun noneAndDelete = CliRun.run(env(), "listen", "--port", "0", "--to", "s3://bucket/prefix",
                "--base-url", "http://127.0.0.1:1", "--s3-checksum", "none", "--delete-after-verify");
        assertThat(noneAndDelete.exitCode()).as(noneAndDelete.toString()).isEqualTo(2);
        assertThat(noneAndDelete.stderr()).contains("--delete-after-verify needs --verify-remote");
    }

    @Test
    void anUnreachableInboxAtStartExits6NamingIt() {
        CliRun run = CliRun.run(env(), "listen", "--port", "0", "--dir", tmp.resolve("a").toString(),
                "--base-url", "http://127.0.0.1:1", "--inbox", "jdbc:postgresql://127.0.0.1:1/recordings");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(run.stderr()).contains("postgresql://127.0.0.1:1/recordings");
    }

    @Test
    void aStoreThatCannotBeUsedAtStartExits6() throws IOException {
        Path file = Files.createFile(tmp.resolve("a-file"));
        CliRun run = CliRun.run(env(), "listen", "--port", "0", "--dir", file.resolve("below").toString(),
                "--base-url", "http://127.0.0.1:1", "--inbox", tmp.resolve("inbox.db").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(run.stderr()).contains(file.resolve("below").toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void signedCallbacksAreStoredOneLineEachAndAnInterruptStopsWithExit0() throws Exception {
        int port = freePort();
        URI callback = URI.create("http://127.0.0.1:" + port + "/recordings/events");
        Path keyFile = Files.writeString(tmp.resolve("key"), KEY + "\n");
        Path archive = tmp.resolve("archive");
        try (RecordingsServer api = RecordingsServer.builder().credentials(PROJECT, TOKEN)
                .statusCallback(callback, KEY).start()) {
            AtomicReference<CliRun> result = new AtomicReference<>();
            Map<String, String> noKeyEnv = CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
            Thread listen = new Thread(() -> result.set(CliRun.run(noKeyEnv, "listen", "--port", String.valueOf(port),
                    "--dir", archive.toString(), "--inbox", tmp.resolve("inbox.db").toString(),
                    "--signing-key-file", keyFile.toString(), "--base-url", api.baseUrl().toString())));
            listen.start();
            awaitListening(port);

            List<TestRecording> genuine = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                if (i == 2) {
                    api.enqueueCallbackFault(CallbackFault.DUPLICATE);
                }
                genuine.add(api.addRecording(RecordingSpec.create().seed(700 + i)));
            }
            api.enqueueCallbackFault(CallbackFault.WRONG_SIGNATURE);
            TestRecording forged = api.addRecording(RecordingSpec.create().seed(800));

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && sidecars(archive) < genuine.size()) {
                Thread.sleep(50);
            }
            // Let the forged callback's three attempts finish before stopping.
            for (int i = 0; i < genuine.size() + 2; i++) {
                api.takeCallbackDelivery();
            }
            listen.interrupt();
            listen.join(60_000);
            CliRun run = result.get();
            assertThat(run).isNotNull();
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdout().lines().filter(l -> l.startsWith("stored "))).hasSize(genuine.size());
            for (TestRecording r : genuine) {
                assertThat(run.stdout()).contains("stored " + r.sid());
                assertThat(find(archive, r.sid() + ".wav")).hasBinaryContent(r.bytes(Format.WAV));
                assertThat(api.requestCount(r.url(Format.WAV).getPath())).isEqualTo(1);
            }
            assertThat(api.requestCount(forged.jsonUrl().getPath())).isZero();
            assertThat(run.all()).doesNotContain(KEY);
        }
    }

    static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("listen did not start");
    }

    static long sidecars(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".json")).count();
        } catch (java.io.UncheckedIOException raced) {
            return 0;
        }
    }

    static Path find(Path root, String name) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }
}
