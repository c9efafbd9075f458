package dev.laml.recordings.events;

import dev.laml.recordings.events.RecordingEvents.Answer;
import dev.laml.recordings.events.RecordingEvents.Request;
import dev.laml.recordings.events.RecordingInbox.State;
import dev.laml.recordings.events.internal.JdbcInbox;
import dev.laml.recordings.webhooks.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Every answer of the receiver, with signatures computed here from the recipe with javax.crypto.Mac. */
class RecordingEventsTest {

    static final String KEY = "PSK_current_key_0123456789";
    static final String OLD_KEY = "PSK_previous_key_abcdef";
    static final String ACCOUNT = "0a1b2c3d-0000-4000-8000-000000000001";
    static final String PUBLIC = "https://hooks.example.com/recordings/events";
    static final URI API = URI.create("https://example.signalwire.com");
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    RecordingInbox inbox;
    final List<InboxEvent> accepted = new ArrayList<>();

    @BeforeEach
    void open() {
        inbox = RecordingInbox.sqlite(tmp.resolve("inbox.db"));
    }

    @AfterEach
    void close() {
        inbox.close();
    }

    RecordingEvents.Builder events() {
        return RecordingEvents.builder().signature(WebhookSignature.of(KEY, OLD_KEY)).publicUrl(URI.create(PUBLIC))
                .apiBaseUrl(API).accountSid(ACCOUNT).inbox(inbox).onAccepted(accepted::add);
    }

