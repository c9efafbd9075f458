package dev.laml.recordings.benchmarks.server;

import dev.laml.recordings.s3.S3ProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The S3 server of the archive benchmarks: the s3 module's {@link S3ProxyServer} (S3Proxy 3.3.0 over a filesystem
 * blob store in a temporary directory of its own, AWS signatures checked, the SHA-256 checksum or the Content-MD5 of
 * every PUT and part verified) run in a child JVM, so that its heap, GC and CPU are not the client's. A local emulator: its costs are
 * Jetty's, jclouds' and this machine's disk, not AWS's.
 *
 * <p>Child protocol (see {@link ChildProcess}): {@code STORAGE <dir>} (one subdirectory per bucket, one file per
 * key), then {@code READY}. The directory is deleted when the child exits.
 */
public final class S3ProxyChild implements AutoCloseable {

    private final ChildProcess child;
    private final Path storage;

    private S3ProxyChild(ChildProcess child) {
        this.child = child;
        this.storage = Path.of(child.value("STORAGE"));
    }

    /** Starts S3Proxy in a child JVM ({@code -Xmx1g}), its store under {@code tmpDir} (null: the JVM's default). */
    public static S3ProxyChild start(Path tmpDir) {
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"));
        if (tmpDir != null) {
            jvm.add("-Djava.io.tmpdir=" + tmpDir);
        }
        return new S3ProxyChild(ChildProcess.start(S3ProxyChild.class, jvm, List.of()));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + child.port());
    }

    /** Where the store keeps bucket {@code b}'s key {@code k}: {@code storage/b/k}. */
    public Path storage() {
        return storage;
    }

    /** CPU the child has used so far, in nanoseconds. */
    public long cpuNanos() {
        return child.cpuNanos();
    }

    /**
     * A client of this server (path-style, fixed test credentials) over the SDK's Netty NIO client ({@code "netty"})
     * or its CRT client ({@code "crt"}), each with the SDK's defaults (50 connections at most), as an application
     * that names no settings gets them.
     */
    public S3AsyncClient client(String http) {
        return client(http, new ExecutionInterceptor[0]);
    }

    /** {@link #client(String)} with these interceptors (e.g. {@link ChecksumHeaders}). */
    public S3AsyncClient client(String http, ExecutionInterceptor... interceptors) {
        SdkAsyncHttpClient h = switch (http) {
            case "netty" -> NettyNioAsyncHttpClient.builder().build();
            case "crt" -> AwsCrtAsyncHttpClient.builder().build();
            default -> throw new IllegalArgumentException("http client must be netty or crt: " + http);
        };
        return S3AsyncClient.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(h)
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        o.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    /** Deletes {@code bucket/prefix} from the store's directory behind S3Proxy's back (untimed clean-up). */
    public void deleteStored(String bucket, String prefix) {
        deleteTree(storage.resolve(bucket).resolve(prefix));
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        child.close();
    }

    /** The child. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (S3ProxyServer server = S3ProxyServer.start()) {
            out.println("LISTENING " + server.endpoint().getPort());
            out.println("STORAGE " + server.storage());
            out.println("READY");
            out.flush();
            ChildProcess.awaitParentExit();
        }
        System.exit(0);
    }
}
