package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.TestBodies;
import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.Settings;
import dev.laml.recordings.s3.internal.S3Upload.Uploaded;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URI;
import java.time.Duration;

/**
 * Uploads a generated body of unknown length into an S3 endpoint and prints its SHA-256: run by
 * {@link SmallHeapUploadTest} in a JVM with a heap far smaller than the body.
 *
 * <p>Arguments: endpoint, bucket, key, length, part size, parts in flight, and optionally the
 * integrity mode (AUTO, SHA256, MD5, NONE; default SHA256). Also prints how much
 * more heap is reachable after the upload than before it (after a small warm-up upload, each
 * measured after full collections): what the upload left behind.
 */
public final class SmallHeapUpload {

    public static void main(String[] args) throws InterruptedException {
        URI endpoint = URI.create(args[0]);
        long length = Long.parseLong(args[3]);
        try (S3AsyncClient s3 = S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                .build()) {
            S3Upload upload = new S3Upload(s3, Settings.defaults()
                    .withPartSize(Integer.parseInt(args[4]))
                    .withPartsInFlight(Integer.parseInt(args[5])));
            Integrity integrity = new Integrity(Integrity.Mode.valueOf(args.length > 6 ? args[6] : "SHA256"),
                    notice -> System.out.println("notice: " + notice));
            upload.upload(Destination.of(args[1], args[2] + ".warm-up"), TestBodies.body(1024), -1, integrity)
                    .block(Duration.ofMinutes(1));
            long before = reachableHeap();
            Uploaded uploaded = upload.upload(Destination.of(args[1], args[2]), TestBodies.body(length), -1,
                            integrity)
                    .block(Duration.ofMinutes(3));
            long retained = reachableHeap() - before;
            System.out.println("sha256=" + uploaded.sha256() + " parts=" + uploaded.parts()
                    + " check=" + uploaded.check().wireName()
                    + " retainedKiB=" + retained / 1024 + " maxHeap=" + Runtime.getRuntime().maxMemory());
        }
    }

    private static long reachableHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
