package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.MalformedResponseException;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.ResponseTimeoutException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.reactor.AudioResponse;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.fuzz.Answer.Op;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.LeakRecorder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * One server (the testkit, whose {@link Fault#raw} serves each generated answer byte for byte), one client with short
 * timeouts, and the contract checked on every try: the operation ends within {@link #DEADLINE} in exactly the
 * expected value or a typed error ({@link ApiException}, {@link TransferException}) with a one-line message and,
 * where it wraps one, its cause; then the same client still downloads a real recording exactly, and no connection
 * is left checked out of its pool. {@link #close()} checks that no buffer leaked and no connection stayed open.
 *
 * <p>The fuzzed requests name an account and a recording the testkit does not know, so that a request that reaches
 * the testkit's own handler (a followed redirect, Reactor Netty's one retry on a pooled connection found closed)
 * can only end in an error, never in a success the generated answer did not promise.
 */
final class Harness implements AutoCloseable {

    /** Longest an operation may take: the timeouts below are 300 ms, a try needs at most a few of them. */
    static final Duration DEADLINE = Duration.ofSeconds(4);
    static final Duration TIMEOUT = Duration.ofMillis(300);
    static final String PROJECT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    static final String TOKEN = "PTsecret-token-0123456789abcdef";

    final RecordingsServer server;
    final RecordingsClient client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestRecording sanity;
    private final byte[] sanityBytes;
    private final Path tmp;
    private final long started = System.nanoTime();
    private int tries;
    /** How the tries ended: "success", or the error's simple class name; printed by {@link #close()}. */
    private final Map<String, Integer> outcomes = new TreeMap<>();
    /** Requests that met a pooled connection the server no longer served (see {@link #runPastDeadConnections}). */
    private int deadConnections;
    private String label = "fuzz";
    /** The proxy every connection goes through, or null. */
    private FakeProxy proxy;

    /** Reactor Netty logs every broken answer at WARN with its stack trace: thousands of them here. */
    private static final ch.qos.logback.classic.Logger REACTOR_NETTY =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("reactor.netty");
    private final ch.qos.logback.classic.Level reactorNettyLevel = REACTOR_NETTY.getLevel();

    /** Signals an operation that did not end within the deadline. */
    static final class Hang extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Hang() {
            super("no end within " + DEADLINE, null, false, false);
        }
    }

    /** An operation's end: its value (bytes for audio) or its error, and how long it took. */
    record Outcome(Object value, Throwable error, long millis) {
    }

    Harness(RecordingsServer server, RetryPolicy retries, UnaryOperator<RecordingsClient.Builder> more) {
        this.server = server;
        try {
            this.tmp = Files.createTempDirectory("fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.sanity = server.addRecording(RecordingSpec.create().seed(1313).durationSeconds(1));
        this.sanityBytes = sanity.bytes(Format.WAV);
        RecordingsClient.Builder b = RecordingsClient.builder().baseUrl(server.baseUrl())
                .credentials(PROJECT, TOKEN)
                .retryPolicy(retries)
                .responseTimeout(TIMEOUT)
                .idleTimeout(TIMEOUT)
                .connectTimeout(Duration.ofMillis(500))
                .tlsHandshakeTimeout(Duration.ofSeconds(1))
                .meterRegistry(registry);
        if (server.isTls()) {
            b.trustedCertificates(server.writeCertificatePem(tmp.resolve("ca.pem")));
        }
        this.client = more.apply(b).build();
        REACTOR_NETTY.setLevel(ch.qos.logback.classic.Level.OFF);
    }

    Harness label(String label) {
        this.label = label;
        return this;
    }

    /**
     * Every connection through {@code proxy} (a fresh one per request: a pooled tunnel to the testkit would take a
     * try's request past the proxy's script), which {@link #close()} also checks and closes.
     */
    static Harness through(FakeProxy proxy, RecordingsServer server) {
        Harness h = new Harness(server, RetryPolicy.none(), b -> b.proxy(proxy.uri()).maxIdleTime(Duration.ofMillis(1)));
        h.proxy = proxy;
        return h;
    }

    /** The proxy of a harness made {@link #through} one. */
    FakeProxy proxy() {
        return proxy;
    }

    /**
     * As {@link #check}, with the proxy's {@code script} instead of answers from the testkit: the proxy answers the
     * {@code CONNECT} (and maybe the request in the tunnel) as the script says.
     */
    void checkThroughProxy(Answer verdict, FakeProxy.Script script, String what) {
        proxy.clear();
        server.clearFaults();
        proxy.enqueue(script);
        int events = proxy.eventCount();
        Outcome outcome = null;
        boolean used = false;
        for (int attempt = 0; attempt < 4 && !used; attempt++) {
            int before = proxy.scripted();
            // Past the pool's 1 ms idle time, so that the last request's tunnel is not reused but closed.
            sleep(3);
            outcome = run(client, verdict.op);
            used = proxy.scripted() > before;
            if (!used) {
                deadConnections++;
            }
        }
        proxy.clear();
        if (!used) {
            // Every attempt went through a tunnel opened earlier: this try says nothing about the script.
            outcomes.merge("script never used", 1, Integer::sum);
            stillWorks(what);
            return;
        }
        outcomes.merge(outcome.error() == null ? "success" : outcome.error().getClass().getSimpleName(), 1,
                Integer::sum);
        what = what + "\n  proxy saw: " + proxy.eventsFrom(events);
        verify(verdict, outcome, what);
        stillWorks(what);
    }

    /** Retries off: each answer is met exactly once. */
    static Harness noRetries(RecordingsServer server) {
        return new Harness(server, RetryPolicy.none(), b -> b);
    }

    /** Two attempts, a millisecond apart: a broken body is resumed once. */
    static Harness twoAttempts(RecordingsServer server) {
        return new Harness(server, RetryPolicy.defaults().maxAttempts(2).baseDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(2)), b -> b);
    }

    URI baseUrl() {
        return server.baseUrl();
    }

    // ------------------------------------------------------------------ one try

    /**
     * Serves {@code answers} to the next requests (the first to the operation's request, the others to its retries
     * or resumes), runs {@code verdict}'s operation and checks the contract against {@code verdict}, then that the
     * client still works.
     */
    void check(Answer verdict, Answer... answers) {
        server.clearFaults();
        for (Answer a : answers) {
            server.enqueueFault(Fault.raw(a.bytes(), a.end));
        }
        Outcome outcome = runPastDeadConnections(verdict.op);
        server.clearFaults();
        outcomes.merge(outcome.error() == null ? "success" : outcome.error().getClass().getSimpleName(), 1,
                Integer::sum);
        verify(verdict, outcome, describe(answers));
        stillWorks(describe(answers));
    }

    /**
     * Serves {@code answer} (then {@code end}) to the next request and runs {@code op} as a try does (past pooled
     * connections an earlier answer left unusable), without judging the outcome: for tests that judge it themselves.
     */
    Outcome serve(Op op, byte[] answer, Fault.After end) {
        return serve(op, new Fault[]{Fault.raw(answer, end)});
    }

    /** As {@link #serve(Op, byte[], Fault.After)}, with one fault per request (an answer, then its resume's). */
    Outcome serve(Op op, Fault... faults) {
        server.clearFaults();
        for (Fault f : faults) {
            server.enqueueFault(f);
        }
        Outcome o = runPastDeadConnections(op);
        server.clearFaults();
        return o;
    }

    /**
     * Runs {@code op}; when it fails without its request reaching the server, runs it again (at most three times).
     *
     * <p>Why: an earlier try may leave a pooled connection that can no longer carry a request, without the client
     * being at fault: a server that closed right after a complete answer that did not say {@code Connection: close}
     * (the client may reuse the connection before it reads the close: a reset or a premature close, before any
     * response), or one that stalled after a complete answer (it never reads the next request: a response timeout,
     * which closes the connection). Either failure is typed, as the contract wants, but it says nothing about this
     * try's answer, which is still waiting at the server. Such meetings are counted ({@link #close()} prints them);
     * a request that reached the server is never run again.
     */
    private Outcome runPastDeadConnections(Op op) {
        for (int attempt = 0; ; attempt++) {
            long before = server.requestCount();
            Outcome o = run(client, op);
            if (o.error() instanceof TransferException && server.requestCount() == before && attempt < 3) {
                deadConnections++;
                continue;
            }
            return o;
        }
    }

    static String describe(Answer... answers) {
        StringBuilder b = new StringBuilder();
        for (Answer a : answers) {
            b.append("\n  answer: ").append(a);
        }
        return b.toString();
    }

    static Outcome run(RecordingsClient client, Op op) {
        Mono<Object> call = switch (op) {
            case DOWNLOAD -> client.download(Answers.ACCOUNT, Answers.RECORDING, AudioFormat.WAV).collectList()
                    .map(Harness::bytes);
            case OPEN -> client.open(Answers.ACCOUNT, Answers.RECORDING, AudioFormat.MP3)
                    .flatMap((AudioResponse r) -> r.body().collectList()).map(Harness::bytes);
            case FETCH -> client.fetch(Answers.ACCOUNT, Answers.RECORDING).cast(Object.class);
            case LIST_PAGE -> client.listPage(Answers.ACCOUNT, RecordingQuery.all()).cast(Object.class);
            case DELETE -> client.delete(Answers.ACCOUNT, Answers.RECORDING).thenReturn(Boolean.TRUE);
        };
        long start = System.nanoTime();
        try {
            Object value = call.timeout(DEADLINE, Mono.error(new Hang())).block();
            return new Outcome(value, null, (System.nanoTime() - start) / 1_000_000);
        } catch (Throwable t) {
            return new Outcome(null, Exceptions.unwrap(t), (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** The contract, for one outcome. */
    static void verify(Answer verdict, Outcome o, String what) {
        Throwable e = o.error();
        if (e instanceof Hang) {
            throw new AssertionError(verdict.op + " did not end within " + DEADLINE + what);
        }
        if (e != null) {
            if (!(e instanceof ApiException) && !(e instanceof TransferException)) {
                throw new AssertionError(verdict.op + " failed with " + e.getClass().getName()
                        + ", neither an ApiException nor a TransferException" + what + "\n" + trace(e), e);
            }
            if (verdict.mustSucceed) {
                throw new AssertionError(verdict.op + ": a valid answer failed: " + e + what + "\n" + trace(e), e);
            }
            String message = e.getMessage();
            if (message == null || message.contains("\r") || message.contains("\n") || message.contains(TOKEN)) {
                throw new AssertionError(verdict.op + ": the message is not one clean line: "
                        + Answer.escape(String.valueOf(message).getBytes(java.nio.charset.StandardCharsets.UTF_8), 400)
                        + what, e);
            }
            if ((e instanceof MalformedResponseException || e instanceof ResponseTimeoutException
                    || e instanceof ProxyException || e instanceof TlsException) && e.getCause() == null) {
                throw new AssertionError(verdict.op + ": " + e.getClass().getSimpleName()
                        + " without the original exception as its cause" + what, e);
            }
            return;
        }
        if (verdict.mustFail()) {
            throw new AssertionError(verdict.op + " succeeded (" + summary(o.value()) + ") where it must fail" + what);
        }
        Object expected = verdict.expected;
        if (expected == null) {
            return;
        }
        boolean same = expected instanceof byte[] bytes ? o.value() instanceof byte[] got && Arrays.equals(bytes, got)
                : expected.equals(o.value());
        if (!same) {
            throw new AssertionError(verdict.op + " succeeded with " + summary(o.value()) + " instead of "
                    + summary(expected) + difference(expected, o.value()) + what);
        }
    }

    private static String summary(Object value) {
        if (value instanceof byte[] b) {
            return b.length + " bytes " + Answer.escape(b, 40);
        }
        return String.valueOf(value);
    }

    private static String difference(Object expected, Object actual) {
        if (expected instanceof byte[] e && actual instanceof byte[] a) {
            int i = Arrays.mismatch(e, a);
            return " (first difference at byte " + i + ")";
        }
        return "";
    }

    static String trace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    // ------------------------------------------------------------------ afterwards

    /**
     * The same client downloads the real recording exactly, and no connection stays checked out. A download whose
     * request did not reach the server met a pooled connection an earlier answer left unusable (see
     * {@link #runPastDeadConnections}) and is run again, at most three times; nothing else is excused.
     */
    void stillWorks(String what) {
        tries++;
        Outcome o;
        for (int attempt = 0; ; attempt++) {
            long before = server.requestCount();
            o = sanityDownload();
            if (o.error() instanceof TransferException && server.requestCount() == before && attempt < 3) {
                deadConnections++;
                continue;
            }
            break;
        }
        if (o.error() != null) {
            throw new AssertionError("the client no longer works: " + o.error() + what + "\n" + trace(o.error()),
                    o.error());
        }
        if (!Arrays.equals(sanityBytes, (byte[]) o.value())) {
            throw new AssertionError("the client no longer downloads exactly: " + summary(o.value()) + what);
        }
        awaitNoActiveConnection(what);
        if (LEAKS_EVERY_TRY) {
            List<String> leaks = LeakRecorder.drain();
            if (!leaks.isEmpty()) {
                throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s) after this try" + what
                        + "\n" + String.join("\n\n", leaks));
            }
        }
    }

    /**
     * {@code -Dfuzz.leaks.everyTry=true}: look for leaked buffers after every try rather than once per property, to
     * tell which answer leaked (a hundred milliseconds a try: for hunting, not for the bounded run).
     */
    private static final boolean LEAKS_EVERY_TRY = Boolean.getBoolean("fuzz.leaks.everyTry");



    private Outcome sanityDownload() {
        long start = System.nanoTime();
        try {
            byte[] got = client.download(sanity.accountSid(), sanity.sid(), AudioFormat.WAV).collectList()
                    .map(Harness::bytes).timeout(DEADLINE, Mono.error(new Hang())).block();
            return new Outcome(got, null, (System.nanoTime() - start) / 1_000_000);
        } catch (Throwable t) {
            return new Outcome(null, Exceptions.unwrap(t), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private void awaitNoActiveConnection(String what) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        double active;
        while ((active = gauge("laml.recordings.pool.active")) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(active + " connection(s) still checked out of the pool" + what);
            }
            sleep(5);
        }
    }

    private double gauge(String name) {
        List<Gauge> gauges = List.copyOf(registry.find(name).gauges());
        return gauges.stream().mapToDouble(Gauge::value).sum();
    }

    int tries() {
        return tries;
    }

    /**
     * Closes the client, then checks that the server sees no connection left open (a connection the client had
     * lost track of would stay open after its pool is gone) and that Netty reported no leaked buffer.
     */
    @Override
    public void close() {
        System.out.printf("FUZZ %s: %d tries in %d s, ends %s, dead pooled connections met %d%n", label,
                tries, (System.nanoTime() - started) / 1_000_000_000L, outcomes, deadConnections);
        try {
            client.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                sleep(10);
            }
            int open = server.openConnections();
            if (open > 0) {
                throw new AssertionError(open + " connection(s) still open at the server after the client closed");
            }
            if (proxy != null) {
                deadline = System.nanoTime() + 5_000_000_000L;
                while (proxy.openConnections() > 0 && System.nanoTime() < deadline) {
                    sleep(10);
                }
                if (proxy.openConnections() > 0) {
                    throw new AssertionError(proxy.openConnections()
                            + " connection(s) to the proxy still open after the client closed");
                }
            }
            List<String> leaks = LeakRecorder.drain();
            if (!leaks.isEmpty()) {
                throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s):\n"
                        + String.join("\n\n", leaks));
            }
        } finally {
            REACTOR_NETTY.setLevel(reactorNettyLevel);
            server.close();
            if (proxy != null) {
                try {
                    proxy.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    static byte[] bytes(List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
