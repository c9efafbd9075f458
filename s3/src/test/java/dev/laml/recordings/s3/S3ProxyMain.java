package dev.laml.recordings.s3;

import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;

/**
 * Runs {@link S3ProxyServer} in a JVM of its own, so that a measurement's JVM holds only the
 * client: prints the endpoint, creates the buckets named as arguments, and stops when its
 * standard input closes.
 */
public final class S3ProxyMain {

    public static void main(String[] args) throws IOException {
        try (S3ProxyServer server = S3ProxyServer.start(); S3AsyncClient s3 = server.client()) {
            for (String bucket : args) {
                s3.createBucket(b -> b.bucket(bucket)).join();
            }
            System.out.println(server.endpoint());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input
            }
        }
    }
}