    static Map<String, List<String>> callback(String sid, String status) {
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("AccountSid", List.of(ACCOUNT));
        f.put("CallSid", List.of(UUID.randomUUID().toString()));
        f.put("RecordingSid", List.of(sid));
        f.put("RecordingUrl", List.of(API + "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + sid));
        f.put("RecordingStatus", List.of(status));
        f.put("RecordingDuration", List.of("12"));
        f.put("RecordingChannels", List.of("1"));
        f.put("RecordingSource", List.of("RecordVerb"));
        return f;
    }

    static byte[] formBody(Map<String, List<String>> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, vs) -> vs.forEach(v -> {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        }));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The form scheme: Base64 HMAC-SHA1 over the URL, then each name and value, sorted by name. */
    static String signForm(String key, String url, Map<String, List<String>> fields) throws Exception {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(fields).forEach((k, vs) -> vs.forEach(v -> data.append(k).append(v)));
        return Base64.getEncoder().encodeToString(hmac(key, data.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] hmac(String key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return mac.doFinal(data);
    }

    static Request post(String path, Map<String, List<String>> headers, byte[] body) {
        return new Request("POST", URI.create(path), headers, Flux.just(ByteBuffer.wrap(body)));
    }

    static Map<String, List<String>> formHeaders(String signature) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("content-type", List.of("application/x-www-form-urlencoded; charset=utf-8"));
        if (signature != null) {
            h.put("x-signalwire-signature", List.of(signature));
        }
        return h;
    }

    Answer send(RecordingEvents events, Request r) {
        return events.handle(r).block(WAIT);
    }

    Answer signedPost(RecordingEvents events, Map<String, List<String>> fields) throws Exception {
        return send(events, post("/recordings/events", formHeaders(signForm(KEY, PUBLIC, fields)), formBody(fields)));
    }

    static String sid() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aSignedCallbackIsAnswered204OnceStoredAndARepeatIsStoredOnce() throws Exception {
        RecordingEvents events = events().build();
        String sid = sid();
        Map<String, List<String>> fields = callback(sid, "completed");
        assertThat(signedPost(events, fields).status()).isEqualTo(204);
        // Durable before the answer: the row is there as soon as the 204 is.
        assertThat(inbox.entry(sid).block(WAIT)).isNotNull()
                .satisfies(e -> assertThat(e.status()).isEqualTo("completed"));
        assertThat(signedPost(events, fields).status()).isEqualTo(204);
        assertThat(inbox.counts().block(WAIT)).containsEntry(State.PENDING, 1L);
        assertThat(accepted).extracting(InboxEvent::recordingSid).containsExactly(sid);
    }

    @Test
    void aSignatureWithThePreviousKeyOrInTheTwilioHeaderIsAccepted() throws Exception {
        RecordingEvents events = events().build();
        Map<String, List<String>> fields = callback(sid(), "completed");
        Map<String, List<String>> h = formHeaders(null);
        h.put("X-Twilio-Signature", List.of(signForm(OLD_KEY, PUBLIC, fields)));
        assertThat(send(events, post("/recordings/events", h, formBody(fields))).status()).isEqualTo(204);
    }

    @Test
    void aMissingOrWrongSignatureIs403AndNothingIsStored() throws Exception {
        RecordingEvents events = events().build();
        Map<String, List<String>> fields = callback(sid(), "completed");
        byte[] body = formBody(fields);
        assertThat(send(events, post("/recordings/events", formHeaders(null), body)).status()).isEqualTo(403);
        assertThat(send(events, post("/recordings/events", formHeaders(""), body)).status()).isEqualTo(403);
        assertThat(send(events, post("/recordings/events", formHeaders(signForm("another key", PUBLIC, fields)), body))
                .status()).isEqualTo(403);
        // Signed, then a field changed.
        String signature = signForm(KEY, PUBLIC, fields);
        Map<String, List<String>> changed = new LinkedHashMap<>(fields);
        changed.put("RecordingSid", List.of(sid()));
        assertThat(send(events, post("/recordings/events", formHeaders(signature), formBody(changed))).status())
                .isEqualTo(403);
        assertThat(inbox.counts().block(WAIT).values()).allMatch(n -> n == 0);
        assertThat(accepted).isEmpty();
    }

    @Test
    void theSignedUrlIsThePublicOneNeverWhatHostOrForwardedHeadersClaim() throws Exception {
        RecordingEvents events = events().build();
        Map<String, List<String>> fields = callback(sid(), "completed");
        // An attacker who knows a key-less trick cannot move the check to a URL of their choosing: a signature over
        // the URL the headers describe is refused, one over the public URL accepted whatever the headers say.
        String claimed = "http://evil.example/recordings/events";
        Map<String, List<String>> h = formHeaders(signForm(KEY, claimed, fields));
        h.put("Host", List.of("evil.example"));
        h.put("X-Forwarded-Host", List.of("evil.example"));
        h.put("X-Forwarded-Proto", List.of("http"));
        assertThat(send(events, post("/recordings/events", h, formBody(fields))).status()).isEqualTo(403);
        Map<String, List<String>> h2 = formHeaders(signForm(KEY, PUBLIC, fields));
        h2.put("X-Forwarded-Host", List.of("evil.example"));
        assertThat(send(events, post("/internal/path", h2, formBody(fields))).status()).isEqualTo(204);
    }

    @Test
    void forwardedHeadersAreUsedOnlyWhenTrustedAndThenTheyDescribeTheSignedUrl() throws Exception {
        RecordingEvents events = RecordingEvents.builder().signature(WebhookSignature.of(KEY)).apiBaseUrl(API)
                .inbox(inbox).trustForwardedHeaders(true).build();
        Map<String, List<String>> fields = callback(sid(), "completed");
        Map<String, List<String>> h = formHeaders(signForm(KEY, "https://lb.example.com/recordings/events?t=1", fields));
        h.put("X-Forwarded-Proto", List.of("https"));
        h.put("X-Forwarded-Host", List.of("lb.example.com"));
        h.put("Host", List.of("10.0.0.7:8080"));
        assertThat(send(events, post("/recordings/events?t=1", h, formBody(fields))).status()).isEqualTo(204);
    }

    @Test
    void theRequestsQueryIsPartOfTheSignedUrl() throws Exception {
        RecordingEvents events = events().build();
        Map<String, List<String>> fields = callback(sid(), "completed");
        String signature = signForm(KEY, PUBLIC + "?tenant=7&x=a%27b", fields);
        assertThat(send(events, post("/recordings/events?tenant=7&x=a%27b", formHeaders(signature), formBody(fields)))
                .status()).isEqualTo(204);
        assertThat(send(events, post("/recordings/events?tenant=8&x=a%27b", formHeaders(signature), formBody(fields)))
                .status()).isEqualTo(403);
    }

    @Test
    void aSignedGetCarriesItsFieldsInTheQuery() throws Exception {
        RecordingEvents events = events().build();
        String sid = sid();
        String query = new String(formBody(callback(sid, "completed")), StandardCharsets.UTF_8);
        String url = PUBLIC + "?" + query;
        String signature = Base64.getEncoder().encodeToString(hmac(KEY, url.getBytes(StandardCharsets.UTF_8)));
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("X-SignalWire-Signature", List.of(signature));
        Answer a = send(events, new Request("GET", URI.create("/recordings/events?" + query), h, Flux.empty()));
        assertThat(a.status()).isEqualTo(204);
        assertThat(inbox.entry(sid).block(WAIT)).isNotNull();
    }

    @Test
    void aJsonCallbackInSignalWiresHexSchemeIsAccepted() throws Exception {
        RecordingEvents events = events().build();
        String sid = sid();
        String json = "{\"AccountSid\":\"" + ACCOUNT + "\",\"RecordingSid\":\"" + sid
                + "\",\"RecordingStatus\":\"completed\",\"RecordingDuration\":3}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] signed = (PUBLIC + json).getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("Content-Type", List.of("application/json"));
        h.put("X-SignalWire-Signature", List.of(HexFormat.of().formatHex(hmac(KEY, signed))));
        assertThat(send(events, post("/recordings/events", h, body)).status()).isEqualTo(204);
        assertThat(inbox.entry(sid).block(WAIT)).isNotNull();
        // The same body changed after signing.
        byte[] changed = json.replace("\"completed\"", "\"absent\"").getBytes(StandardCharsets.UTF_8);
        assertThat(send(events, post("/recordings/events", h, changed)).status()).isEqualTo(403);
        assertThat(MessageDigest.getInstance("SHA-256")).isNotNull();
    }

    @Test
    void aValidlySignedCallbackWithForeignOrMalformedFieldsIs400AndNotStored() throws Exception {
        RecordingEvents events = events().build();
        Map<String, List<String>> otherAccount = callback(sid(), "completed");
        String other = "0a1b2c3d-0000-4000-8000-000000000002";
        otherAccount.put("AccountSid", List.of(other));
        otherAccount.remove("RecordingUrl");
        assertThat(signedPost(events, otherAccount).status()).isEqualTo(400);

        Map<String, List<String>> otherHost = callback(sid(), "completed");
        otherHost.put("RecordingUrl", List.of("https://evil.example/api/laml/2010-04-01/Accounts/" + ACCOUNT
                + "/Recordings/" + otherHost.get("RecordingSid").get(0)));
        assertThat(signedPost(events, otherHost)).satisfies(a -> {
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.message()).isNotBlank();
        });

        Map<String, List<String>> otherSid = callback(sid(), "completed");
        otherSid.put("RecordingUrl", List.of(API + "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + sid()));
        assertThat(signedPost(events, otherSid).status()).isEqualTo(400);

        Map<String, List<String>> badSid = callback("../../etc", "completed");
        badSid.remove("RecordingUrl");
        assertThat(signedPost(events, badSid).status()).isEqualTo(400);

        Map<String, List<String>> noStatus = callback(sid(), "completed");
        noStatus.remove("RecordingStatus");
        assertThat(signedPost(events, noStatus).status()).isEqualTo(400);

        assertThat(inbox.counts().block(WAIT).values()).allMatch(n -> n == 0);
    }

    @Test
    void anotherMethodIs405AndAnotherContentTypeIs415() throws Exception {
        RecordingEvents events = events().build();
        Answer put = send(events, new Request("PUT", URI.create("/recordings/events"), Map.of(), Flux.empty()));
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.headers()).containsEntry("Allow", "POST, GET");
        Map<String, List<String>> fields = callback(sid(), "completed");
        Map<String, List<String>> h = formHeaders(signForm(KEY, PUBLIC, fields));
        h.put("content-type", List.of("text/plain"));
        assertThat(send(events, post("/recordings/events", h, formBody(fields))).status()).isEqualTo(415);
    }

    @Test
    void aBodyOverTheLimitIs413AndReadingStopsAtTheLimit() {
        RecordingEvents events = events().build();
        // Declared too large: refused without reading a byte.
        AtomicInteger subscribed = new AtomicInteger();
        Map<String, List<String>> h = formHeaders("x");
        h.put("Content-Length", List.of("70000"));
        Flux<ByteBuffer> never = Flux.<ByteBuffer>never().doOnSubscribe(s -> subscribed.incrementAndGet());
        assertThat(send(events, new Request("POST", URI.create("/recordings/events"), h, never)).status())
                .isEqualTo(413);
        assertThat(subscribed).hasValue(0);

        // Streamed without a length: 16 KiB chunks without end; at most five are asked for.
        AtomicLong produced = new AtomicLong();
        AtomicInteger cancelled = new AtomicInteger();
        Flux<ByteBuffer> endless = Flux.<ByteBuffer>generate(sink -> {
                    produced.incrementAndGet();
                    sink.next(ByteBuffer.wrap(new byte[16 * 1024]));
                })
                .doOnCancel(cancelled::incrementAndGet);
        Answer a = send(events, new Request("POST", URI.create("/recordings/events"), formHeaders("x"), endless));
        assertThat(a.status()).isEqualTo(413);
        assertThat(cancelled).as("the rest of the body is cancelled").hasValue(1);
        assertThat(produced.get()).as("read up to the first chunk past 64 KiB").isEqualTo(5);
        assertThat(inbox.counts().block(WAIT).values()).allMatch(n -> n == 0);
    }

    @Test
    void aFullInboxAndAStoppedReceiverAnswer503WithRetryAfter() throws Exception {
        inbox.close();
        inbox = JdbcInbox.sqlite(tmp.resolve("small.db"), 1);
        RecordingEvents events = events().build();
        assertThat(signedPost(events, callback(sid(), "completed")).status()).isEqualTo(204);
        Answer full = signedPost(events, callback(sid(), "completed"));
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.headers()).containsKey("Retry-After");

        events.stopAccepting();
        Answer stopping = signedPost(events, callback(sid(), "completed"));
        assertThat(stopping.status()).isEqualTo(503);
        assertThat(stopping.headers()).containsEntry("Retry-After", "5");
    }

    @Test
    void aClosedInboxIs503NotAnError() throws Exception {
        RecordingEvents events = events().build();
        inbox.close();
        assertThat(signedPost(events, callback(sid(), "completed")).status()).isEqualTo(503);
    }

    @Test
    void anInProgressThenCompletedCallbackUpdatesTheEntry() throws Exception {
        RecordingEvents events = events().build();
        String sid = sid();
        assertThat(signedPost(events, callback(sid, "in-progress")).status()).isEqualTo(204);
        assertThat(signedPost(events, callback(sid, "completed")).status()).isEqualTo(204);
        assertThat(inbox.entry(sid).block(WAIT).status()).isEqualTo("completed");
        assertThat(accepted).hasSize(2);
    }

    @Test
    void aReceiverWithoutPublicUrlOrTrustedHeadersCannotBeBuiltAndShowsNoKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordingEvents.builder()
                        .signature(WebhookSignature.of(KEY)).apiBaseUrl(API).inbox(inbox).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("public URL");
        assertThat(events().build().toString()).doesNotContain(KEY).doesNotContain(OLD_KEY);
    }
}
