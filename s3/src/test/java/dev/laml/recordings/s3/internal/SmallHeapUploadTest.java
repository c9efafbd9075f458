package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.TestBodies;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory bound as the JVM sees it: 256 MiB of unknown length go through an uploader running
 * in its own JVM with a {@value #HEAP} heap (direct memory capped alike), which holds two 8 MiB
 * parts. About 18 MiB of that heap is the JVM, the SDK and the test class path's jar indexes, so
 * an uploader that gathered the object, held parts in 8 MiB arrays (G1 humongous regions
 * fragment such a heap), or let the SDK's idle connections keep their last part (see
 * {@link ReleasableBody}) dies here of {@link OutOfMemoryError}: each of those did, at 64 MiB.
 */
class SmallHeapUploadTest {

    static final String HEAP = "64m";
    static final long LENGTH = 256L * 1024 * 1024;

    @Test
    void aBodyFourTimesTheHeapStreamsThrough() throws IOException, InterruptedException {
        try (S3ProxyServer server = S3ProxyServer.start(); S3AsyncClient s3 = server.client()) {
            s3.createBucket(b -> b.bucket("small-heap")).join();
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(List.of(java.toString(),
                    "-Xmx" + HEAP, "-XX:MaxDirectMemorySize=" + HEAP, "-XX:+ExitOnOutOfMemoryError",
                    "-cp", classpath, SmallHeapUpload.class.getName(),
                    server.endpoint().toString(), "small-heap", "big.wav", Long.toString(LENGTH),
                    Integer.toString(8 * 1024 * 1024), "2"))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();

            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).contains("sha256=" + TestBodies.sha256(LENGTH) + " parts=32");
        }
    }
}
