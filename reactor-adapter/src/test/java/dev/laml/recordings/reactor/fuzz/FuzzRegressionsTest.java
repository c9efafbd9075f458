package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.reactor.fuzz.Answer.Op;
import dev.laml.recordings.reactor.fuzz.Harness.Outcome;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordingsServer;
import io.netty.handler.proxy.ProxyConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every failure the socket fuzzing ({@link SocketFuzzTest}, {@link ProxyFuzzTest}) found, as the exact bytes the
 * server sent, named for the behaviour it pins. Each comment gives the property, its sample (operation, answer seed,
 * edits: {@link Answers} makes the answer from them, as the generator was then) and jqwik's run seed.
 */
class FuzzRegressionsTest {

    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.noRetries(RecordingsServer.start()).label("regressions");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private Outcome serve(Op op, String answer, Fault.After end) {
        return harness.serve(op, answer.getBytes(StandardCharsets.ISO_8859_1), end);
    }

    /** Waits until the server sees no open connection: the client closed the one it had. */
    private void awaitNoOpenConnection() {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (harness.server.openConnections() > 0) {
            assertThat(System.nanoTime()).as("the client closed the connection").isLessThan(deadline);
            Harness.sleep(10);
        }
    }

    private static Answer expecting(Op op, Object value) {
        Answer a = new Answer(op);
        a.expected = value;
        return a;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * RFC 9110 15.2: a client reads past any number of 1xx answers to the final one, expected or not. The client took
     * {@code 103 Early Hints} for the answer and failed the delete with "HTTP 103".
     * validAnswersArriveExactly, sample (DELETE, -5), jqwik seed 4608860452465317754.
     */
    @Test
    void interimResponsesBeforeTheAnswerAreReadPast() {
        String early = "HTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n";
        Outcome deleted = serve(Op.DELETE, early + "HTTP/1.1 204 Fine by me\r\nCache-Control: private, max-age=0\r\n"
                + "X-Note: \u00ef\u00bb\u00bfbom\r\n\r\n", Fault.After.CLOSE);
        Harness.verify(expecting(Op.DELETE, Boolean.TRUE), deleted, "");
        assertThat(deleted.value()).isEqualTo(Boolean.TRUE);

        Outcome audio = serve(Op.DOWNLOAD, "HTTP/1.1 100 Continue\r\n\r\n" + early + "HTTP/1.1 102 Processing\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 4\r\n\r\nRIFF", Fault.After.CLOSE);
        assertThat(audio.error()).isNull();
        assertThat((byte[]) audio.value()).isEqualTo(latin1("RIFF"));
        harness.stillWorks("");
    }

    /**
     * An unasked {@code 101 Switching Protocols}: after it the connection speaks no HTTP, so the answer is malformed
     * and the connection must not go back to the pool. The client pooled it, and the next request met it.
     * hostileHeadsEndInTheAnswerOrATypedError, sample (LIST_PAGE, -819492, 2), jqwik seed 2171603329399013841.
     */
    @Test
    void anUnaskedSwitchOfProtocolsIsMalformedAndItsConnectionIsNotReused() {
        for (Op op : Op.values()) {
            // The server keeps the connection open: only the client can close it, and must.
            Outcome o = serve(op, "HTTP/1.1 101 Switching Protocols\r\n\r\nHTTP/1.1 200 OK\r\n"
                    + "Content-Length: 2\r\n\r\n{}", Fault.After.STALL);
            assertThat(o.error()).as("%s", op).isInstanceOf(MalformedResponseException.class)
                    .hasMessageContaining("101").hasCauseInstanceOf(ProtocolException.class);
            awaitNoOpenConnection();
            // Pools one connection, which the next round's request takes.
            harness.stillWorks("");
        }
    }

    /**
     * {@code gzip} on two {@code Content-Encoding} lines is one list (RFC 9110 5.3): coded twice. The client read the
     * first line only, decoded once and handed on gzip bytes as audio. Now the list is read whole, and two codings
     * are refused as on one line: an {@code UnexpectedResponseException}, no byte emitted; the same split over
     * {@code gzip} and {@code identity} is one coding, decoded exactly.
     * hostileHeadsEndInTheAnswerOrATypedError, sample (OPEN, 293927, 1), jqwik seed 3663359018487297395.
     */
    @Test
    void aCodingSplitOverTwoHeaderLinesIsReadAsOneList() {
        byte[] audio = latin1("RIFF" + "f\u00e3 \u0001`\u00c44".repeat(60));
        String head = "HTTP/1.1 200 OK\r\nRetry-After: 95\r\nETag: \"e35204e0f8b4654a0\"\r\n"
                + "Date: Tue, 25 Sep 2018 23:00:00 GMT\r\nServer: fuzz/1.0\r\ncontent-type: binary/octet-stream\r\n";
        for (Op op : new Op[]{Op.OPEN, Op.DOWNLOAD}) {
            Outcome twice = serve(op, head + "Content-Encoding: gzip\r\nContent-Encoding: gzip\r\n\r\n"
                    + new String(Answers.gzip(Answers.gzip(audio)), StandardCharsets.ISO_8859_1), Fault.After.CLOSE);
            assertThat(twice.error()).as("%s", op).isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("gzip, gzip");

            Outcome once = serve(op, head + "Content-Encoding: gzip\r\nContent-Encoding: identity\r\n\r\n"
                    + new String(Answers.gzip(audio), StandardCharsets.ISO_8859_1), Fault.After.CLOSE);
            assertThat(once.error()).isNull();
            assertThat((byte[]) once.value()).isEqualTo(audio);
            harness.stillWorks("");
        }
    }

    /**
     * A proxy that answers {@code CONNECT} with {@code 100 Continue}, then {@code 200 Connection established}.
     * Netty's proxy handler fails the handshake on the 100 but passes on the 200 its codec had decoded with it,
     * and that was taken for the server's answer to a request never sent: the download "succeeded" with no bytes.
     * Now a response head on a proxied connection whose tunnel is not open is a {@code ProxyException}.
     * whateverAProxySendsEndsInTheAnswerOrATypedError, sample (DOWNLOAD, -1), jqwik seed -3103038846354858776.
     */
    @Test
    void aProxyAnswerAfterAFailedHandshakeIsNeverTakenForTheServers() throws Exception {
        String tunneled = "HTTP/1.1 200 OK\r\nX-Request-Id: e0757f1120de3d47\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: audio/x-wav\r\n\r\n6a\r\nRIFF\u000c\u00c57f\u00ca\u009b\u007f\u00d3\u00f68y\u000e"
                + "\u0000uX\u00ceA\u00ebLO\u001b\u00c0\u0089\u000e\u0089\u00fe\u00d2\u0011\u00ccC\u0016\u001554"
                + "\u00aa\u00b0\u009a\u0015\u0012\u00b9i\u00de\u0011\u00e7<\u0080.\u008f\u001emE\u00bb\u00d2\u0003g"
                + "\u0099b\u008c";
        try (Harness h = Harness.through(new FakeProxy(), RecordingsServer.start()).label("proxy regressions")) {
            for (Op op : Op.values()) {
                h.proxy().enqueue(new FakeProxy.Script(latin1("HTTP/1.1 100 Continue\r\n\r\n"
                        + "HTTP/1.1 200 Connection established\r\n\r\n"), latin1(tunneled), Fault.After.CLOSE));
                Harness.sleep(3); // past the pool's 1 ms idle time: a new tunnel, so the script is met
                Outcome o = Harness.run(h.client, op);
                h.proxy().clear();
                assertThat(o.error()).as("%s", op).isInstanceOf(ProxyException.class)
                        .hasCauseInstanceOf(ProxyConnectException.class);
                h.stillWorks("");
            }
        }
    }

    /**
     * A download that breaks after 81 of 238 bytes, resumed, and answered with a gzip-coded 206, which the protocol
     * refuses by throwing: the handler threw, so Reactor Netty never discarded the response, and the buffer of its
     * body stayed unreleased (paranoid leak detection). Now every handler's exception becomes its publisher's error.
     * brokenDownloadsResumeExactlyOrFailTyped, sample (OPEN, -2944257262454268293), jqwik seed -8201402633281455794.
     */
    @Test
    void aRefusedAnswerToAResumeLeaksNoBuffer() {
        byte[] payload = new byte[238];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ((i / 64) % 7);
        }
        System.arraycopy(latin1("RIFF"), 0, payload, 0, 4);
        byte[] rest = Answers.gzip(java.util.Arrays.copyOfRange(payload, 81, 238));
        try (Harness resuming = Harness.twoAttempts(RecordingsServer.start()).label("leak regression")) {
            for (Op op : new Op[]{Op.OPEN, Op.DOWNLOAD}) {
                Outcome o = resuming.serve(op, Fault.raw(Answer.concat(latin1("HTTP/1.1 200 OK\r\n"
                        + "Content-Type: audio/mpeg\r\nLast-Modified: Tue, 25 Sep 2018 23:00:00 GMT\r\n"
                        + "Content-Length: 238\r\n\r\n"), java.util.Arrays.copyOf(payload, 81)), Fault.After.CLOSE),
                        Fault.raw(Answer.concat(latin1("HTTP/1.1 206 Partial Content\r\n"
                        + "Content-Range: bytes 81-237/246\r\nContent-Type: audio/mpeg\r\n"
                        + "Last-Modified: Tue, 25 Sep 2018 23:00:00 GMT\r\nContent-Encoding: gzip\r\n"
                        + "Content-Length: " + rest.length + "\r\n\r\n"), rest), Fault.After.CLOSE));
                assertThat(o.error()).as("%s", op).isInstanceOf(UnexpectedResponseException.class);
                resuming.stillWorks("");
            }
        } // close() fails on a leaked buffer
    }

