package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.LegacyS3Proxy;
import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.S3Store;
import dev.laml.recordings.s3.TestBodies;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory bound as the JVM sees it, in a JVM of its own (the uploader only; S3Proxy stays in
 * the test's JVM).
 */
class SmallHeapUploadTest {

    static final String HEAP = "64m";
    static final long LENGTH = 256L * 1024 * 1024;
    static final int MIB_8 = 8 * 1024 * 1024;

    /**
     * 256 MiB of unknown length through a {@value #HEAP} heap (direct memory capped alike) with
     * two 8 MiB parts. About 18 MiB of that heap is the JVM, the SDK and the test class path's
     * jar indexes, so an uploader that gathered the object, or held parts in 8 MiB arrays (G1
     * humongous regions fragment such a heap; measured: out of memory at 64 MiB), dies here.
     */
    @Test
    void aBodyFourTimesTheHeapStreamsThrough() throws IOException, InterruptedException {
        String output = uploadInOwnJvm(HEAP, LENGTH, MIB_8, 2);

        assertThat(output).contains("sha256=" + TestBodies.sha256(LENGTH) + " parts=32");
    }

    /**
     * The same on the MD5 path, against a store without S3's additional checksums (S3Proxy 2.9.0): the warm-up upload
     * is refused for its SHA-256 and sent again with Content-MD5, and every part of the big one then computes its MD5
     * as its blocks arrive, in the same 64 MiB.
     */
    @Test
    void onTheMd5PathOfAStoreWithoutChecksumsTooABodyFourTimesTheHeapStreamsThrough()
            throws IOException, InterruptedException {
        String output;
        try (S3Store legacy = LegacyS3Proxy.start()) {
            output = uploadInOwnJvm(legacy, HEAP, LENGTH, MIB_8, 2, "AUTO");
        }

        assertThat(output).contains("sha256=" + TestBodies.sha256(LENGTH) + " parts=32 check=md5")
                .contains("notice: ");
    }

    /**
     * After an upload, nothing of it stays reachable: in particular not the last part each idle
     * connection of the SDK's Netty client sent (see {@link ReleasableBody}; measured without it:
     * 16 MiB retained, one 16 MiB part).
     */
    @Test
    void anUploadLeavesNoPartReachableAfterIt() throws IOException, InterruptedException {
        int partSize = 2 * MIB_8;
        String output = uploadInOwnJvm("256m", 4L * partSize, partSize, 2);

        Matcher retained = Pattern.compile("retainedKiB=(-?\\d+)").matcher(output);
        assertThat(retained.find()).as(output).isTrue();
        assertThat(Long.parseLong(retained.group(1)) * 1024).as(output).isLessThan(partSize / 2);
    }

    static String uploadInOwnJvm(String heap, long length, int partSize, int partsInFlight)
            throws IOException, InterruptedException {
        try (S3ProxyServer server = S3ProxyServer.start()) {
            return uploadInOwnJvm(server, heap, length, partSize, partsInFlight, "SHA256");
        }
    }

    static String uploadInOwnJvm(S3Store server, String heap, long length, int partSize, int partsInFlight,
            String integrity) throws IOException, InterruptedException {
        try (S3AsyncClient s3 = server.client()) {
            s3.createBucket(b -> b.bucket("small-heap")).join();
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(List.of(java.toString(),
                    "-Xmx" + heap, "-XX:MaxDirectMemorySize=" + heap, "-XX:+ExitOnOutOfMemoryError",
                    "-cp", classpath, SmallHeapUpload.class.getName(),
                    server.endpoint().toString(), "small-heap", "big.wav", Long.toString(length),
                    Integer.toString(partSize), Integer.toString(partsInFlight), integrity))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        }
    }
}
