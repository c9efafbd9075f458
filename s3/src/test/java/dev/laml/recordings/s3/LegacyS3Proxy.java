package dev.laml.recordings.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * S3Proxy 2.9.0, a store without S3's additional checksums: it answers any {@code x-amz-checksum-<algorithm>} header
 * with 501 NotImplemented, as several S3-compatible stores (and older releases of others) do. It checks
 * {@code Content-MD5} and AWS signatures. Filesystem blob store in a temporary directory.
 *
 * <p>Its Jetty and jclouds cannot share a classpath with S3Proxy 3.3's, so it runs as a child JVM
 * ({@code org.gaul.s3proxy.Main}) from the classpath the build resolved: the file named by the system property
 * {@code s3proxy.legacy.classpath}, written by the module's {@code maven-antrun-plugin} execution. The child dies
 * with {@link #close()}, and with this JVM (its standard input is this JVM's pipe, and it is destroyed by a shutdown
 * hook).
 *
 * <p>With {@code -Ds3proxy.legacy.showLog=true} in the test JVM, the child's log (which names each header it refused)
 * is printed when it is closed.
 *
 * <p>Not thread-safe: start and close it from the test thread; clients may be used from any thread.
 */
public final class LegacyS3Proxy implements S3Store {

    /** S3Proxy 2.9.0's name for the attribute it sets last on a finished file (Java adds the {@code user.}). */
    private static final String CONTENT_MD5 = "user.content-md5";

    // Replaced by restart(); volatile because the shutdown hook reads it.
    private volatile Process process;
    private final Path dir;
    private final int port;
    private final List<String> command;
    private final Thread hook;

    private LegacyS3Proxy(Process process, Path dir, int port, List<String> command) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.command = command;
        this.hook = new Thread(() -> this.process.destroyForcibly(), "legacy-s3proxy-kill");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts S3Proxy 2.9.0 on a free loopback port and waits until it answers (at most a minute). */
    public static LegacyS3Proxy start() {
        String classpathFile = System.getProperty("s3proxy.legacy.classpath");
        if (classpathFile == null || !Files.isRegularFile(Path.of(classpathFile))) {
            throw new IllegalStateException("S3Proxy 2.9.0's classpath is not resolved (system property "
                    + "s3proxy.legacy.classpath = " + classpathFile + "): run the tests through Maven, whose "
                    + "maven-antrun-plugin execution s3proxy-2.9.0-classpath writes it");
        }
        try {
            String classpath = Files.readString(Path.of(classpathFile), StandardCharsets.UTF_8).strip();
            Path dir = Files.createTempDirectory("s3proxy-2.9");
            Path data = Files.createDirectories(dir.resolve("data"));
            IOException lastFailure = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Path properties = dir.resolve("s3proxy.conf");
                Files.writeString(properties, String.join("\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + S3ProxyServer.ACCESS_KEY,
                        "s3proxy.credential=" + S3ProxyServer.SECRET_KEY,
                        "jclouds.provider=filesystem-nio2",
                        "jclouds.filesystem.basedir=" + data.toString().replace("\\", "\\\\"),
                        ""), StandardCharsets.UTF_8);
                Path log = dir.resolve("s3proxy-" + attempt + ".log");
                // S3Proxy 2.9.0 ships no logback.xml, so logback's default (everything at DEBUG) buries the one line
                // that explains a 500 under Jetty's selector chatter: S3Proxy's own log and warnings only.
                Path logback = dir.resolve("logback.xml");
                Files.writeString(logback, String.join("\n",
                        "<configuration>",
                        "  <appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                        "    <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n</pattern></encoder>",
                        "  </appender>",
                        "  <logger name=\"org.gaul.s3proxy\" level=\"DEBUG\"/>",
                        "  <root level=\"WARN\"><appender-ref ref=\"out\"/></root>",
                        "</configuration>",
                        ""), StandardCharsets.UTF_8);
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                        "-Dlogback.configurationFile=" + logback, "-cp", classpath,
                        "org.gaul.s3proxy.Main", "--properties", properties.toString());
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                if (awaitPort(p, port)) {
                    return new LegacyS3Proxy(p, dir, port, command);
                }
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                lastFailure = new IOException("S3Proxy 2.9.0 did not start on port " + port + ": "
                        + tail(log));
            }
            throw new UncheckedIOException(lastFailure);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean awaitPort(Process p, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 20000 ? s.substring(s.length() - 20000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public boolean implementsChecksums() {
        return false;
    }

    @Override
    public S3AsyncClient client(ExecutionInterceptor... interceptors) {
        return client(endpoint(), interceptors);
    }

    @Override
    public S3AsyncClient client(URI endpoint, ExecutionInterceptor... interceptors) {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        o.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    /** What the child wrote (its log), for a failing test's message. */
    public String log() {
        try (Stream<Path> logs = Files.list(dir)) {
            return logs.filter(f -> f.getFileName().toString().endsWith(".log")).sorted()
                    .reduce((a, b) -> b).map(LegacyS3Proxy::tail).orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the child (as a crash would): connections are cut and refused; the data directory stays. */
    @Override
    public void stop() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A new child on the same port and data directory, waited for as at start (at most a minute), after removing the
     * temporary files a killed S3Proxy 2.9.0 leaves behind (see {@link #removeCrashDebris()}).
     */
    @Override
    public void restart() {
        stop();
        try {
            removeCrashDebris();
            Path log = dir.resolve("s3proxy-restart-" + System.nanoTime() + ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process = p;
            if (!awaitPort(p, port)) {
                throw new IllegalStateException("S3Proxy 2.9.0 did not restart on port " + port + ": " + tail(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes the files a killed S3Proxy 2.9.0 can leave in its data directory, and returns how many.
     *
     * <p>Its filesystem store ({@code AbstractNio2BlobStore.putBlob}) writes an object, or a part of a multipart upload,
     * to {@code <name>-<uuid>} beside its final name, then sets the {@code user.content-md5} extended attribute, then
     * renames it. Killed in between, the temporary file stays without that attribute, and every later listing whose
     * prefix covers it fails: {@code listHelper} reads the attribute of each file it lists, unguarded, so
     * ListMultipartUploads (prefix {@code .mpus-}) answers 500 for good. A real S3 has no such state; a store's own
     * debris is its operator's to clear, as this does. {@link LegacyS3ProxyTest} shows the 500 and the cure.
     */
    int removeCrashDebris() throws IOException {
        Path data = dir.resolve("data");
        List<Path> debris;
        try (Stream<Path> files = Files.walk(data)) {
            debris = files.filter(Files::isRegularFile).filter(f -> !hasContentMd5(f)).toList();
        }
        for (Path f : debris) {
            Files.deleteIfExists(f);
        }
        return debris.size();
    }

    private static boolean hasContentMd5(Path file) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        try {
            return view == null || view.list().contains(CONTENT_MD5);
        } catch (IOException e) {
            return true; // unreadable is not proof of debris: keep it
        }
    }

    /** Test hook: a file in the data directory as a kill between write and rename leaves it (no attributes). */
    Path writeDebris(String bucket, String name) throws IOException {
        Path file = dir.resolve("data").resolve(bucket).resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[] {1, 2, 3});
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("s3proxy.legacy.showLog")) {
            System.err.println(log());
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "S3Proxy 2.9.0";
    }
}
