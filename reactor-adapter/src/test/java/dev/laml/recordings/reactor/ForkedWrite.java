package dev.laml.recordings.reactor;

import dev.laml.recordings.reactor.internal.FileSink;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes {@code forked\n} to the path in {@code args[0]} through the file writer behind {@code downloadTo}, in a JVM of
 * its own: the umask cannot be changed for a running JVM, so {@link DownloadTargetsTest} starts this one under the
 * umask it wants.
 */
final class ForkedWrite {

    private ForkedWrite() {
    }

    public static void main(String[] args) {
        FileSink.write(Flux.just(ByteBuffer.wrap("forked\n".getBytes(StandardCharsets.UTF_8))), Path.of(args[0]))
                .block();
    }
}
