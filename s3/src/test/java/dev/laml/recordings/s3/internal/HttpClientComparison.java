package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.TestBodies;
import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.Settings;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Measures upload throughput into an S3 endpoint with the SDK's two async HTTP clients, Netty
 * NIO and CRT, through {@link S3Upload}: not a test (nothing asserts), a program whose output
 * README.md records. Run S3Proxy in another JVM ({@link dev.laml.recordings.s3.S3ProxyMain}) so
 * that this process's CPU time is the client's alone.
 *
 * <p>Arguments: endpoint, rounds. Each round runs every scenario with each client, the clients
 * alternating, so that drift in a shared machine's load hits both alike.
 */
public final class HttpClientComparison {

    static final int MIB = 1024 * 1024;

    record Scenario(String name, int objects, long objectSize, long declaredLength, int concurrency) {
    }

    record Client(String name, Supplier<SdkAsyncHttpClient> http) {
    }

    public static void main(String[] args) {
        URI endpoint = URI.create(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<Scenario> scenarios = List.of(
                new Scenario("64 x 8 MiB, single PUT, 4 at once", 64, 8L * MIB, 8L * MIB, 4),
                new Scenario("8 x 64 MiB, multipart (unknown length), 2 at once", 8, 64L * MIB, -1, 2));
        List<Client> clients = List.of(
                new Client("netty-nio", () -> NettyNioAsyncHttpClient.builder().build()),
                new Client("crt", () -> AwsCrtAsyncHttpClient.builder().build()));

        System.out.printf(Locale.ROOT, "%s, %d cores, JDK %s%n", System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<String> lines = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            for (Scenario scenario : scenarios) {
                for (Client client : clients) {
                    String line = run(endpoint, scenario, client, round);
                    if (round > 0) { // round 0 warms up
                        lines.add(line);
                        System.out.println(line);
                    }
                }
            }
        }
    }

    static String run(URI endpoint, Scenario scenario, Client client, int round) {
        try (S3AsyncClient s3 = S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(client.http().get())
                .build()) {
            S3Upload upload = new S3Upload(s3, Settings.defaults());
            String prefix = client.name() + "/" + round + "/";
            long cpuBefore = processCpuNanos();
            long start = System.nanoTime();
            Flux.range(0, scenario.objects())
                    .flatMap(i -> upload.upload(Destination.of("bench", prefix + i),
                            TestBodies.body(scenario.objectSize()), scenario.declaredLength()), scenario.concurrency())
                    .blockLast(Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
            long bytes = scenario.objects() * scenario.objectSize();
            Flux.range(0, scenario.objects())
                    .flatMap(i -> upload.delete("bench", prefix + i), 8)
                    .blockLast(Duration.ofMinutes(1));
            return String.format(Locale.ROOT, "round %d  %-9s  %-52s  %7.1f MB/s  %5.2f s  client CPU %5.2f s (%4.2f s/GB)",
                    round, client.name(), scenario.name(), bytes / seconds / 1e6, seconds, cpuSeconds,
                    cpuSeconds / (bytes / 1e9));
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
