package dev.laml.recordings.s3;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real S3 server for the tests: S3Proxy in this JVM, over a filesystem blob store in a
 * temporary directory, checking AWS signatures (V2 or V4) against fixed test credentials.
 *
 * <p>The filesystem store (not the transient one) so that {@link #stop()} and {@link #restart()}
 * model a server that goes away and comes back with its data, multipart uploads in progress
 * included: a transient store would forget them, hiding exactly the orphans the tests look for.
 * {@link #restart()} binds the same port, so clients made before keep working.
 *
 * <p>Not thread-safe: start, stop and restart it from the test thread.
 */
public final class S3ProxyServer implements S3Store {

    public static final String ACCESS_KEY = "laml-test-access-key";
    public static final String SECRET_KEY = "laml-test-secret-key-0123456789abcdef";
    public static final Region REGION = Region.US_EAST_1;

    private final Path storage;
    private final boolean ignoreUnknownHeaders;
    private BlobStoreContext context;
    private S3Proxy proxy;
    private int port;

    private S3ProxyServer(Path storage, boolean ignoreUnknownHeaders) {
        this.storage = storage;
        this.ignoreUnknownHeaders = ignoreUnknownHeaders;
    }

    /** Starts a server on a free loopback port over a new, empty directory. */
    public static S3ProxyServer start() {
        return start(false);
    }

    /**
     * As {@link #start()}; with {@code ignoreUnknownHeaders}, headers S3Proxy does not implement (server-side
     * encryption, the expected bucket owner) are accepted and ignored instead of answered with 501, so that a test can
     * see them sent (through a {@link WireRecorder}).
     */
    public static S3ProxyServer start(boolean ignoreUnknownHeaders) {
        try {
            S3ProxyServer server = new S3ProxyServer(Files.createTempDirectory("s3proxy"), ignoreUnknownHeaders);
            server.startOn(0);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public boolean implementsChecksums() {
        return true;
    }

    @Override
    public S3AsyncClient client(URI endpoint, ExecutionInterceptor... interceptors) {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        o.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return "S3Proxy 3.3";
    }

    /** The directory the blob store keeps buckets in (one subdirectory per bucket). */
    public Path storage() {
        return storage;
    }

    /** A client of this server over the SDK's Netty NIO HTTP client, with {@code interceptors}. */
    @Override
    public S3AsyncClient client(ExecutionInterceptor... interceptors) {
        return client(NettyNioAsyncHttpClient.builder().build(), interceptors);
    }

    /** A client of this server over {@code http} (closed with the client). */
    public S3AsyncClient client(SdkAsyncHttpClient http, ExecutionInterceptor... interceptors) {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(http)
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        o.addExecutionInterceptor(interceptor);
                    }
                })
                .build();
    }

    /** Stops answering (connections in progress are closed); the data stays on disk. */
    @Override
    public void stop() {
        try {
            if (proxy != null) {
                proxy.stop();
                proxy = null;
            }
            if (context != null) {
                context.close();
                context = null;
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        }
    }

    /** A new server process, as far as the store is concerned, on the same port and directory. */
    @Override
    public void restart() {
        stop();
        startOn(port);
    }

    private void startOn(int requestedPort) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", storage.toString());
        context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials("local", "local") // jclouds insists; the filesystem store ignores them
                .overrides(properties)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .ignoreUnknownHeaders(ignoreUnknownHeaders)
                .build();
        try {
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        port = proxy.getPort();
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(storage)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
