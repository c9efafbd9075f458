package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.reactor.fuzz.Answer.Op;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordingsServer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static dev.laml.recordings.reactor.fuzz.Answers.pick;

/**
 * What a proxy might send, over a real socket ({@link FakeProxy}, set with the client's {@code proxy(URI)}): an
 * answer to {@code CONNECT} that is not HTTP, is cut short, stalls, refuses in odd ways or is a hostile head; or a
 * tunnel that opens and then carries a valid or hostile answer from "the server" (a {@code 200} and then garbage).
 * The contract is {@link SocketFuzzTest}'s: the answer's bytes or value, or a typed error with its cause, within
 * the deadline; then the client still works (through the proxy, to the testkit) and, once closed, has closed every
 * connection to the proxy.
 */
@AddLifecycleHook(TriesFactor.class)
class ProxyFuzzTest {

    private Harness harness;

    private Harness harness() {
        if (harness == null) {
            try {
                harness = Harness.through(new FakeProxy(), RecordingsServer.start()).label("proxy");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return harness;
    }

    @AfterProperty
    void close() {
        if (harness != null) {
            Harness h = harness;
            harness = null;
            h.close();
        }
    }

    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void whateverAProxySendsEndsInTheAnswerOrATypedError(@ForAll Op op, @ForAll long seed) {
        Random r = new Random(seed);
        Harness h = harness();
        Answer verdict;
        FakeProxy.Script script;
        switch (r.nextInt(5)) {
            case 0 -> {
                // The CONNECT answer itself hostile; no tunnel follows whatever it says.
                Answer connect = new Answer(op);
                connect.status("HTTP/1.1 200 Connection established");
                int edits = 1 + r.nextInt(2);
                for (int i = 0; i < edits; i++) {
                    Answers.hostileHead(connect, r, h.baseUrl().getPort());
                }
                Answers.maybeCutHead(connect, r);
                verdict = new Answer(op);
                verdict.mustSucceed = false;
                verdict.expected = null;
                verdict.framingFails = true;
                verdict.notes.addAll(connect.notes);
                script = new FakeProxy.Script(connect.bytes(), null, connect.end);
                verdict.note("CONNECT answered " + Answer.escape(connect.bytes(), 120) + ", then " + connect.end);
            }
            case 1 -> {
                byte[] garbage = switch (r.nextInt(6)) {
                    case 0 -> Answer.latin1("SSH-2.0-OpenSSH_9.6\r\n");
                    case 1 -> new byte[]{0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03};
                    case 2 -> Answers.fixture("error-404.xml");
                    case 3 -> Answer.latin1("<html><body>Access denied by policy</body></html>");
                    case 4 -> Answer.latin1("HTTP/1.1 200");
                    default -> {
                        byte[] b = new byte[1 + r.nextInt(400)];
                        r.nextBytes(b);
                        yield b;
                    }
                };
                Fault.After end = r.nextInt(4) == 0 ? Fault.After.STALL : Fault.After.CLOSE;
                verdict = new Answer(op);
                verdict.fails("CONNECT answered with bytes that are not HTTP " + Answer.escape(garbage, 60) + ", then " + end);
                script = new FakeProxy.Script(garbage, null, end);
            }
            case 2 -> {
                int status = pick(r, List.of(400, 403, 404, 405, 407, 429, 500, 502, 503, 504, 301, 302, 100, 204, 206,
                        299, 999));
                String body = pick(r, List.of("", "denied", "x".repeat(20_000)));
                String head = "HTTP/1.1 " + status + " Nope\r\n"
                        + (status == 407 ? "Proxy-Authenticate: " + pick(r, Answers.HOSTILE) + "\r\n" : "")
                        + (r.nextBoolean() ? "Content-Length: " + body.length() + "\r\n\r\n" + body
                        : "Transfer-Encoding: chunked\r\n\r\n" + (body.isEmpty() ? "" : Integer.toHexString(body.length())
                        + "\r\n" + body + "\r\n") + "0\r\n\r\n");
                Fault.After end = r.nextInt(4) == 0 ? Fault.After.STALL : Fault.After.CLOSE;
                verdict = new Answer(op);
                verdict.fails("CONNECT refused " + status + ", then " + end);
                script = new FakeProxy.Script(head.getBytes(StandardCharsets.ISO_8859_1), null, end);
            }
            default -> {
                // A tunnel that opens, then "the server" answers valid or hostile bytes (a 200, then garbage).
                String established = pick(r, List.of("HTTP/1.1 200 Connection established\r\n\r\n",
                        "HTTP/1.0 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nProxy-Agent: fuzz/1.0\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n\r\n"));
                Answer a = Answers.valid(op, r, r.nextBoolean());
                int edits = r.nextInt(3);
                for (int i = 0; i < edits; i++) {
                    if (r.nextBoolean()) {
                        Answers.hostileHead(a, r, h.baseUrl().getPort());
                    } else {
                        Answers.hostileBody(a, r);
                    }
                }
                if (!established.startsWith("HTTP/1.1 200 Connection established") && !established.startsWith("HTTP/1.0")) {
                    // RFC 9110 9.3.6: a 2xx to CONNECT has no content, whatever its head says; a proxy that says
                    // otherwise may still be read either way.
                    a.mayFail("tunnel opened with " + Answer.escape(Answer.latin1(established), 60));
                }
                verdict = a;
                script = new FakeProxy.Script(Answer.latin1(established), a.bytes(), a.end);
            }
        }
        h.checkThroughProxy(verdict, script, "\n  proxy script: " + verdict);
    }
}
