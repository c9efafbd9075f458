package dev.laml.recordings.reactor;

import dev.laml.recordings.testsupport.LeakRecorder;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.ITestContext;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Reactive Streams TCK's set-up for a body publisher of this client: a server and a client,
 * and the strictness every TCK class here shares.
 *
 * <p>The server answers {@code /chunks/{n}} with {@code n} HTTP chunks of one byte each. Netty
 * decodes every chunk into its own content message however the bytes are split across reads (a
 * one-byte chunk cannot be split), and the client emits one buffer per message, so the publisher
 * emits exactly {@code n} elements. Large {@code n} (the TCK asks for {@code Integer.MAX_VALUE}
 * in rule 3.17) is produced lazily until the client cancels.
 *
 * <p>Every required and every optional rule runs and must pass. The only skips are the TCK's
 * {@code untested_*} methods, which have no test body (the TCK marks them "not verified"); the
 * class fails if anything else is skipped.
 */
public abstract class ChunkedBodyTck extends PublisherVerification<ByteBuffer> {

    private static final byte[] ONE_CHUNK = "1\r\nX\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private RawHttpServer server;
    private RecordingsClient client;

    protected ChunkedBodyTck() {
        // Generous signal timeout: each publisher is a real request over loopback.
        super(new TestEnvironment(2000, 200));
    }

    @BeforeClass
    public void start() throws IOException {
        server = new RawHttpServer((request, response) -> {
            if (request.path().startsWith("/missing")) {
                response.send(404, "application/xml", TestData.fixture("error-404.xml"));
                return;
            }
            long n = Long.parseLong(request.path().substring("/chunks/".length()));
            response.head(200, "OK", "Content-Type", "audio/mpeg", "Transfer-Encoding", "chunked");
            byte[] batch = new byte[ONE_CHUNK.length * 64];
            for (int i = 0; i < 64; i++) {
                System.arraycopy(ONE_CHUNK, 0, batch, i * ONE_CHUNK.length, ONE_CHUNK.length);
            }
            long sent = 0;
            while (n - sent >= 64) {
                response.body(batch);
                sent += 64;
            }
            response.body(batch, 0, (int) (n - sent) * ONE_CHUNK.length);
            response.body(LAST_CHUNK);
        });
        client = RecordingsClient.builder().baseUrl(server.baseUrl()).build();
    }

    @AfterClass(alwaysRun = true)
    public void stop(ITestContext context) throws IOException {
        client.close();
        server.close();
        List<String> skipped = context.getSkippedTests().getAllResults().stream()
                .filter(r -> r.getTestClass().getRealClass() == getClass()) // the context spans every TCK class
                .map(r -> r.getMethod().getMethodName())
                .filter(name -> !name.startsWith("untested_") && !skipsWithAReason().contains(name))
                .toList();
        if (!skipped.isEmpty()) {
            throw new AssertionError("TCK rules skipped without a written reason: " + skipped);
        }
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported leaked buffers during the TCK:\n" + String.join("\n\n", leaks));
        }
    }

    /** Rules a subclass's publisher does not support, each with its reason in the subclass. */
    protected java.util.Set<String> skipsWithAReason() {
        return java.util.Set.of();
    }

    /** The client under test, for subclasses that reach the same server through another call. */
    protected RecordingsClient client() {
        return client;
    }

    protected URI baseUrl() {
        return server.baseUrl();
    }
}
