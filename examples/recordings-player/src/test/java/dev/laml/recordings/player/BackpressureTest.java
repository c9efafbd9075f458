package dev.laml.recordings.player;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backpressure end to end: a browser that stops reading stops the API's transfer, and the player holds no more than
 * a few buffers meanwhile. The "browser" is a raw socket that sends a GET for a 256 MiB recording and then reads
 * nothing; the testkit counts the body bytes whose socket writes completed, which stop growing once the socket
 * buffers on both hops are full.
 */
class BackpressureTest {

    private static final long SIZE = 256L << 20;

    private static RecordingsServer api;
    private static RunningPlayer player;
    private static TestRecording big;

    @BeforeAll
    static void start() {
        api = RecordingsServer.start();
        // A small MP3 beside it: without a size its length would follow the WAV's 4.6 hours.
        big = api.addRecording(RecordingSpec.create().seed(256).size(Format.WAV, SIZE).size(Format.MP3, 4096));
        player = RunningPlayer.start(api);
    }

    @AfterAll
    static void stop() {
        RunningPlayer.stop(player, api);
    }

    @Test
    void aClientThatStopsReadingStopsTheApiTransfer() throws IOException {
        long heapBefore = usedHeapAfterGc();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", player.baseUrl().getPort()), 5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /recordings/" + big.sid() + ".wav HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            long sent = steadyApiBytesWritten();

            // What loopback socket buffers (two hops) and a few in-flight buffers hold: megabytes, not the file.
            assertThat(sent).as("bytes the API sent while nobody read").isPositive().isLessThan(SIZE / 8);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            assertThat(heapGrowth).as("player heap growth while stalled").isLessThan(SIZE / 8);
            System.out.printf("stalled reader: the API sent %,d of %,d bytes; heap grew %,d bytes%n", sent, SIZE,
                    heapGrowth);
        }
        // The reader went away: the player cancels the body, and the client closes the API connection.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (api.openConnections() > 0 && System.nanoTime() < deadline) {
            AudioStreamingTest.sleep(20);
        }
        assertThat(api.openConnections()).as("API connections open after the reader left").isZero();
        assertThat(api.bytesWritten()).isLessThan(SIZE / 8);
    }

    /** The API's body bytes written, once unchanged for a second (at most 30 s). */
    private static long steadyApiBytesWritten() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long last = -1;
        long now = api.bytesWritten();
        while ((now != last || now == 0) && System.nanoTime() < deadline) {
            AudioStreamingTest.sleep(1000);
            last = now;
            now = api.bytesWritten();
        }
        return now;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
