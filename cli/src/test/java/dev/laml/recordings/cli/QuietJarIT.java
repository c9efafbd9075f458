package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runnable jar in its own JVM, where only its own class path decides what is logged: no SLF4J notice, no JVM
 * warning, a library's warning as one line, and the commands {@code serve} prints working when pasted into a shell.
 * Runs in the {@code integration-test} phase, after the shade plugin (see cli/pom.xml and ShadedJarIT).
 */
class QuietJarIT {

    static final String PROJECT = "5b0c1a4e-2f3d-4e5a-8b6c-7d8e9f0a1b2c";
    static final String TOKEN = "PTquiet-jar-token-0c9d";

    static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void theJarIsBuilt() {
        String built = System.getProperty("recordings.jar");
        assumeTrue(built != null, "runs in the integration-test phase, after the shade plugin");
        jar = Path.of(built);
        assertThat(jar).as("built by the package phase").exists();
    }

    @Test
    void theManifestEnablesNativeAccessForJava24AndLater() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
                    .isEqualTo("ALL-UNNAMED");
        }
    }

    @Test
    void listPrintsItsRowsAndNothingOnStderr() throws Exception {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            TestRecording recording = server.addRecording();

            Run list = run(java(), List.of(), "list", "--base-url", server.baseUrl().toString());

            assertThat(list.exit).as(list.toString()).isZero();
            assertThat(list.stdout).contains(recording.sid());
            assertThat(list.stderr).as(list.toString()).isEmpty();
        }
    }

    @Test
    void theDemoOnJava25PrintsNoWarning() throws Exception {
        Path java25 = Path.of(System.getProperty("java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        // .ci/run requires this JDK and runs the same check; here it is skipped where the JDK is not installed.
        assumeTrue(Files.isExecutable(java25), "no Java 25 at " + java25);

        Run demo = run(java25.toString(), List.of(), "demo", "--recordings", "2", "--concurrency", "2");

        assertThat(demo.exit).as(demo.toString()).isZero();
        assertThat(demo.stderr).as(demo.toString()).doesNotContain("WARNING", "SLF4J", "warning");
    }

    @Test
    void aLibraryWarningIsPrintedAsOneLine() throws Exception {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            server.addRecording();
            // A real warning of Netty's, logged as soon as it allocates a buffer: a deprecated system property.
            Run list = run(java(), List.of("-Dio.netty.noResourceLeakDetection=false"),
                    "list", "--base-url", server.baseUrl().toString());

            assertThat(list.exit).as(list.toString()).isZero();
            assertThat(list.stderr).as(list.toString()).isEqualTo("recordings: warning: "
                    + "-Dio.netty.noResourceLeakDetection is deprecated. Use '-Dio.netty.leakDetection.level=disabled'"
                    + " instead.\n");
        }
    }

    @Test
    void aDownloadResumedAfterAResetSaysOnlyThatItSaved() throws Exception {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            TestRecording recording = server.addRecording(RecordingSpec.create().size(Format.MP3, 4 * 1024 * 1024));
            server.enqueueFault(Fault.resetAfterBytes(100_000));
            Path target = dir.resolve("resumed.mp3");

            Run download = run(java(), List.of(), "download", "--base-url", server.baseUrl().toString(),
                    "--sid", recording.sid(), "--format", "mp3", "-o", target.toString());

            assertThat(download.exit).as(download.toString()).isZero();
            assertThat(target).hasBinaryContent(recording.bytes(Format.MP3));
            assertThat(server.requestCount(recording.url(Format.MP3).getPath())).as("resumed").isEqualTo(2);
            assertThat(download.stderr).as(download.toString()).startsWith("recordings: saved ").hasLineCount(1);
        }
    }

    @Test
    void aRefusedConnectionIsOneLineOnStderrWithoutTheLibrariesRepeatingIt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Run list = run(java(), List.of(), "list", "--base-url", "http://127.0.0.1:" + closed, "--attempts", "2");

        assertThat(list.exit).as(list.toString()).isEqualTo(6);
        assertThat(list.stderr).as(list.toString()).startsWith("recordings: error: ").hasLineCount(1);
    }

    @Test
    void theCommandsServePrintsWorkPastedIntoAShell() throws Exception {
        Process serve = new ProcessBuilder(java(), "-jar", jar.toString(), "serve", "--tls", "--recordings", "1")
                .redirectError(dir.resolve("serve.err").toFile())
                .start();
        try {
            List<String> lines = new ArrayList<>();
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line.strip());
                if (line.endsWith(" list --json")) {
                    break;
                }
            }
            String tool = "java -jar " + jar.toAbsolutePath().normalize();
            List<String> pasted = lines.stream()
                    .filter(l -> l.startsWith("export ") || l.startsWith("java -jar ")).toList();
            assertThat(pasted).as(String.join("\n", lines)).hasSize(5);
            assertThat(pasted.subList(2, 5)).allMatch(l -> l.startsWith(tool + " "));

            Path work = Files.createDirectories(dir.resolve("work"));
            ProcessBuilder shell = new ProcessBuilder("sh", "-c", "set -e\n" + String.join("\n", pasted))
                    .directory(work.toFile());
            // The `java` of the pasted lines: the one running these tests, as a user's PATH would have one.
            shell.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                    + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            shell.environment().keySet().removeIf(k -> k.startsWith("SIGNALWIRE_"));
            Run pastedRun = Run.of(shell, dir);

            assertThat(pastedRun.exit).as(pastedRun.toString()).isZero();
            assertThat(work.resolve("recording.wav")).isNotEmptyFile();
            assertThat(pastedRun.stdout).contains("duration:", "\"sid\"");
            assertThat(pastedRun.stderr).contains("recordings: saved recording.wav").doesNotContain("SLF4J", "WARN");
        } finally {
            serve.destroy(); // SIGTERM: the server's shutdown hook stops it
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
        assertThat(Files.readString(dir.resolve("serve.err"))).doesNotContain("SLF4J", "WARNING");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Run run(String java, List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("SIGNALWIRE_"));
        env.put("SIGNALWIRE_PROJECT_ID", PROJECT);
        env.put("SIGNALWIRE_API_TOKEN", TOKEN);
        return Run.of(builder, dir);
    }

    /** A finished process: exit code and both streams. */
    private record Run(int exit, String stdout, String stderr) {

        static Run of(ProcessBuilder builder, Path dir) throws Exception {
            Path out = Files.createTempFile(dir, "stdout", ".txt");
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after 180 s: " + builder.command());
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }
}
