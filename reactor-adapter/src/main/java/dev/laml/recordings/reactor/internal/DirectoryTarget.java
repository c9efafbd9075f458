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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
        private final ConcurrentHashMap<Path, Mono<Void>> prepared = new ConcurrentHashMap<>();

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
                if (!Files.isRegularFile(p) || Files.size(p) > maxBytes) {
                    return null;
                }
                return Files.readAllBytes(p);
            }).subscribeOn(Schedulers.boundedElastic());
        }

        @Override
        public Mono<Boolean> holds(String key, long size, String sha256, String fingerprint, boolean readBack) {
            return Mono.fromCallable(() -> {
                Path p = path(key);
                // A file's length costs nothing; a short or grown file is not read.
                return Files.isRegularFile(p) && Files.size(p) == size && sha256(p).equalsIgnoreCase(sha256);
            }).subscribeOn(Schedulers.boundedElastic());
        }

        @Override
        public Mono<Stored> write(String key, Flux<ByteBuffer> audio, long contentLength, String contentType,
                Map<String, String> metadata) {
            Path target = path(key);
            return prepare(target.getParent())
                    .then(FileSink.write(audio, target))
                    .map(written -> new Stored(written, null));
        }

        @Override
        public Mono<Void> put(String key, byte[] bytes, String contentType) {
            Path target = path(key);
            return prepare(target.getParent()).then(Mono.fromCallable(() -> {
                Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
                try {
                    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                        ByteBuffer buffer = ByteBuffer.wrap(bytes);
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                        channel.force(true);
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp); // gone after the move; removes the part otherwise
                }
                return Boolean.TRUE;
            }).subscribeOn(Schedulers.boundedElastic()).then());
        }

        /** Creates a directory and removes stale temporary files from it, once per session and directory. */
        private Mono<Void> prepare(Path dir) {
            return prepared.computeIfAbsent(dir, d -> Mono.fromCallable(() -> {
                        Files.createDirectories(d);
                        removeStaleTemps(d);
                        return Boolean.TRUE;
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .then()
                    // Every write to the directory waits for this, so no temp file of this run is in it yet.
                    .cache());
        }
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
