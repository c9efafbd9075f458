package dev.laml.recordings.reactor.internal;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the bytes for a path really go, decided as curl's {@code -o} decides, and the temporary file that makes a
 * regular file appear whole.
 *
 * <ul>
 *   <li>A symbolic link is followed (through any chain of links, a dangling one included): the file it points to is
 *       what is written, in its own directory. The link itself is never replaced.</li>
 *   <li>A new path or an existing regular file is written through a hidden temporary file beside it and renamed over
 *       it atomically. The temporary file is owner-only while it is written (a half-written recording is nobody
 *       else's business); just before the rename it gets its final mode: an existing file's own mode, or for a new
 *       file the mode {@code open(O_CREAT, 0666)} would give in that directory, under the process umask (0644 under
 *       022). The JVM cannot read the umask, so the temporary file is created without a mode, exactly as such an
 *       {@code open} would create it, and the mode it got is remembered before it is narrowed to owner-only.</li>
 *   <li>A character device, FIFO or socket is written straight into, in order, as the bytes arrive: no temporary
 *       file, no rename, never replaced ({@code /dev/null} stays {@code /dev/null}).</li>
 *   <li>A directory, a block device, and a regular file that is read-only (not writable by this process, or without
 *       any write permission bit, as {@code rm} treats it even for root) are refused with an
 *       {@link IOException} naming the path; nothing is written.</li>
 * </ul>
 *
 * <p>{@code confinedTo}, when not null, is a real (symlink-free) directory the resolved file must lie below, and only
 * regular files are accepted there: an archive directory's layout must not be led elsewhere by a link.
 *
 * <p>Every method blocks (file-system calls): call them off event loops. Stateless and thread-safe.
 */
public final class TargetFile {

    /** As the kernel's own limit on links followed in one path (ELOOP). */
    private static final int MAX_LINKS = 40;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    /** What a path turned out to be. */
    enum Kind {
        /** Nothing there yet: created (through the temp file) with the umask's mode. */
        NEW,
        /** A regular file: replaced (through the temp file), keeping its mode. */
        REGULAR,
        /** A character device or FIFO: opened and written in place. */
        STREAM,
        /** A Unix domain socket: connected to and written. */
        SOCKET
    }

    /**
     * A path resolved to the file the bytes go to.
     *
     * @param path the file to write: every symlink followed, its directory a real path
     * @param kind what is there
     * @param mode for {@link Kind#REGULAR}, the mode it keeps; null otherwise or where the file system has no POSIX
     *             permissions
     */
    record Resolved(Path path, Kind kind, Set<PosixFilePermission> mode) {
        boolean streamed() {
            return kind == Kind.STREAM || kind == Kind.SOCKET;
        }
    }

    private TargetFile() {
    }

    /**
     * Resolves {@code target} as described in the class comment.
     *
     * @param confinedTo null, or the real directory the file must lie below (then only regular or new files)
     * @throws IOException naming the path when it cannot or must not be written
     */
    static Resolved resolve(Path target, Path confinedTo) throws IOException {
        Path p = target.toAbsolutePath();
        for (int links = 0; ; links++) {
            Path name = p.getFileName();
            Path parent = p.getParent();
            if (name == null || parent == null) {
                throw new FileSystemException(target.toString(), null, "is a directory");
            }
            Path dir;
            try {
                dir = parent.toRealPath();
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(parent.toString(), null, "directory does not exist");
            }
            if (!Files.isDirectory(dir)) {
                throw new FileSystemException(parent.toString(), null, "is not a directory");
            }
            p = dir.resolve(name);
            if (name.toString().equals(".") || name.toString().equals("..")) {
                throw new FileSystemException(target.toString(), null, "is a directory");
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return confined(new Resolved(p, Kind.NEW, null), target, confinedTo);
            }
            if (attributes.isSymbolicLink()) {
                BasicFileAttributes followed = null;
                try {
                    followed = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException dangling) {
                    // Points at nothing (yet): follow the link's text below, to create what it names.
                }
                if (followed != null && followed.isOther()) {
                    // A link to a device, FIFO or socket, /dev/stdout's /proc link to a pipe among them (its text,
                    // "pipe:[…]", names no path): opening the link itself reaches it, as open(2) would.
                    Kind kind = special(p, target);
                    if (confinedTo != null) {
                        throw new FileSystemException(describe(target, p), null, "is not a regular file");
                    }
                    return new Resolved(p, kind, null);
                }
                if (links == MAX_LINKS) {
                    throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
                }
                // Relative link text is relative to the link's own (real) directory, as the kernel reads it.
                p = dir.resolve(Files.readSymbolicLink(p));
                continue;
            }
            if (attributes.isDirectory()) {
                throw new FileSystemException(describe(target, p), null, "is a directory");
            }
            if (attributes.isRegularFile()) {
                Set<PosixFilePermission> mode = permissions(p);
                boolean noWriteBit = mode != null && !mode.contains(PosixFilePermission.OWNER_WRITE)
                        && !mode.contains(PosixFilePermission.GROUP_WRITE)
                        && !mode.contains(PosixFilePermission.OTHERS_WRITE);
                if (noWriteBit || !Files.isWritable(p)) {
                    throw new AccessDeniedException(describe(target, p), null, "read-only file, not replaced");
                }
                return confined(new Resolved(p, Kind.REGULAR, mode), target, confinedTo);
            }
            Kind kind = special(p, target, LinkOption.NOFOLLOW_LINKS);
            if (confinedTo != null) {
                throw new FileSystemException(describe(target, p), null, "is not a regular file");
            }
            return new Resolved(p, kind, null);
        }
    }

    private static Resolved confined(Resolved r, Path target, Path confinedTo) throws IOException {
        if (confinedTo != null && !r.path().startsWith(confinedTo)) {
            throw new FileSystemException(target.toString(), r.path().toString(),
                    "a symbolic link leads out of " + confinedTo + "; refusing to follow it");
        }
        return r;
    }

    /** A device, FIFO or socket: which, from the file-type bits where the platform exposes them. */
    private static Kind special(Path p, Path target, LinkOption... options) throws IOException {
        int type;
        try {
            type = ((Integer) Files.getAttribute(p, "unix:mode", options)) & S_IFMT;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Kind.STREAM; // no file-type bits: let opening it decide
        }
        return switch (type) {
            case S_IFCHR, S_IFIFO -> Kind.STREAM;
            case S_IFSOCK -> Kind.SOCKET;
            case S_IFBLK -> throw new FileSystemException(describe(target, p), null,
                    "is a block device; refusing to write a recording over a disk");
            default -> Kind.STREAM;
        };
    }

    /** The path as given, and where it led when a link was followed. */
    private static String describe(Path target, Path resolved) {
        return target.toAbsolutePath().equals(resolved) ? target.toString() : target + " -> " + resolved;
    }

    private static Set<PosixFilePermission> permissions(Path p) throws IOException {
        try {
            return Files.getPosixFilePermissions(p);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Creates the hidden temporary file {@code .{name}.{digits}.part} beside {@code resolved}'s file, owner-only, and
     * returns it with the mode the file must have when it is renamed into place.
     */
    static Temp createTemp(Resolved resolved) throws IOException {
        Path dir = resolved.path().getParent();
        String name = resolved.path().getFileName().toString();
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong())
                    + ".part");
            try {
                // No mode given: the file gets what open(O_CREAT, 0666) gets here (umask, default ACLs).
                Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt < 100) {
                    continue;
                }
                throw e;
            } catch (AccessDeniedException e) {
                // Name the directory the user can fix, not the hidden temporary name.
                throw new AccessDeniedException(dir.toString(), null,
                        "cannot create files in this directory (for " + resolved.path().getFileName() + ")");
            }
            try {
                Set<PosixFilePermission> natural = permissions(temp);
                if (natural != null) {
                    // Owner-only until complete; the file is still empty, so nothing was readable before this.
                    Files.setPosixFilePermissions(temp, OWNER_ONLY);
                }
                return new Temp(temp, resolved.kind() == Kind.REGULAR ? resolved.mode() : natural);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
    }

    /**
     * A temporary file and the mode it gets before the rename.
     *
     * @param finalMode null where the file system has no POSIX permissions
     */
    record Temp(Path path, Set<PosixFilePermission> finalMode) {
        /** Gives the file its final mode; call before forcing it, so the mode is durable with the data. */
        void applyFinalMode() throws IOException {
            if (finalMode != null) {
                Files.setPosixFilePermissions(path, finalMode);
            }
        }

        /** Renames the (closed) file over {@code resolved}'s file, atomically. */
        void moveTo(Resolved resolved) throws IOException {
            Files.move(path, resolved.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} as described in the class comment, blocking: a small document (a sidecar,
     * a certificate). A regular file is forced to disk before the rename when {@code durable}.
     *
     * @param confinedTo null, or the real directory the file must lie below
     * @throws IOException naming the path; nothing is left behind (no temporary file)
     */
    public static void write(Path target, byte[] bytes, boolean durable, Path confinedTo) throws IOException {
        Resolved resolved = resolve(target, confinedTo);
        if (resolved.kind() == Kind.SOCKET) {
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(resolved.path()))) {
                writeFully(channel, bytes, target);
            }
            return;
        }
        if (resolved.kind() == Kind.STREAM) {
            try (FileChannel channel = FileChannel.open(resolved.path(), StandardOpenOption.WRITE)) {
                writeFully(channel, bytes, target);
            }
            return;
        }
        Temp temp = createTemp(resolved);
        try {
            try (FileChannel channel = FileChannel.open(temp.path(), StandardOpenOption.WRITE)) {
                writeFully(channel, bytes, target);
                temp.applyFinalMode();
                if (durable) {
                    channel.force(true);
                }
            }
            temp.moveTo(resolved);
        } finally {
            Files.deleteIfExists(temp.path()); // gone after the move; removes the part otherwise
        }
    }

    private static void writeFully(WritableByteChannel channel, byte[] bytes, Path target)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) <= 0) {
                throw new IOException(target + ": short write (" + buffer.position() + " of " + bytes.length
                        + " bytes accepted)");
            }
        }
    }
}
