package dev.laml.recordings.benchmarks.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of this jar run in a child JVM (this JVM's {@code java} and class path), so that its heap, direct
 * memory, GC and CPU are not the benchmark's. The child speaks a small line protocol on its standard output:
 * {@code LISTENING <port>}, then any number of lines (what the parent needs to know: credentials, a manifest), then
 * {@code READY}. It exits when its standard input closes ({@link #awaitParentExit()}), so it never outlives the
 * parent, and whatever it prints on standard error shows in the parent's.
 *
 * <p>Not thread-safe; start and close it from one thread.
 */
public final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final OutputStream stdin;
    private final int port;
    private final List<String> lines;

    private ChildProcess(Process process, int port, List<String> lines) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.port = port;
        this.lines = List.copyOf(lines);
    }

    /**
     * Starts {@code main} with these JVM options and arguments and waits for its {@code READY} (at most 5 minutes:
     * generating gigabytes of test audio takes a while on a busy machine).
     */
    public static ChildProcess start(Class<?> main, List<String> jvmOptions, List<String> args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null || !first.startsWith("LISTENING ")) {
                throw new IllegalStateException(main.getSimpleName() + " did not start: " + first);
            }
            int port = Integer.parseInt(first.substring("LISTENING ".length()).trim());
            List<String> lines = new ArrayList<>();
            for (String line = out.readLine(); !"READY".equals(line); line = out.readLine()) {
                if (line == null) {
                    throw new IllegalStateException(main.getSimpleName() + " exited before READY");
                }
                lines.add(line);
            }
            // Nothing more is read: a child prints nothing after READY.
            return new ChildProcess(p, port, lines);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The port the child listens on, 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The lines the child printed between {@code LISTENING} and {@code READY}. */
    public List<String> lines() {
        return lines;
    }

    /** The first line starting with {@code key + " "}, without that key; null if none. */
    public String value(String key) {
        for (String line : lines) {
            if (line.startsWith(key + " ")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** CPU time the child has used so far, in nanoseconds (-1 if the platform cannot tell). */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Closes the child's standard input and waits for it to exit (60 s: a store deletes its files; then it is killed). */
    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException ignored) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** In the child: blocks until the parent closes our standard input (or dies). */
    public static void awaitParentExit() {
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // the parent never writes; anything it does is ignored
            }
        } catch (IOException ignored) {
            // the parent is gone
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + process.pid() + ", port " + port + "]";
    }
}
