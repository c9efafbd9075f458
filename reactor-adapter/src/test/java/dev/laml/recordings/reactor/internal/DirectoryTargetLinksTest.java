package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.testsupport.SpecialFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ArchiveTarget.directory(root)} keeps its layout inside its root: a day directory, or any component, linked
 * out of the root is refused before anything is created or written through it, a link inside the root is followed,
 * and only regular files are written, with the umask's mode.
 */
class DirectoryTargetLinksTest {

    private static final byte[] AUDIO = "RIFF....WAVE audio bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;

    private ArchiveTarget.Session session() throws IOException {
        root = Files.createDirectories(tmp.resolve("archive"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        return new DirectoryTarget(root).open().block();
    }

    private static Flux<ByteBuffer> audio() {
        return Flux.just(ByteBuffer.wrap(AUDIO));
    }

    private static List<Path> tree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(p -> !p.equals(d)).toList();
        }
    }

    @Test
    void aDayDirectoryLinkedOutOfTheRootIsRefusedAndNothingIsWrittenOutside() throws IOException {
        ArchiveTarget.Session session = session();
        Files.createSymbolicLink(root.resolve("2026"), outside);

        StepVerifier.create(session.write("2026/01/05/a.wav", audio(), AUDIO.length, "audio/x-wav", Map.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FileSystemException.class)
                        .hasMessageContaining(root.resolve("2026").toString())
                        .hasMessageContaining("leads out of"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(session.put("2026/01/05/a.json", "{}\n".getBytes(StandardCharsets.UTF_8),
                        "application/json"))
                .expectError(FileSystemException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(tree(outside)).as("no directory or file created outside the root").isEmpty();
        assertThat(root.resolve("2026")).isSymbolicLink();
    }

    @Test
    void aMonthDirectoryLinkedOutOfTheRootIsRefusedToo() throws IOException {
        ArchiveTarget.Session session = session();
        Files.createDirectories(root.resolve("2026"));
        Files.createSymbolicLink(root.resolve("2026/01"), Path.of("../../outside"));

        StepVerifier.create(session.write("2026/01/05/a.wav", audio(), AUDIO.length, "audio/x-wav", Map.of()))
                .expectError(FileSystemException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(tree(outside)).isEmpty();
    }

    @Test
    void aLinkThatStaysInsideTheRootIsFollowed() throws IOException {
        ArchiveTarget.Session session = session();
        Path kept = Files.createDirectories(root.resolve("older/2026"));
        Files.createSymbolicLink(root.resolve("2026"), Path.of("older/2026"));

        StepVerifier.create(session.write("2026/01/05/a.wav", audio(), AUDIO.length, "audio/x-wav", Map.of()))
                .expectNextMatches(stored -> stored.size() == AUDIO.length)
                .verifyComplete();

        assertThat(Files.readAllBytes(kept.resolve("01/05/a.wav"))).isEqualTo(AUDIO);
        assertThat(tree(outside)).isEmpty();
    }

    @Test
    void aFileLinkedOutOfTheRootIsNeitherTrustedNorReplacedAndTheOutsideFileStays() throws IOException {
        ArchiveTarget.Session session = session();
        Path foreign = Files.write(outside.resolve("foreign.wav"), AUDIO);
        Path day = Files.createDirectories(root.resolve("2026/01/05"));
        Files.createSymbolicLink(day.resolve("a.wav"), foreign);
        String sha = DirectoryTarget.sha256(foreign);

        StepVerifier.create(session.holds("2026/01/05/a.wav", AUDIO.length, sha, null, true))
                .expectNext(false)
                .verifyComplete();
        StepVerifier.create(session.write("2026/01/05/a.wav", Flux.just(ByteBuffer.wrap(new byte[] {1, 2, 3})), 3,
                        "audio/x-wav", Map.of()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("leads out of"))
                .verify(Duration.ofSeconds(10));

        assertThat(Files.readAllBytes(foreign)).isEqualTo(AUDIO);
        assertThat(tree(outside)).containsExactly(foreign);
        assertThat(tree(day)).containsExactly(day.resolve("a.wav"));
    }

    @Test
    void aFifoInTheLayoutsPlaceIsRefusedNotWrittenInto() throws Exception {
        ArchiveTarget.Session session = session();
        Path day = Files.createDirectories(root.resolve("2026/01/05"));
        Path fifo = SpecialFiles.mkfifo(day.resolve("a.wav"));

        StepVerifier.create(session.write("2026/01/05/a.wav", audio(), AUDIO.length, "audio/x-wav", Map.of()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("is not a regular file"))
                .verify(Duration.ofSeconds(10));

        assertThat(SpecialFiles.type(fifo)).isEqualTo(SpecialFiles.S_IFIFO);
        assertThat(tree(day)).containsExactly(fifo);
    }

    @Test
    void newFilesGetTheUmasksModeAndAReplacedSidecarKeepsItsOwn() throws Exception {
        ArchiveTarget.Session session = session();
        Path day = Files.createDirectories(root.resolve("2026/01/05"));
        Path sidecar = Files.writeString(day.resolve("a.json"), "{}\n");
        Files.setPosixFilePermissions(sidecar, PosixFilePermissions.fromString("rw-r-----"));

        session.write("2026/01/05/a.wav", audio(), AUDIO.length, "audio/x-wav", Map.of()).block();
        session.put("2026/01/05/a.json", "{\"sid\":\"a\"}\n".getBytes(StandardCharsets.UTF_8), "application/json")
                .block();

        assertThat(SpecialFiles.permissions(day.resolve("a.wav"))).isEqualTo(0666 & ~SpecialFiles.umask());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sidecar))).isEqualTo("rw-r-----");
        assertThat(Files.readString(sidecar)).isEqualTo("{\"sid\":\"a\"}\n");
        assertThat(tree(day)).containsExactlyInAnyOrder(day.resolve("a.wav"), sidecar);
    }
}
