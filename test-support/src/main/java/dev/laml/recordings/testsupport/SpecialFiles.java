package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * FIFOs, device nodes and the process umask for tests of what a writer does with them: made with the system's own
 * {@code mkfifo}, {@code mknod} and {@code sh}, since the JDK can make none of them.
 *
 * <p>Stateless and thread-safe; arguments are never null.
 */
public final class SpecialFiles {

    private static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFREG = 0100000;

    private SpecialFiles() {
    }

    /** Makes a FIFO at {@code path}; fails the test if that is impossible here. */
    public static Path mkfifo(Path path) throws IOException, InterruptedException {
        run("mkfifo", path.toString());
        return path;
    }

    /**
     * A writable character device {@code major:minor} (1:3 is null, 1:7 is full) made at {@code path}; or, where this
     * process may not make one or the file system refuses devices ({@code nodev}), the system's own {@code fallback}
     * ({@code /dev/null}), checked to be a device that opens for writing. A test asserts the same either way.
     */
    public static Path characterDevice(Path path, int major, int minor, Path fallback)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mknod", path.toString(), "c", String.valueOf(major), String.valueOf(minor))
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && opensForWriting(path)) {
            return path;
        }
        Files.deleteIfExists(path);
        if (type(fallback) != S_IFCHR || !opensForWriting(fallback)) {
            throw new AssertionError("neither mknod nor " + fallback + " gives a writable character device here");
        }
        return fallback;
    }

    private static boolean opensForWriting(Path device) {
        try (FileChannel ignored = FileChannel.open(device, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The file-type bits of {@code path}'s mode, not following a link ({@link #S_IFIFO}, {@link #S_IFCHR}, ...). */
    public static int type(Path path) throws IOException {
        return ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & S_IFMT;
    }

    /** The permission bits of {@code path}'s mode (following links), e.g. {@code 0644}. */
    public static int permissions(Path path) throws IOException {
        return ((Integer) Files.getAttribute(path, "unix:mode")) & 07777;
    }

    /** This process's umask, as the shell it starts inherits it, e.g. {@code 022}. */
    public static int umask() throws IOException, InterruptedException {
        return Integer.parseInt(run("sh", "-c", "umask").strip(), 8);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
