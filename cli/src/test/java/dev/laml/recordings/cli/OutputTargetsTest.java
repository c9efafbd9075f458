package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.SpecialFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code download -o} and {@code serve --ca-out} write to, as curl's {@code -o} would: a symlink written through,
 * a device or FIFO written into and left what it was, a read-only file or a missing directory refused in one line, a
 * new file with the umask's mode, a replaced one with its own, and a text file ending with a newline.
 */
class OutputTargetsTest {

    @RegisterExtension
    static final RecordingsServerExtension testkit = new RecordingsServerExtension();

    static TestRecording recording;

    @TempDir
    Path dir;

    @BeforeAll
    static void addRecording() {
        recording = testkit.server().addRecording(RecordingSpec.create().durationSeconds(5));
    }

    private static CliRun download(Path output) {
        return CliRun.run("download", "--base-url", testkit.baseUrl().toString(), "--sid", recording.sid(),
                "--account", recording.accountSid(), "-o", output.toString());
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
        Path real = Files.writeString(dir.resolve("real.wav"), "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw-r--"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("real.wav"));

        CliRun r = download(link);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(link).isSymbolicLink();
        assertThat(Files.readAllBytes(real)).isEqualTo(recording.bytes(Format.WAV));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-rw-r--");
        assertThat(names(dir)).containsExactly("link", "real.wav");
    }

    @Test
    void aDanglingSymlinkGetsItsFileCreated() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("made.wav"));

        CliRun r = download(link);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(link).isSymbolicLink();
        assertThat(Files.readAllBytes(dir.resolve("made.wav"))).isEqualTo(recording.bytes(Format.WAV));
        assertThat(SpecialFiles.permissions(dir.resolve("made.wav"))).isEqualTo(0666 & ~SpecialFiles.umask());
    }

    @Test
    void aFifoIsWrittenIntoWhileAnotherThreadReadsIt() throws Exception {
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        CliRun r = download(fifo);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(recording.bytes(Format.WAV));
        assertThat(SpecialFiles.type(fifo)).isEqualTo(SpecialFiles.S_IFIFO);
        assertThat(names(dir)).containsExactly("pipe");
    }

    @Test
    void dashONullWritesIntoTheDeviceAndLeavesItADevice() throws Exception {
        Path device = SpecialFiles.characterDevice(dir.resolve("null"), 1, 3, Path.of("/dev/null"));

        CliRun r = download(device);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(SpecialFiles.type(device)).as(device.toString()).isEqualTo(SpecialFiles.S_IFCHR);
        assertThat(names(dir)).isSubsetOf("null");
    }

    @Test
    void aReadOnlyFileIsRefusedInOneLineAndKept() throws IOException {
        Path target = Files.writeString(dir.resolve("keep.wav"), "keep me");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r-----"));

        CliRun r = download(target);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).hasLineCount(1)
                .contains("permission denied", target.toString(), "read-only file, not replaced")
                .doesNotContain("Exception");
        assertThat(Files.readString(target)).isEqualTo("keep me");
        assertThat(names(dir)).containsExactly("keep.wav");
    }

    @Test
    void aSymlinkToADirectoryIsADirectoryToWriteInto() throws IOException {
        Path real = Files.createDirectory(dir.resolve("calls"));
        Path link = Files.createSymbolicLink(dir.resolve("here"), real);

        CliRun r = download(link);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(real.resolve(recording.sid() + ".wav"))).isEqualTo(recording.bytes(Format.WAV));
        assertThat(link).isSymbolicLink();
    }

    @Test
    void aNewFileGetsTheUmasksModeAndAReplacedOneKeepsItsOwn() throws Exception {
        Path replaced = Files.writeString(dir.resolve("old.wav"), "old");
        Files.setPosixFilePermissions(replaced, PosixFilePermissions.fromString("rw-------"));

        CliRun fresh = download(dir.resolve("new.wav"));
        CliRun again = download(replaced);

        assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(SpecialFiles.permissions(dir.resolve("new.wav"))).isEqualTo(0666 & ~SpecialFiles.umask());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(replaced))).isEqualTo("rw-------");
        assertThat(names(dir)).containsExactly("new.wav", "old.wav");
    }

    @Test
    void caOutIsWrittenThroughASymlinkWithTheUmasksModeAndEndsWithANewline() throws Exception {
        Path real = dir.resolve("ca.pem");
        Path link = Files.createSymbolicLink(dir.resolve("trust.pem"), Path.of("ca.pem"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serve = new Thread(() -> exit.set(RecordingsCli.run(
                new String[] {"serve", "--tls", "--ca-out", link.toString(), "--recordings", "1"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of())),
                "serve-under-test");
        serve.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!out.toString(StandardCharsets.UTF_8).contains("--sid ") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("--sid ");

            assertThat(link).isSymbolicLink();
            String pem = Files.readString(real);
            assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
            assertThat(SpecialFiles.permissions(real)).isEqualTo(0666 & ~SpecialFiles.umask());
            assertThat(names(dir)).containsExactly("ca.pem", "trust.pem");
        } finally {
            serve.interrupt();
            serve.join(10_000);
        }
        assertThat(exit.get()).isZero();
        assertThat(real).as("the user's --ca-out is kept").exists();
    }
}
