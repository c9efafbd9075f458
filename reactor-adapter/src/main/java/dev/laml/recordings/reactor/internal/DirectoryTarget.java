package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.reactor.ArchiveTarget;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code ArchiveTarget.directory(dir)}: keys are paths below {@code dir}.
 *
 * <p>Crash safety: audio goes through {@link FileSink} (hidden temp file, forced to disk, atomic move; always forced,
 * because delete-after-verify removes the server's copy once this one is verified, so it must survive a power loss)
 * and small documents through the same temp-and-move. Whatever a killed run leaves behind is a hidden
 * {@code .*.part} file, removed the first time a later run writes to that directory.
 *
 * <p>The layout stays inside {@code dir}: a directory or file below it that is a symbolic link is followed only while
 * it stays inside (a link leading out, or dangling, fails that recording before anything is created or written
 * through it), and only regular files are written, never a device or FIFO found in the layout's place. New files get
 * the mode the umask gives ({@link TargetFile}); a replaced one keeps its own.
 *
 * <p>Every blocking file-system call runs on {@link Schedulers#boundedElastic()}. Immutable and thread-safe; each
 * {@link #open()} starts a session with its own record of the directories it prepared.
 */
public final class DirectoryTarget implements ArchiveTarget {

    /** Temporary files of FileSink and of {@link Session#put}: {@code .{name}.{random digits}.part}. */
    private static final Pattern TEMP = Pattern.compile("\\..+\\.(wav|mp3|json)\\.[0-9]+\\.part");

    private final Path root;

    public DirectoryTarget(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        this.root = dir.toAbsolutePath().normalize();
    }

    @Override
    public Mono<Session> open() {
        return Mono.fromSupplier(DirSession::new);
    }

    @Override
    public String toString() {
        return root.toString();
    }

    private final class DirSession implements Session {
        private final ConcurrentHashMap<Path, Mono<Path>> prepared = new ConcurrentHashMap<>();

        private Path path(String key) {
            Path p = root.resolve(key).normalize();
            if (!p.startsWith(root)) {
                throw new IllegalArgumentException("key leaves the archive directory");
            }
            return p;
        }

        @Override
        public URI location(String key) {
            return path(key).toUri();
        }

        @Override
        public Mono<byte[]> read(String key, int maxBytes) {
            return Mono.fromCallable(() -> {
                Path p = path(key);
                if (!Files.isRegularFile(p) || !inside(p) || Files.size(p) > maxBytes) {
                    return null;
                }
                return Files.readAllBytes(p);
            }).subscribeOn(Schedulers.boundedElastic());
        }

        @Override
        public Mono<Boolean> holds(String key, long size, String sha256, String fingerprint, boolean readBack) {
            return Mono.fromCallable(() -> {
                Path p = path(key);
                // A file's length costs nothing; a short or grown file is not read. A copy a link keeps outside
                // the archive is not the archive's: it is never trusted for a skip or a delete.
                return Files.isRegularFile(p) && inside(p) && Files.size(p) == size
                        && sha256(p).equalsIgnoreCase(sha256);
            }).subscribeOn(Schedulers.boundedElastic());
        }

        @Override
        public Mono<Stored> write(String key, Flux<ByteBuffer> audio, long contentLength, String contentType,
                Map<String, String> metadata) {
            Path target = path(key);
            return prepare(target.getParent())
                    .flatMap(realRoot -> FileSink.write(audio, target, realRoot))
                    .map(written -> new Stored(written, null));
        }

        @Override
        public Mono<Void> put(String key, byte[] bytes, String contentType) {
            Path target = path(key);
            return prepare(target.getParent())
                    .flatMap(realRoot -> Mono.fromCallable(() -> {
                        TargetFile.write(target, bytes, true, realRoot);
                        return Boolean.TRUE;
                    }).subscribeOn(Schedulers.boundedElastic()))
                    .then();
        }

        /**
         * Creates a directory below the root, refusing any component that is not a directory or a link leading out
         * of the root, and removes stale temporary files from it; once per session and directory. Emits the root's
         * real path, the bound every file written below it is checked against.
         */
        private Mono<Path> prepare(Path dir) {
            return prepared.computeIfAbsent(dir, d -> Mono.fromCallable(() -> {
                        Files.createDirectories(root);
                        Path realRoot = root.toRealPath();
                        removeStaleTemps(descend(realRoot, root.relativize(d)));
                        return realRoot;
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    // Every write to the directory waits for this, so no temp file of this run is in it yet.
                    .cache());
        }

        /** Whether a file's real location is inside the root (the root's real path). */
        private boolean inside(Path p) throws IOException {
            return p.toRealPath().startsWith(root.toRealPath());
        }
    }

    /**
     * Walks {@code relative} down from {@code realRoot}, creating missing directories, and returns the real path of
     * the last. A component that is a symbolic link is followed only when it stays inside the root; one that leads
     * out, dangles, or is not a directory is refused before anything is created through it.
     */
    private static Path descend(Path realRoot, Path relative) throws IOException {
        Path current = realRoot;
        for (Path component : relative) {
            if (component.toString().isEmpty()) {
                continue; // the root itself
            }
            Path next = current.resolve(component);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                try {
                    Files.createDirectory(next);
                } catch (FileAlreadyExistsException raced) {
                    // Another writer made it meanwhile: examine what is there now.
                    attributes = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    current = checked(realRoot, next, attributes);
                    continue;
                }
                current = next;
                continue;
            }
            current = checked(realRoot, next, attributes);
        }
        return current;
    }

    private static Path checked(Path realRoot, Path p, BasicFileAttributes attributes) throws IOException {
        if (attributes.isSymbolicLink()) {
            Path real;
            try {
                real = p.toRealPath();
            } catch (NoSuchFileException e) {
                throw new FileSystemException(p.toString(), null,
                        "is a symbolic link to nothing; refusing to create directories through it");
            }
            if (!real.startsWith(realRoot)) {
                throw new FileSystemException(p.toString(), real.toString(),
                        "a symbolic link leads out of " + realRoot + "; refusing to follow it");
            }
            if (!Files.isDirectory(real)) {
                throw new FileSystemException(p.toString(), null, "is not a directory");
            }
            return real;
        }
        if (!attributes.isDirectory()) {
            throw new FileSystemException(p.toString(), null, "is not a directory");
        }
        return p;
    }

    /** Deletes the hidden temporary files a killed run left in {@code dir}. */
    private static void removeStaleTemps(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.part")) {
            for (Path entry : entries) {
                if (TEMP.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)) {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    /** The SHA-256 of a file, lowercase hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = Sha256.create();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) >= 0) {
                digest.update(buffer.flip());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
