package dev.laml.recordings.benchmarks.server;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The recordings an archive benchmark archives: a testkit {@link RecordingsServer} in a child JVM (its direct
 * memory holds every recording's bytes, gigabytes for the memory check, none of it the client's), one account per
 * shape {@code COUNTxSIZE}, each recording a distinct WAV of exactly {@code SIZE} bytes (its MP3 empty), created a
 * few minutes apart so that they spread over a few day directories. Parent side: {@link #start(List)}.
 *
 * <p>Child protocol (see {@link ChildProcess}): {@code CREDENTIALS projectId apiToken}, then per shape
 * {@code SHAPE COUNTxSIZE accountSid} followed by one {@code R sid size sha256 yyyy/MM/dd} per recording (the testkit's own
 * SHA-256 of what it serves, which the benchmarks compare archived copies with).
 */
public final class ArchiveSource implements AutoCloseable {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /**
     * A recording the source serves: what an archived copy must hold, and where the archive puts it
     * ({@code day/sid.wav} and {@code day/sid.json}, day {@code yyyy/MM/dd}).
     */
    public record Expected(String sid, long size, String sha256, String day) {
    }

    /** One shape's account and its recordings. */
    public record Shape(String name, int count, long size, String accountSid, List<Expected> recordings) {
        public long bytes() {
            return count * size;
        }
    }

    private final ChildProcess child;
    private final URI baseUrl;
    private final String projectId;
    private final String apiToken;
    private final Map<String, Shape> shapes;

    private ArchiveSource(ChildProcess child) {
        this.child = child;
        this.baseUrl = URI.create("http://127.0.0.1:" + child.port());
        String[] credentials = child.value("CREDENTIALS").split(" ");
        this.projectId = credentials[0];
        this.apiToken = credentials[1];
        Map<String, Shape> parsed = new LinkedHashMap<>();
        String name = null;
        String account = null;
        List<Expected> current = null;
        for (String line : child.lines()) {
            String[] f = line.split(" ");
            if (f[0].equals("SHAPE")) {
                if (name != null) {
                    parsed.put(name, shape(name, account, current));
                }
                name = f[1];
                account = f[2];
                current = new ArrayList<>();
            } else if (f[0].equals("R")) {
                current.add(new Expected(f[1], Long.parseLong(f[2]), f[3], f[4]));
            }
        }
        if (name != null) {
            parsed.put(name, shape(name, account, current));
        }
        this.shapes = parsed;
    }

    private static Shape shape(String name, String account, List<Expected> recordings) {
        String[] cs = name.split("x");
        return new Shape(name, Integer.parseInt(cs[0]), Long.parseLong(cs[1]), account, List.copyOf(recordings));
    }

    /**
     * Starts the child with one account per shape ({@code "200x1048576"}, ...) and waits until every recording is
     * generated.
     */
    public static ArchiveSource start(List<String> shapes) {
        long total = 0;
        for (String s : shapes) {
            String[] cs = s.split("x");
            total += Long.parseLong(cs[0]) * Long.parseLong(cs[1]);
        }
        long directMiB = total / (1 << 20) + 512;
        List<String> args = new ArrayList<>();
        for (String s : shapes) {
            args.add("--shape");
            args.add(s);
        }
        return new ArchiveSource(ChildProcess.start(ArchiveSource.class,
                List.of("-Xms512m", "-Xmx512m", "-XX:MaxDirectMemorySize=" + directMiB + "m", "-XX:+UseParallelGC",
                        "-Dio.netty.leakDetection.level=disabled"),
                args));
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public String projectId() {
        return projectId;
    }

    public String apiToken() {
        return apiToken;
    }

    public Shape shape(String name) {
        Shape s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no shape " + name + " in " + shapes.keySet());
        }
        return s;
    }

    /** CPU the child has used so far, in nanoseconds. */
    public long cpuNanos() {
        return child.cpuNanos();
    }

    @Override
    public void close() {
        child.close();
    }

    /** The child: {@code --shape COUNTxSIZE} (repeated). */
    public static void main(String[] args) {
        List<String> shapes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--shape")) {
                shapes.add(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (RecordingsServer server = RecordingsServer.start()) {
            out.println("LISTENING " + server.port());
            out.println("CREDENTIALS " + server.projectId() + " " + server.apiToken());
            long seed = 1;
            for (String shape : shapes) {
                String[] cs = shape.toLowerCase(Locale.ROOT).split("x");
                int count = Integer.parseInt(cs[0]);
                long size = Long.parseLong(cs[1]);
                String account = UUID.nameUUIDFromBytes(("bench-archive:" + shape).getBytes(StandardCharsets.UTF_8))
                        .toString();
                out.println("SHAPE " + shape + " " + account);
                for (int i = 0; i < count; i++) {
                    OffsetDateTime created = T0.plusMinutes(7L * i);
                    TestRecording r = server.addRecording(RecordingSpec.create()
                            .accountSid(account)
                            .seed(seed++)
                            .size(Format.WAV, size)
                            .size(Format.MP3, 0)
                            .dateCreated(created));
                    out.println("R " + r.sid() + " " + r.size(Format.WAV) + " " + r.sha256(Format.WAV) + " "
                            + String.format(Locale.ROOT, "%04d/%02d/%02d", created.getYear(), created.getMonthValue(),
                            created.getDayOfMonth()));
                }
            }
            out.println("READY");
            out.flush();
            ChildProcess.awaitParentExit();
        }
        System.exit(0);
    }
}
