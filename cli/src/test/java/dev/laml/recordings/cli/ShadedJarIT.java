package dev.laml.recordings.cli;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runnable jar as users run it, in its own JVM: {@code java -jar target/recordings.jar demo}. Runs in the
 * {@code integration-test} phase, after the shade plugin built the jar (see cli/pom.xml).
 *
 * <p>What only this catches: a shade filter that drops netty-tcnative's {@code META-INF/native} libraries, or the
 * BouncyCastle classes the testkit generates its certificate with. The client would then quietly fall back to the
 * JDK's TLS, or the demo would not start; the in-process tests would not notice either.
 */
class ShadedJarIT {

    @TempDir
    Path dir;

    @Test
    void theDemoRunsFromTheShadedJarOverHttpsWithTheSameTlsEngineAsTheTests() throws IOException, InterruptedException {
        String built = System.getProperty("recordings.jar");
        // Set only by the integration-test execution: run by name in the test phase (-Dtest=ShadedJarIT), the jar
        // would not be built yet, or be a stale one.
        assumeTrue(built != null, "runs in the integration-test phase, after the shade plugin");
        Path jar = Path.of(built);
        assertThat(jar).as("built by the package phase").exists();
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "demo", "--recordings", "3", "--concurrency", "3")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        boolean ended = demo.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            demo.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String report = "stdout:\n" + stdout + "\nstderr:\n" + Files.readString(err, StandardCharsets.UTF_8);

        assertThat(ended).as(report).isTrue();
        assertThat(demo.exitValue()).as(report).isZero();
        assertThat(stdout).as(report).contains("https://127.0.0.1:",
                "(TLS: " + engineOfTheTests() + ", trusting only this demo's certificate).",
                "All 3 recordings verified");
    }

    /** OpenSSL wherever netty-tcnative loads in this JVM (it does on the platforms the jar ships it for). */
    private static String engineOfTheTests() {
        try (RecordingsClient probe = RecordingsClient.builder().baseUrl(URI.create("https://127.0.0.1:1")).build()) {
            // The CLI names the engine in words.
            return probe.tlsEngine() == TlsEngine.OPENSSL ? "OpenSSL" : "JDK";
        }
    }
}
