package dev.laml.recordings.s3;

import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URI;

/**
 * A real S3 server a test runs against: S3Proxy 3.3 in this JVM ({@link S3ProxyServer}, S3's additional checksums
 * checked) or S3Proxy 2.9.0 in a child JVM ({@link LegacyS3Proxy}, which answers them with 501 NotImplemented).
 * Both check AWS signatures against {@link S3ProxyServer#ACCESS_KEY}/{@link S3ProxyServer#SECRET_KEY}.
 */
public interface S3Store extends AutoCloseable {

    /** Starts the store {@code name} names: {@code "s3proxy-3.3"} or {@code "s3proxy-2.9"}. */
    static S3Store start(String name) {
        return switch (name) {
            case "s3proxy-3.3" -> S3ProxyServer.start();
            case "s3proxy-2.9" -> LegacyS3Proxy.start();
            default -> throw new IllegalArgumentException("no such store: " + name);
        };
    }

    /** {@code http://127.0.0.1:port}. */
    URI endpoint();

    /** Whether it implements S3's additional checksums ({@code x-amz-checksum-sha256} and the others). */
    boolean implementsChecksums();

    /** A path-style client of this store with the SDK's defaults otherwise (checksums included). */
    S3AsyncClient client(ExecutionInterceptor... interceptors);

    /** A client of the store through {@code endpoint} (a recording proxy in front of it, say). */
    S3AsyncClient client(URI endpoint, ExecutionInterceptor... interceptors);

    /** Stops serving (connections refused) while keeping what it stores, as a crashed or restarting store does. */
    void stop();

    /** Serves again on the same port from the same storage, as a new server process would. */
    void restart();

    @Override
    void close();
}
