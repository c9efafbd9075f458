package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.reactor.fuzz.Answer.Op;
import dev.laml.recordings.testkit.RecordingsServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;

import java.util.Random;

/**
 * Issue 13's contract fuzzed over a real socket: whatever bytes the server sends, every operation (download,
 * open and its body, fetch, listPage, delete) ends within its timeouts in exactly the bytes or value the answer
 * holds, or in an {@code ApiException} or {@code TransferException} (with the original exception as cause where it
 * wraps one), never anything else; and afterwards the same client downloads exactly, with no connection checked out,
 * none left open and no buffer leaked (paranoid leak detection).
 *
 * <p>Each try generates an answer from a seed ({@link Answers}: valid answers in many shapes, then hostile edits of
 * their heads or bodies) and serves it with the testkit's {@code Fault.raw}; one server and one client per property,
 * reused across its tries, with 300 ms response and idle timeouts. Bounded by {@code tries} to about 45 s for the
 * socket properties in {@code mvn verify}; {@code -Pfuzz-long} multiplies the tries ({@link TriesFactor}). A failure
 * prints the answer's bytes; each one found is a named test in {@link FuzzRegressionsTest}. Shrinking is off: a
 * seed shrunk is another answer, not a smaller one.
 */
@AddLifecycleHook(TriesFactor.class)
class SocketFuzzTest {

    private Harness harness;

    private Harness plain(String label) {
        if (harness == null) {
            harness = Harness.noRetries(RecordingsServer.start()).label(label);
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

    /** Legal answers in their many shapes (lengths, chunks, close, codings, 1xx first, HTTP/1.0): exact. */
    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void validAnswersArriveExactly(@ForAll Op op, @ForAll long seed) {
        Answer a = Answers.valid(op, new Random(seed), true);
        plain("valid").check(a, a);
    }

    /** Status lines, header names and values, lengths, codings, line ends, redirects, errors, cut heads. */
    @Property(tries = 500, shrinking = ShrinkingMode.OFF)
    void hostileHeadsEndInTheAnswerOrATypedError(@ForAll Op op, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 3) int edits) {
        Random r = new Random(seed);
        Answer a = Answers.valid(op, r, r.nextBoolean());
        for (int i = 0; i < edits; i++) {
            Answers.hostileHead(a, r, plain("hostile heads").baseUrl().getPort());
        }
        Answers.maybeCutHead(a, r);
        plain("hostile heads").check(a, a);
    }

    /** Truncations, bit flips, chunk corruption, broken codings, bytes after the end. */
    @Property(tries = 250, shrinking = ShrinkingMode.OFF)
    void hostileBodiesEndInTheAnswerOrATypedError(@ForAll Op op, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 2) int edits) {
        Random r = new Random(seed);
        Answer a = Answers.valid(op, r, r.nextBoolean());
        for (int i = 0; i < edits; i++) {
            Answers.hostileBody(a, r);
        }
        plain("hostile bodies").check(a, a);
    }

    /**
     * A download that breaks in its body (a close or a stall after k bytes), then a second answer to the resume:
     * the rest, the whole again, changed content, a wrong part, an error, or a hostile head. With two attempts, the
     * end is exactly the first answer's bytes or a typed error: never two versions spliced, never a short success.
     */
    @Property(tries = 100, shrinking = ShrinkingMode.OFF)
    void brokenDownloadsResumeExactlyOrFailTyped(@ForAll("audioOps") Op op, @ForAll long seed) {
        Random r = new Random(seed);
        if (harness == null) {
            harness = Harness.twoAttempts(RecordingsServer.start()).label("resumes");
        }
        Answer first = Answers.breaking(op, r);
        Answer second = Answers.resumption(first, r, harness.baseUrl().getPort());
        harness.check(second, first, second);
    }

    /** Valid and hostile answers inside TLS (the testkit over HTTPS): the same contract, never a TlsException. */
    @Property(tries = 60, shrinking = ShrinkingMode.OFF)
    void overHttpsTheSameHolds(@ForAll Op op, @ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int edits) {
        Random r = new Random(seed);
        if (harness == null) {
            harness = Harness.noRetries(RecordingsServer.builder().tls().start()).label("https");
        }
        Answer a = Answers.valid(op, r, r.nextBoolean());
        for (int i = 0; i < edits; i++) {
            if (r.nextBoolean()) {
                Answers.hostileHead(a, r, harness.baseUrl().getPort());
            } else {
                Answers.hostileBody(a, r);
            }
        }
        harness.check(a, a);
    }

    @Provide
    Arbitrary<Op> audioOps() {
        return Arbitraries.of(Op.DOWNLOAD, Op.OPEN);
    }
}