    /**
     * A download that breaks before its first byte is restarted with a plain GET, which the server answers with a
     * 206 for bytes 0-12 of 16: the client delivered those 13 bytes as the whole recording, a short download that
     * succeeded. Now a 206 to a request for the whole recording must be all of it ({@code bytes 0-(n-1)/n}), else it
     * is an {@code UnexpectedResponseException}; the same with retries off and the 206 as the first answer.
     * brokenDownloadsResumeExactlyOrFailTyped, sample (DOWNLOAD, -733), jqwik seed 2175946332059428962.
     */
    @Test
    void aPartAnsweredForTheWholeRecordingIsNeverAShortDownload() {
        String validators = "ETag: \"v73e0d0dd7d51069a\"\r\nLast-Modified: Tue, 25 Sep 2018 23:00:00 GMT\r\n";
        String part = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-12/16\r\nContent-Type: audio/x-wav\r\n"
                + validators + "Content-Length: 13\r\n\r\nRIFF\u0092\u001f5s\u000b\u009f\u0011\u00bb8";
        try (Harness resuming = Harness.twoAttempts(RecordingsServer.start()).label("short download regression")) {
            Outcome o = resuming.serve(Op.DOWNLOAD, Fault.raw(latin1("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\n"
                    + validators + "Content-Length: 16\r\n\r\n"), Fault.After.CLOSE), Fault.raw(latin1(part),
                    Fault.After.CLOSE));
            assertThat(o.error()).isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("asked for the whole recording");
            resuming.stillWorks("");
        }
        for (Op op : new Op[]{Op.DOWNLOAD, Op.OPEN}) {
            Outcome o = serve(op, part, Fault.After.CLOSE);
            assertThat(o.error()).as("%s", op).isInstanceOf(UnexpectedResponseException.class);
        }
        harness.stillWorks("");
    }

