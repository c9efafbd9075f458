package dev.laml.recordings.benchmarks.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link LoopbackServer} in a child JVM started from this JVM's own {@code java} and class path.
 * The child exits when its standard input closes, so it never outlives this process.
 */
final class ForkedServer implements BenchServer {

    private final Process process;
    private final OutputStream stdin;
    private final URI baseUrl;
    private final String certificatePem;
    private HttpClient statsClient;

    private ForkedServer(Process process, int port, String certificatePem) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.certificatePem = certificatePem;
        this.baseUrl = URI.create((certificatePem == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    static ForkedServer start(int threads, boolean countWrites, Tls tls) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Xms256m", "-Xmx256m", "-XX:MaxDirectMemorySize=2g", "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"),
                LoopbackServer.class.getName(), "--threads", Integer.toString(threads)));
        if (countWrites) {
            cmd.add("--count-writes");
        }
        if (tls != Tls.OFF) {
            cmd.add("--tls");
            cmd.add(tls.arg());
        }
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("LISTENING ")) {
                p.destroyForcibly();
                throw new IllegalStateException("loopback server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring("LISTENING ".length()).trim());
            String pem = null;
            if (tls != Tls.OFF) {
                // The child hands over the certificate it generated, so that clients trust exactly it.
                String cert = out.readLine();
                if (cert == null || !cert.startsWith("CERTIFICATE ")) {
                    p.destroyForcibly();
                    throw new IllegalStateException("loopback server sent no certificate: " + cert);
                }
                pem = new String(Base64.getDecoder().decode(cert.substring("CERTIFICATE ".length()).trim()),
                        StandardCharsets.US_ASCII);
            }
            return new ForkedServer(p, port, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    @Override
    public String certificatePem() {
        return certificatePem;
    }

    @Override
    public long[] stats() {
        String[] parts = get("/stats").trim().split(" ");
        long[] stats = new long[4];
        for (int i = 0; i < Math.min(parts.length, stats.length); i++) {
            stats[i] = Long.parseLong(parts[i]);
        }
        return stats;
    }

    @Override
    public String tlsSummary() {
        return get("/tls");
    }

    private synchronized String get(String path) {
        if (statsClient == null) {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
            if (certificatePem != null) {
                b.sslContext(trust().sslContext());
            }
            statsClient = b.build();
        }
        try {
            return statsClient.send(HttpRequest.newBuilder(baseUrl.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException ignored) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ForkedServer[pid " + process.pid() + ", " + baseUrl + "]";
    }
}
