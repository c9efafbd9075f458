package dev.laml.recordings.cli;

import dev.laml.recordings.s3.S3ProxyServer;
import dev.laml.recordings.s3.WireRecorder;
import dev.laml.recordings.testkit.CallbackDelivery;
import dev.laml.recordings.testkit.CallbackFault;
import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 19's end-to-end check, with the shaded jar in child JVMs under {@code -Xmx128m}: the testkit pushes signed
 * status callbacks for N recordings (5 % duplicated, 2 % wrongly signed, 3 % dropped, one in
 * 25 still {@code in-progress} at first) to {@code recordings listen}, which archives into S3Proxy; the test adds 2 %
 * forged callbacks of its own (a wrong key, naming recordings that do not exist). A {@code listen} is killed with
 * SIGKILL in the middle; afterwards the bucket must hold exactly the recordings of the testkit, byte-exact, each
 * written once (but for the few uploads the kill cut short), and no forged recording may ever have been asked for.
 *
 * <p>Runs in the {@code integration-test} phase (the jar is built by then). {@value #DEFAULT_RECORDINGS} recordings by
 * default, the full size: 109 s for both tests on a quiet 2-core machine, 123 s and 136 s each under a load
 * average of 20 (see RELIABILITY.md), well inside the 300 s timeout; {@code -Dlisten.e2e.recordings=N} changes it.
 */
@Timeout(300)
class ListenEndToEndIT {

    static final int DEFAULT_RECORDINGS = 1000;
    static final String PROJECT = "0e9f4a51-7c3b-4d2e-9a8f-1b2c3d4e5f60";
    static final String TOKEN = "PTe2e-listen-token";
    static final String KEY = "PSK_e2e_listen_key";
    static final OffsetDateTime CREATED = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);

    @TempDir
    Path tmp;

    S3ProxyServer store;
    WireRecorder wire;
    S3AsyncClient s3;
    HttpClient http;
    final List<Listener> listeners = new ArrayList<>();
    final String bucket = "events-e2e";

    @BeforeEach
    void start() {
        String jar = System.getProperty("recordings.jar");
        // Set only by the integration-test execution (see cli/pom.xml): run by name in the test phase, the jar would
        // not be built yet, or be a stale one.
        assumeTrue(jar != null, "runs in the integration-test phase, after the shade plugin");
        store = S3ProxyServer.start();
        wire = WireRecorder.in(store.endpoint());
        s3 = store.client();
        s3.createBucket(b -> b.bucket(bucket)).join();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        listeners.forEach(l -> l.process.destroyForcibly());
        if (s3 != null) {
            s3.close();
            wire.close();
            store.close();
        }
    }

    static int size() {
        return Integer.getInteger("listen.e2e.recordings", DEFAULT_RECORDINGS);
    }

    @Test
    void oneListenKilledMidRunAndRestartedStoresExactlyTheGenuineSetOnce() throws Exception {
        int port = freePort();
        URI callback = URI.create("http://127.0.0.1:" + port + "/recordings/events");
        String inbox = tmp.resolve("inbox.db").toString();
        long t0 = System.nanoTime();
        try (RecordingsServer api = testkit(callback, null)) {
            Listener first = listen(api, "a1", port, inbox, null);
            Run run = new Run(api, size());
            run.addUntil(size() / 2, first);
            // Killed while it works: stored some, more callbacks arriving, uploads in flight.
            await(Duration.ofSeconds(120), () -> first.stored() >= size() / 5, "a fifth stored before the kill");
            run.forge(first.url, 5);
            first.kill(wire);
            // While it is down the testkit's callbacks fail (three attempts, then lost): only the sweep finds them.
            run.addUntil(size() * 6 / 10, null);
            // Nothing uploads between the kill and the restart: every request the dead one sent is counted by now.
            int putsBeforeKill = wire.requests().size();
            Listener second = listen(api, "a2", port, inbox, null);
            run.addUntil(size(), second);
            run.forge(second.url, size() / 50 - 5);
            run.awaitAllStoredAndASweepAfter(List.of(second));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            run.assertExactlyTheGenuineSetOnce(List.of(putsBeforeKill), 4);
            run.assertNoForgedRecordingWasAskedFor();
            second.assertBoundedAndStopsCleanly();
            System.out.printf("ListenEndToEndIT sqlite: %d recordings, %d deliveries, %d s%n", size(),
                    api.callbackDeliveries().size(), seconds);
        }
    }

    @Test
    void twoListensSharingOnePostgresInboxOneKilledTheOtherFinishes() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String inbox = pg.getJdbcUrl("postgres", "postgres");
            int portA = freePort();
            int portB = freePort();
            URI callbackA = URI.create("http://127.0.0.1:" + portA + "/recordings/events");
            URI forwardToB = URI.create("http://127.0.0.1:" + portB + "/recordings/events");
            long t0 = System.nanoTime();
            // The testkit posts to A; every callback it sends (delivered or not, faults and all) is also sent to B,
            // as a load balancer retrying on the other instance would: both instances insert, either may drain.
            List<CompletableFuture<HttpResponse<Void>>> forwarded = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (RecordingsServer api = testkit(callbackA, d -> {
                if (d.outcome() != CallbackDelivery.Outcome.DROPPED) {
                    forwarded.add(http.sendAsync(HttpRequest.newBuilder(forwardToB)
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .header("X-SignalWire-Signature", d.signature())
                                    .POST(HttpRequest.BodyPublishers.ofString(d.body())).build(),
                            HttpResponse.BodyHandlers.discarding()));
                }
            })) {
                // Both verify signatures against the URL the testkit signed (A's), as instances behind one public URL.
                Listener a = listen(api, "pg-a", portA, inbox, callbackA);
                Listener b = listen(api, "pg-b", portB, inbox, callbackA);
                Run run = new Run(api, size());
                run.addUntil(size() / 2, a);
                await(Duration.ofSeconds(120), () -> a.stored() + b.stored() >= size() / 5, "a fifth stored");
                await(Duration.ofSeconds(60), () -> a.stored() >= 10, "A storing");
                int putsBeforeKill = a.kill(wire);
                run.addUntil(size(), b);
                run.forge(b.url, size() / 50);
                run.awaitAllStoredAndASweepAfter(List.of(b));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                run.assertExactlyTheGenuineSetOnce(List.of(putsBeforeKill), 4);
                run.assertNoForgedRecordingWasAskedFor();
                for (CompletableFuture<HttpResponse<Void>> f : forwarded) {
                    int status = f.get(30, TimeUnit.SECONDS).statusCode();
                    assertThat(status).as("B's answers to the forwarded callbacks").isIn(204, 403, 503);
                }
                assertThat(a.stored()).as("A stored before it was killed").isPositive();
                assertThat(b.stored()).as("B stored, A's share taken over included").isPositive();
                b.assertBoundedAndStopsCleanly();
                System.out.printf("ListenEndToEndIT postgres: %d recordings, %d stored by A, %d by B, %d s%n", size(),
                        a.stored(), b.stored(), seconds);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the run

    RecordingsServer testkit(URI callback, java.util.function.Consumer<CallbackDelivery> listener) {
        RecordingsServer.Builder b = RecordingsServer.builder().credentials(PROJECT, TOKEN)
                .statusCallback(callback, KEY)
                .statusCallbackFaultRate(CallbackFault.DUPLICATE, 0.05)
                .statusCallbackFaultRate(CallbackFault.WRONG_SIGNATURE, 0.02)
                .statusCallbackFaultRate(CallbackFault.DROP, 0.03)
                .statusCallbackSeed(19)
                .statusCallbackRetryDelay(Duration.ofMillis(200))
                .requestLogCapacity(200_000);
        if (listener != null) {
            b.statusCallbackListener(listener);
        }
        return b.start();
    }

    /** The recordings added so far and the forged callbacks sent, with the checks over them. */
    final class Run {
        final RecordingsServer api;
        final int total;
        final Map<String, TestRecording> genuine = new LinkedHashMap<>();
        final Set<String> forged = new HashSet<>();

        Run(RecordingsServer api, int total) {
            this.api = api;
            this.total = total;
        }

        /** Adds recordings up to {@code n}, paced so that callbacks arrive over time rather than all at once. */
        void addUntil(int n, Listener alive) throws InterruptedException {
            while (genuine.size() < n) {
                int i = genuine.size();
                RecordingSpec spec = RecordingSpec.create().seed(19_000 + i).durationSeconds(1)
                        .dateCreated(CREATED.plusSeconds(i));
                if (i % 25 == 7) {
                    spec = spec.completesAfter(Duration.ofSeconds(2)); // its first callback says in-progress
                }
                TestRecording r = api.addRecording(spec);
                genuine.put(r.sid(), r);
                if (i % 20 == 0) {
                    Thread.sleep(40);
                    if (alive != null) {
                        alive.assertAlive();
                    }
                }
            }
        }

        /** Posts {@code n} callbacks signed with another key for recordings that do not exist: each must get 403. */
        void forge(URI to, int n) throws Exception {
            String account = genuine.values().iterator().next().accountSid();
            for (int i = 0; i < n; i++) {
                String sid = UUID.randomUUID().toString();
                forged.add(sid);
                Map<String, String> fields = new TreeMap<>();
                fields.put("AccountSid", account);
                fields.put("CallSid", UUID.randomUUID().toString());
                fields.put("RecordingSid", sid);
                fields.put("RecordingUrl", api.baseUrl().resolve("/api/laml/2010-04-01/Accounts/" + account
                        + "/Recordings/" + sid).toString());
                fields.put("RecordingStatus", "completed");
                fields.put("RecordingDuration", "1");
                fields.put("RecordingChannels", "1");
                fields.put("RecordingSource", "RecordVerb");
                StringBuilder signed = new StringBuilder(to.toString());
                fields.forEach((k, v) -> signed.append(k).append(v));
                Mac mac = Mac.getInstance("HmacSHA1");
                mac.init(new SecretKeySpec("PSK_not_the_key".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
                String signature = Base64.getEncoder().encodeToString(
                        mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
                String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(to)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-SignalWire-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("a forged callback for %s", sid).isEqualTo(403);
            }
        }

        /** Until every recording's sidecar (written after its audio) is in the bucket and a sweep ran after that. */
        void awaitAllStoredAndASweepAfter(List<Listener> alive) throws InterruptedException {
            await(Duration.ofSeconds(240), () -> {
                alive.forEach(Listener::assertAlive);
                return keys().stream().filter(k -> k.endsWith(".json")).count() >= total;
            }, "every recording stored");
            Map<Listener, Integer> sweeps = new HashMap<>();
            alive.forEach(l -> sweeps.put(l, l.sweeps()));
            await(Duration.ofSeconds(60), () -> alive.stream().allMatch(l -> l.sweeps() >= sweeps.get(l) + 2),
                    "two more reconcile sweeps");
        }

        /**
         * The bucket holds exactly the genuine recordings, audio byte-exact with sidecar, and each key was uploaded
         * once, but for the uploads a kill cut short (at most the killed process's {@code concurrency}, doubled).
         */
        void assertExactlyTheGenuineSetOnce(List<Integer> putsBeforeKills, int concurrency) throws Exception {
            List<String> keys = keys();
            Map<String, String> audio = new HashMap<>();
            Set<String> sidecars = new HashSet<>();
            for (String k : keys) {
                String name = k.substring(k.lastIndexOf('/') + 1);
                if (name.endsWith(".wav")) {
                    audio.put(name.substring(0, name.length() - 4), k);
                } else if (name.endsWith(".json")) {
                    sidecars.add(name.substring(0, name.length() - 5));
                }
            }
            assertThat(keys).as("audio and sidecar, nothing else").hasSize(2 * total);
            assertThat(audio.keySet()).as("the audio stored").isEqualTo(genuine.keySet());
            assertThat(sidecars).as("the sidecars stored").isEqualTo(genuine.keySet());
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (Map.Entry<String, String> e : audio.entrySet()) {
                String expected = genuine.get(e.getKey()).sha256(Format.WAV);
                checks.add(s3.getObject(b -> b.bucket(bucket).key(e.getValue()), AsyncResponseTransformer.toBytes())
                        .thenAccept(bytes -> assertThat(sha256(bytes.asByteArray())).as(e.getValue())
                                .isEqualTo(expected)));
                if (checks.size() >= 32) {
                    CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();
                    checks.clear();
                }
            }
            CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();

            List<WireRecorder.Request> puts = wire.requests("PutObject");
            List<String> sdkRetries = new ArrayList<>();
            Map<String, List<Integer>> putsByKey = new HashMap<>();
            List<WireRecorder.Request> all = wire.requests();
            for (int i = 0; i < all.size(); i++) {
                WireRecorder.Request r = all.get(i);
                // The AWS SDK's own retry of a failed attempt (amz-sdk-request: attempt=2...) is the same upload
                // resent, not the archive writing the key again: counted apart.
                String attempt = r.header("amz-sdk-request");
                if (attempt != null && !attempt.contains("attempt=1;") && !attempt.endsWith("attempt=1")) {
                    sdkRetries.add(r.operation() + " " + r.target() + " (" + attempt + ")");
                    continue;
                }
                if (r.operation().equals("PutObject") || r.operation().equals("CreateMultipartUpload")) {
                    String path = r.target().contains("?") ? r.target().substring(0, r.target().indexOf('?'))
                            : r.target();
                    putsByKey.computeIfAbsent(path, p -> new ArrayList<>()).add(i);
                }
            }
            assertThat(puts).as("uploads recorded").isNotEmpty();
            // A key is uploaded again only when a kill cut its first upload short: first before the kill, again
            // after, and no more keys than the killed process had uploads in flight (one per recording it was
            // working on, audio or sidecar; twice that for slack), whatever the timing.
            Map<Integer, Integer> againAfter = new HashMap<>();
            for (Map.Entry<String, List<Integer>> e : putsByKey.entrySet()) {
                List<Integer> at = e.getValue();
                if (at.size() == 1) {
                    continue;
                }
                assertThat(at).as("uploads of %s (request indexes; kills at %s)", e.getKey(), putsBeforeKills)
                        .hasSize(2);
                Integer kill = putsBeforeKills.stream().filter(k -> at.get(0) < k && at.get(1) >= k).findFirst()
                        .orElse(null);
                assertThat(kill).as("%s uploaded twice, not across a kill (indexes %s, kills %s; heads %s)",
                        e.getKey(), at, putsBeforeKills, at.stream().map(i -> all.get(i).headers()).toList())
                        .isNotNull();
                againAfter.merge(kill, 1, Integer::sum);
            }
            System.out.println("ListenEndToEndIT: " + sdkRetries.size() + " S3 requests retried by the SDK"
                    + (sdkRetries.isEmpty() ? "" : ", e.g. " + sdkRetries.get(0)));
            againAfter.forEach((kill, n) -> assertThat(n).as("keys uploaded again after the kill at %d", kill)
                    .isLessThanOrEqualTo(2 * concurrency));
        }

        void assertNoForgedRecordingWasAskedFor() {
            assertThat(forged).isNotEmpty();
            List<RecordedRequest> requests = api.recordedRequests();
            assertThat(requests.size()).as("the request log kept everything").isLessThan(200_000);
            for (RecordedRequest r : requests) {
                for (String sid : forged) {
                    assertThat(r.target()).as("a request for a forged recording").doesNotContain(sid);
                }
            }
            // The testkit's own wrongly signed deliveries: refused every time they reached a listen.
            for (CallbackDelivery d : api.callbackDeliveries()) {
                if (d.fault() == CallbackFault.WRONG_SIGNATURE) {
                    assertThat(d.attemptStatuses()).as(d.toString()).noneMatch(s -> s >= 200 && s < 300);
                }
            }
        }
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).continuationToken(t)).join();
            page.contents().stream().map(S3Object::key).forEach(keys::add);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------- the processes

    Listener listen(RecordingsServer api, String name, int port, String inbox, URI publicUrl) throws Exception {
        Path keyFile = tmp.resolve("key");
        if (!Files.exists(keyFile)) {
            Files.writeString(keyFile, KEY + "\n");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                "-jar", System.getProperty("recordings.jar"), "listen", "--port", String.valueOf(port),
                "--base-url", api.baseUrl().toString(),
                "--to", "s3://" + bucket + "/calls", "--s3-endpoint", wire.endpoint().toString(), "--s3-path-style",
                "--inbox", inbox, "--signing-key-file", keyFile.toString(), "--reconcile-every", "2s",
                "--concurrency", "4", "--lease", "5s"));
        if (publicUrl != null) {
            command.addAll(List.of("--public-url", publicUrl.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIGNALWIRE_") || k.startsWith("AWS_") || k.startsWith("PG"));
        env.put("SIGNALWIRE_PROJECT_ID", PROJECT);
        env.put("SIGNALWIRE_API_TOKEN", TOKEN);
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");
        Listener l = new Listener(name, pb.start(), port);
        listeners.add(l);
        l.awaitListening();
        return l;
    }

    final class Listener {
        final String name;
        final Process process;
        final URI url;
        final int port;

        Listener(String name, Process process, int port) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.url = URI.create("http://127.0.0.1:" + port + "/recordings/events");
        }

        String out() {
            return read(tmp.resolve(name + ".out"));
        }

        String err() {
            return read(tmp.resolve(name + ".err"));
        }

        long stored() {
            return out().lines().filter(l -> l.startsWith("stored ")).count();
        }

        int sweeps() {
            return (int) err().lines().filter(l -> l.contains("reconcile sweep: ")).count();
        }

        void awaitListening() throws InterruptedException {
            await(Duration.ofSeconds(60), () -> {
                assertAlive();
                return err().contains("listening on");
            }, name + " listening");
        }

        void assertAlive() {
            assertThat(process.isAlive()).as("%s running%s", name, report()).isTrue();
        }

        /** SIGKILL; returns how many S3 requests crossed the wire before. */
        int kill(WireRecorder wire) throws InterruptedException {
            assertAlive();
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // What it sent before dying is in the kernel's buffers; let the recorder read it. Nobody else can upload
            // its keys again before its lease (5 s) runs out.
            Thread.sleep(2000);
            return wire.requests().size();
        }

        /** Never ran out of its 128 MiB, and SIGTERM stops it with exit 0. */
        void assertBoundedAndStopsCleanly() throws Exception {
            assertAlive();
            new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(report()).isTrue();
            assertThat(process.exitValue()).as(report()).isZero();
            assertThat(err()).doesNotContain("OutOfMemoryError").doesNotContain(KEY);
            assertThat(out()).doesNotContain(KEY);
        }

        String report() {
            return "\n" + name + " stderr (tail):\n" + tail(err());
        }
    }

    static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static void await(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
