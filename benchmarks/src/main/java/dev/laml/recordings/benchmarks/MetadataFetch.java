package dev.laml.recordings.benchmarks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import dev.laml.recordings.Recording;
import dev.laml.recordings.benchmarks.clients.NettyClients;
import dev.laml.recordings.benchmarks.server.BenchServer;
import dev.laml.recordings.reactor.RecordingsClient;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One operation = {@code concurrency} metadata fetches at once, all complete (Basic auth,
 * ~1 KiB JSON).
 * <ul>
 *   <li>{@code laml}: {@code RecordingsClient.fetch(account, sid)}, fully decoded (dates, enums,
 *       decimals).</li>
 *   <li>{@code reactorNettyJackson}: bare Reactor Netty, body aggregated to a byte[] and bound by
 *       Jackson's {@link ObjectMapper} to a small record (strings and numbers, dates left as
 *       text).</li>
 *   <li>{@code twilio}: twilio-java {@code Recording.fetcher(AC…, RE…).fetch(client)}: blocking,
 *       so run on a fixed pool of {@code concurrency} threads; its Apache HttpClient 5 pool is
 *       sized to the concurrency and a route planner sends {@code https://api.twilio.com} to the
 *       loopback server over plain HTTP (Twilio's URL, path, headers and parsing are untouched).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class MetadataFetch {

    @Param({"1", "64"})
    public int concurrency;

    @Param({"laml", "reactorNettyJackson", "twilio"})
    public String client;

    private BenchServer server;
    private RecordingsClient laml;
    private ConnectionProvider pool;
    private HttpClient http;
    private String url;
    private ObjectMapper mapper;
    private TwilioRestClient twilio;
    private ExecutorService threads;

    /** What the baseline binds: a small record, dates kept as text. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MiniRecording(
            @JsonProperty("sid") String sid,
            @JsonProperty("account_sid") String accountSid,
            @JsonProperty("call_sid") String callSid,
            @JsonProperty("channels") int channels,
            @JsonProperty("date_created") String dateCreated,
            @JsonProperty("duration") BigDecimal duration,
            @JsonProperty("price") BigDecimal price,
            @JsonProperty("status") String status,
            @JsonProperty("uri") String uri) {
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = BenchServer.start(false);
        switch (client) {
            case "laml" -> laml = RecordingsClient.builder().baseUrl(server.baseUrl())
                    .credentials(Fixtures.PROJECT_ID, Fixtures.API_TOKEN)
                    .maxConnections(concurrency).build();
            case "reactorNettyJackson" -> {
                pool = NettyClients.pool("bench-meta", concurrency);
                http = NettyClients.http(pool).headers(h -> h
                        .set(HttpHeaderNames.AUTHORIZATION, Fixtures.LAML_AUTHORIZATION)
                        .set(HttpHeaderNames.ACCEPT, "application/json"));
                url = server.baseUrl().resolve(Fixtures.metadataPath()).toString();
                mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            }
            case "twilio" -> {
                twilio = twilioClient(server.baseUrl().getPort(), concurrency);
                threads = Executors.newFixedThreadPool(concurrency);
            }
            default -> throw new IllegalArgumentException("unknown client " + client);
        }
        fetch();
    }

    /** A real TwilioRestClient whose HTTP client routes every request to the loopback server. */
    static TwilioRestClient twilioClient(int port, int connections) {
        HttpHost loopback = new HttpHost("http", "127.0.0.1", port);
        HttpClientBuilder apache = HttpClientBuilder.create()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(connections)
                        .setMaxConnPerRoute(connections)
                        .build())
                .setRoutePlanner((target, context) -> new HttpRoute(loopback));
        return new TwilioRestClient.Builder(Fixtures.TWILIO_ACCOUNT, Fixtures.TWILIO_AUTH_TOKEN)
                .httpClient(new NetworkHttpClient(apache))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (laml != null) {
            laml.close();
        }
        if (pool != null) {
            pool.dispose();
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    @Benchmark
    public long fetch() throws Exception {
        long acc = 0;
        switch (client) {
            case "laml" -> {
                List<Mono<Recording>> all = new ArrayList<>(concurrency);
                for (int i = 0; i < concurrency; i++) {
                    all.add(laml.fetch(Fixtures.ACCOUNT, Fixtures.METADATA_SID));
                }
                for (Object r : Mono.zip(all, results -> results).block(Duration.ofMinutes(1))) {
                    acc += check(((Recording) r).sid(), ((Recording) r).duration().getSeconds());
                }
            }
            case "reactorNettyJackson" -> {
                List<Mono<MiniRecording>> all = new ArrayList<>(concurrency);
                for (int i = 0; i < concurrency; i++) {
                    all.add(http.get().uri(url).responseSingle((res, body) -> {
                        if (res.status().code() != 200) {
                            return Mono.error(new IllegalStateException("HTTP " + res.status()));
                        }
                        return body.asByteArray().map(this::bind);
                    }));
                }
                for (Object r : Mono.zip(all, results -> results).block(Duration.ofMinutes(1))) {
                    acc += check(((MiniRecording) r).sid(), ((MiniRecording) r).duration().longValue());
                }
            }
            default -> {
                List<Future<com.twilio.rest.api.v2010.account.Recording>> all = new ArrayList<>(concurrency);
                for (int i = 0; i < concurrency; i++) {
                    all.add(threads.submit(() -> com.twilio.rest.api.v2010.account.Recording
                            .fetcher(Fixtures.TWILIO_ACCOUNT, Fixtures.TWILIO_RECORDING).fetch(twilio)));
                }
                for (Future<com.twilio.rest.api.v2010.account.Recording> f : all) {
                    com.twilio.rest.api.v2010.account.Recording r = f.get(1, TimeUnit.MINUTES);
                    acc += check(r.getSid(), Long.parseLong(r.getDuration()));
                }
            }
        }
        return acc;
    }

    private MiniRecording bind(byte[] bytes) {
        try {
            return mapper.readValue(bytes, MiniRecording.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long check(String sid, long durationSeconds) {
        if (sid == null || durationSeconds != 4) {
            throw new IllegalStateException("unexpected recording " + sid + " / " + durationSeconds);
        }
        return sid.length() + durationSeconds;
    }
}
