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
    private HttpClient statsClient;

    private ForkedServer(Process process, int port) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.baseUrl = URI.create("http://127.0.0.1:" + port);
    }

    static ForkedServer start(int threads, boolean countWrites) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Xms256m", "-Xmx256m", "-XX:MaxDirectMemorySize=512m", "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"),
                LoopbackServer.class.getName(), "--threads", Integer.toString(threads)));
        if (countWrites) {
            cmd.add("--count-writes");
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
            return new ForkedServer(p, Integer.parseInt(line.substring("LISTENING ".length()).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public long bytesWritten() {
        return stats()[0];
    }

    @Override
    public long connectionsAccepted() {
        return stats()[1];
    }

    private synchronized long[] stats() {
        if (statsClient == null) {
            statsClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }
        try {
            HttpResponse<String> r = statsClient.send(HttpRequest.newBuilder(baseUrl.resolve("/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String[] parts = r.body().trim().split(" ");
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
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