    /**
     * A redirect to {@code http://127.0.0.1:99999/x}: java.net.URI reads the port, the socket refuses it, and that
     * {@code IllegalArgumentException} ("port out of range") reached the caller as if the caller had passed a bad
     * argument. Now core refuses a target whose port is not 1 to 65535 (an {@code UnexpectedResponseException},
     * the redirect not followed). The head as found; the chunked body shortened.
     * hostileHeadsEndInTheAnswerOrATypedError, sample (OPEN, -20037, 1), jqwik seed 3663359018487297395.
     */
    @Test
    void aRedirectToAPortOutOfRangeIsRefusedNotThrown() {
        for (Op op : new Op[]{Op.DOWNLOAD, Op.OPEN, Op.FETCH, Op.LIST_PAGE}) { // a delete follows no redirect
            for (String port : new String[]{"99999", "0", "65536"}) {
                Outcome o = serve(op, "HTTP/1.1 307 Moved\r\netag: \"e8762cef4cca4c21d\"\r\ncontent-type: audio/mpeg\r\n"
                        + "Last-Modified: Tue, 25 Sep 2018 23:00:02 GMT\r\nTransfer-Encoding: chunked\r\n"
                        + "Location: http://127.0.0.1:" + port + "/x\r\n\r\n4\r\nRIFF\r\n0\r\n\r\n", Fault.After.CLOSE);
                assertThat(o.error()).as("%s to port %s", op, port).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("redirect was not followed").hasMessageContaining("port from 1 to 65535");
            }
        }
        harness.stillWorks("");
    }

    /**
     * The fuzzer's oracle was wrong, not the client: an edit declared {@code Content-Length: 3} for a 61,000-byte
     * body ("replaced again"), then "past the body" raised it to 33, past the declaration but not past the body, and
     * still said the download must fail. The client read the 33 declared bytes and left the rest, as HTTP/1.1 frames
     * it. Now "past the body" is past the body's own length. The answer as served, and the generator's verdict for it.
     * hostileHeadsEndInTheAnswerOrATypedError, sample (DOWNLOAD, -392, 3), jqwik seed -2482159550831351812.
     */
    @Test
    void aLengthShorterThanTheBodyIsReadAsDeclaredAndPastTheBodyMeansPastItsBytes() {
        byte[] body = new byte[61_000];
        new java.util.Random(61_000).nextBytes(body);
        byte[] head = latin1("HTTP/1.1 200 Fine by me\r\nlast-modified: Tue, 25 Sep 2018 23:00:06 GMT\r\n"
                + "Content-Length: 33\r\nDate: Tue, 25 Sep 2018 23:00:00 GMT\r\nContent-Type: binary/octet-stream\r\n\r\n");
        byte[] answer = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, answer, head.length, body.length);

        Outcome o = harness.serve(Op.DOWNLOAD, answer, Fault.After.CLOSE);

        assertThat(o.error()).isNull();
        assertThat((byte[]) o.value()).isEqualTo(java.util.Arrays.copyOf(body, 33));
        harness.stillWorks("");

        java.util.Random r = new java.util.Random(-392);
        Answer a = Answers.valid(Op.DOWNLOAD, r, r.nextBoolean());
        for (int i = 0; i < 3; i++) {
            Answers.hostileHead(a, r, 12345);
        }
        assertThat(a.notes).contains("Content-Length replaced again", "Content-Length past the body");
        assertThat(Long.parseLong(a.value("Content-Length"))).as("declared").isGreaterThan(a.body.length);
    }
}
