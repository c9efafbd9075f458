package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.testsupport.LeakRecorder;
import dev.laml.recordings.testsupport.SpecialFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code downloadTo} treats its target as curl's {@code -o} does: a symlink is written through (its own file replaced
 * in its own directory), a device, FIFO or socket is written into and stays what it was, a directory or read-only file
 * is refused with nothing touched, and a new file gets the umask's mode while a replaced one keeps its own. Every test
 * also checks that no temporary file is left and no buffer leaked.
 */
class DownloadTargetsTest {

    private static final byte[] AUDIO = TestData.bytes(1 << 20, 23);

    @TempDir
    Path dir;

    private RawHttpServer server;
    private RecordingsClient client;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void noBufferLeaked() {
        assertThat(LeakRecorder.drain()).as("Netty leak reports").isEmpty();
    }

    private void serveAudio() throws IOException {
        serve(AUDIO.length);
    }

    /** Answers with the whole length declared and {@code sent} bytes of the body, then closes. */
    private void serve(int sent) throws IOException {
        server = new RawHttpServer((request, response) -> {
            response.head(200, "OK", "Content-Type", "audio/x-wav", "Content-Length", String.valueOf(AUDIO.length));
            for (int off = 0; off < sent; off += 32 * 1024) {
                response.body(AUDIO, off, Math.min(32 * 1024, sent - off));
            }
        });
        client = RecordingsClient.builder().baseUrl(server.baseUrl()).retryPolicy(RetryPolicy.none()).build();
    }

    private Long download(Path target) {
        return client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target).block(Duration.ofSeconds(20));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymlinkIsFollowedAndTheFileItPointsToIsReplacedInItsOwnDirectoryKeepingItsMode() throws IOException {
        serveAudio();
        Path real = Files.createDirectory(dir.resolve("real")).resolve("call.wav");
        Files.writeString(real, "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        Path links = Files.createDirectory(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("link.wav"), Path.of("../real/call.wav"));

        assertThat(download(link)).isEqualTo(AUDIO.length);

        assertThat(link).isSymbolicLink();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../real/call.wav"));
        assertThat(Files.readAllBytes(real)).isEqualTo(AUDIO);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-r-----");
        assertThat(names(links)).as("nothing beside the link").containsExactly("link.wav");
        assertThat(names(real.getParent())).as("no temp file beside the real file").containsExactly("call.wav");
    }

    @Test
    void aDanglingSymlinksTargetIsCreatedWithTheUmasksModeAndTheLinkStays() throws Exception {
        serveAudio();
        Path link = Files.createSymbolicLink(dir.resolve("link.wav"), Path.of("sub/new.wav"));
        Path created = Files.createDirectory(dir.resolve("sub")).resolve("new.wav");

        download(link);

        assertThat(link).isSymbolicLink();
        assertThat(Files.readAllBytes(created)).isEqualTo(AUDIO);
        assertThat(SpecialFiles.permissions(created)).isEqualTo(0666 & ~SpecialFiles.umask());
        assertThat(names(dir)).containsExactly("link.wav", "sub");
        assertThat(names(dir.resolve("sub"))).containsExactly("new.wav");
    }

    @Test
    void aFifoIsWrittenStraightIntoAndAnotherThreadReadsTheExactBytes() throws Exception {
        serveAudio();
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        assertThat(download(fifo)).isEqualTo(AUDIO.length);

        assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(AUDIO);
        assertThat(SpecialFiles.type(fifo)).as("still a FIFO").isEqualTo(SpecialFiles.S_IFIFO);
        assertThat(names(dir)).containsExactly("pipe");
    }

    @Test
    void aFifoWhoseBodyBreaksOffGetsThePrefixAndStaysAFifo() throws Exception {
        serve(AUDIO.length / 2);
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, fifo))
                .expectError(IncompleteBodyException.class)
                .verify(Duration.ofSeconds(20));

        byte[] got = read.get(20, TimeUnit.SECONDS);
        assertThat(got.length).isLessThanOrEqualTo(AUDIO.length / 2);
        assertThat(got).isEqualTo(Arrays.copyOf(AUDIO, got.length));
        assertThat(SpecialFiles.type(fifo)).isEqualTo(SpecialFiles.S_IFIFO);
        assertThat(names(dir)).containsExactly("pipe");
    }

    @Test
    void cancellingWhileAFifosReaderStallsEndsTheBlockedWriteAndReleasesEverything() throws Exception {
        serveAudio();
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch readOn = new CountDownLatch(1);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                opened.countDown();
                // Read nothing until the download is cancelled: the writer fills the pipe and blocks in write.
                readOn.await();
                return in.readAllBytes();
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Disposable download = client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, fifo).subscribe();
        assertThat(opened.await(20, TimeUnit.SECONDS)).isTrue();
        // The pipe holds 64 KiB at most and the body is 1 MiB: give the writer time to fill it and block.
        Thread.sleep(500);

        download.dispose();
        readOn.countDown();

        // End of stream reaches the reader only once the writer's end is closed: the blocked write was ended.
        byte[] got = read.get(20, TimeUnit.SECONDS);
        assertThat(got.length).isLessThan(AUDIO.length);
        assertThat(got).isEqualTo(Arrays.copyOf(AUDIO, got.length));
        assertThat(SpecialFiles.type(fifo)).isEqualTo(SpecialFiles.S_IFIFO);
        assertThat(names(dir)).containsExactly("pipe");
    }

    @Test
    void aLinkToAPipeWhoseTextNamesNoPathIsOpenedAsOpenWouldOpenIt() throws Exception {
        // /dev/stdout when stdout is a pipe: /proc/PID/fd/1 -> "pipe:[…]". Here, the stdin of a child that copies it.
        serveAudio();
        Path copy = dir.resolve("copy");
        Process cat = new ProcessBuilder("sh", "-c", "exec cat > \"$0\"", copy.toString()).start();
        Path stdin = Path.of("/proc", String.valueOf(cat.pid()), "fd", "0");
        assertThat(Files.readSymbolicLink(stdin).toString()).startsWith("pipe:");

        assertThat(download(stdin)).isEqualTo(AUDIO.length);
        cat.getOutputStream().close();

        assertThat(cat.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readAllBytes(copy)).isEqualTo(AUDIO);
        assertThat(names(dir)).containsExactly("copy");
    }

    @Test
    void aCharacterDeviceIsWrittenIntoAndStaysADevice() throws Exception {
        serveAudio();
        Path device = SpecialFiles.characterDevice(dir.resolve("null"), 1, 3, Path.of("/dev/null"));

        assertThat(download(device)).isEqualTo(AUDIO.length);

        assertThat(SpecialFiles.type(device)).as(device + " still a character device")
                .isEqualTo(SpecialFiles.S_IFCHR);
        assertThat(names(dir)).as("no temp file anywhere").isSubsetOf("null");
        assertThat(names(Path.of("/dev"))).noneMatch(n -> n.endsWith(".part"));
    }

    @Test
    void aDeviceThatAcceptsNoBytesFailsTheDownloadAndStaysADevice() throws Exception {
        serveAudio();
        Path full = SpecialFiles.characterDevice(dir.resolve("full"), 1, 7, Path.of("/dev/full"));

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, full))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IOException.class)
                        .hasMessageContaining("No space left on device"))
                .verify(Duration.ofSeconds(20));

        assertThat(SpecialFiles.type(full)).isEqualTo(SpecialFiles.S_IFCHR);
        assertThat(names(dir)).isSubsetOf("full");
    }

    @Test
    void aUnixSocketIsConnectedToAndGetsTheExactBytes() throws Exception {
        serveAudio();
        Path socket = dir.resolve("sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel peer = listener.accept()) {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                    while (peer.read(buffer.clear()) >= 0) {
                        all.write(buffer.array(), 0, buffer.position());
                    }
                    return all.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            assertThat(download(socket)).isEqualTo(AUDIO.length);

            assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(AUDIO);
            assertThat(SpecialFiles.type(socket)).isEqualTo(SpecialFiles.S_IFSOCK);
        }
    }

    @Test
    void aReadOnlyFileIsRefusedBeforeAnythingIsAskedAndStaysAsItWas() throws IOException {
        serveAudio();
        Path target = dir.resolve("keep.wav");
        Files.writeString(target, "keep me");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r--r--"));

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(AccessDeniedException.class)
                        .hasMessageContaining(target.toString()).hasMessageContaining("read-only"))
                .verify(Duration.ofSeconds(10));

        assertThat(Files.readString(target)).isEqualTo("keep me");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("r--r--r--");
        assertThat(names(dir)).containsExactly("keep.wav");
        assertThat(server.requests()).as("nothing was downloaded").isEmpty();
    }

    @Test
    void aDirectoryIsRefusedAndLeftAsItWas() throws IOException {
        serveAudio();
        Path target = Files.createDirectory(dir.resolve("calls"));
        Files.writeString(target.resolve("inside.txt"), "x");

        StepVerifier.create(client.downloadTo(ACCOUNT, RECORDING, AudioFormat.WAV, target))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(FileSystemException.class)
                        .hasMessageContaining(target.toString()).hasMessageContaining("is a directory"))
                .verify(Duration.ofSeconds(10));

        assertThat(target).isDirectory();
        assertThat(names(target)).containsExactly("inside.txt");
        assertThat(names(dir)).containsExactly("calls");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aNewFileGetsTheModeTheUmaskGivesAndAReplacedFileKeepsItsOwn() throws Exception {
        serveAudio();
        Path fresh = dir.resolve("new.wav");
        Path replaced = dir.resolve("old.wav");
        Files.writeString(replaced, "old");
        Files.setPosixFilePermissions(replaced, PosixFilePermissions.fromString("rw----r--"));

        download(fresh);
        download(replaced);

        assertThat(SpecialFiles.permissions(fresh)).as("umask %o", SpecialFiles.umask())
                .isEqualTo(0666 & ~SpecialFiles.umask());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(replaced))).isEqualTo("rw----r--");
        assertThat(Files.readAllBytes(replaced)).isEqualTo(AUDIO);
        assertThat(names(dir)).containsExactly("new.wav", "old.wav");
    }

    @Test
    void underUmask027AForkedJvmCreates0640AndUnder002Creates0664() throws Exception {
        assertThat(forkedWrite("027", dir.resolve("a.wav"))).isEqualTo(0640);
        assertThat(forkedWrite("002", dir.resolve("b.wav"))).isEqualTo(0664);
        assertThat(names(dir)).containsExactly("a.wav", "b.wav");
        assertThat(Files.readString(dir.resolve("a.wav"), StandardCharsets.UTF_8)).isEqualTo("forked\n");
    }

    /** Runs {@link ForkedWrite} in a JVM started under {@code umask}; returns the mode of the file it wrote. */
    private static int forkedWrite(String umask, Path target) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("sh", "-c", "umask " + umask + " && exec \"$0\" -cp \"$1\" "
                + ForkedWrite.class.getName() + " \"$2\"", java, System.getProperty("java.class.path"),
                target.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return SpecialFiles.permissions(target);
    }
}
