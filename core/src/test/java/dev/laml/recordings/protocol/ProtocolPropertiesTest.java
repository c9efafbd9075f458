package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ByteRange;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.TestData;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.internal.Validation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response side of core, fuzzed without a socket: whatever status, headers and body a server or proxy sends,
 * every decoder returns a value or throws an {@link ApiException} or a {@link TransferException}, never anything
 * else (no {@code IllegalArgumentException}, no Jackson or JDK parsing exception, no {@code NullPointerException}),
 * and no message carries a line break from the answer. Bodies are the fixtures mutated (bytes flipped, cut,
 * duplicated, fields given hostile values) or plain noise; header values mix noise with the values that break
 * parsers (signs, overflowing numbers, inverted ranges, impossible dates, control bytes).
 *
 * <p>Bounded by {@code tries} so that the class runs in about 15 s in {@code mvn verify}; {@code -Pfuzz-long}
 * multiplies them ({@link TriesFactor}). A failure jqwik finds is reported with its seed; each one found so far is a
 * named regression test in {@link ProtocolRegressionsTest}.
 */
@AddLifecycleHook(TriesFactor.class)
class ProtocolPropertiesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final RecordingsProtocol PROTOCOL = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(TestData.credentials())
            .clock(CLOCK)
            .build();
    /** {@code Retry-After} has no public reader of its own (it reaches users inside a 429's exception). */
    private static final Responses RESPONSES = new Responses(CLOCK);
    private static final ApiRequest FETCH = PROTOCOL.fetch(TestData.ACCOUNT_SID, TestData.RECORDING_SID);
    private static final ApiRequest MEDIA = PROTOCOL.media(TestData.ACCOUNT_SID, TestData.RECORDING_SID,
            AudioFormat.MP3);
    private static final ApiRequest LIST = PROTOCOL.list(TestData.ACCOUNT_SID, RecordingQuery.all());

    private static final List<String> HEADER_NAMES = List.of("Content-Length", "Content-Range", "Content-Type",
            "Content-Encoding", "Transfer-Encoding", "Location", "Retry-After", "ETag", "Last-Modified");

    /** Values that have broken parsers before, or were meant to. */
    private static final List<String> HOSTILE = List.of("", " ", "-1", "-0", "+5", " 7 ", "0x10", "1e3", "1.5",
            "00000000000000000000000012", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "99999999999999999999999", "bytes */100", "bytes */-1", "bytes */", "bytes 0-0/1", "bytes 5-4/10",
            "bytes 0-9/5", "bytes -5-10/20", "bytes 0-9223372036854775807/*",
            "bytes 9223372036854775806-9223372036854775807/9223372036854775807", "bytes 0-9/9223372036854775808",
            "BYTES 0-9/10", "bytes=0-9/10", "bytes 0 - 9 / 10", "bytes 0-9/10,", "items 0-9/10",
            "gzip", "GZIP", "x-gzip", "br", "gzip, deflate", "identity", "chunked", "gzip, chunked", "chunked, gzip",
            "W/\"x\"", "\"v1\"", "\"", "W/", "Tue, 25 Sep 2018 23:00:00 GMT", "Tue, 31 Feb 2018 23:00:00 GMT",
            "Mon, 01 Jan 0000 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 10000 00:00:00 GMT",
            "Thu, 01 Jan 1970 00:00:00 +9999", "Thu, 01 Jan 1970 00:00:00 -2400", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "/x", "//evil.example/x", "http://", "https://", "https://[::1",
            "https://example.signalwire.com:99999/x", "https://example.signalwire.com:-1/x", "http://user:pw@host/",
            "javascript:alert(1)", "mailto:a@b", "urn:x", "?", "?q=1", "#frag", "%", "%zz", "/%2e%2e/%2e%2e/",
            "..", "/../../..", "\\\\evil", "https://example.signalwire.com/api/laml/2010-04-01/Accounts/x/Recordings.json",
            "https://EXAMPLE.signalwire.com./x", "https://127.0.0.1/x", "http://[::1]:80/x", "https://example.signalwire.com:443",
            "audio/mpeg", "audio/", "application/json; charset=utf-8", "text/html", ";", "\u0000", "\r\n", "\u00ff\u00fe",
            "\uD800", "\u202e", "a".repeat(5000));

    private static final List<String> FIXTURES = List.of("recording-spec.json", "recording-loose-numbers.json",
            "recording-in-progress-unknown-enums.json", "recordings-page.json", "error-401.json", "error-404.json",
            "error-errors-array.json", "error-404.xml");

    private static final List<String> FIELDS = List.of("sid", "account_sid", "call_sid", "channels", "channel",
            "date_created", "date_updated", "start_time", "end_time", "duration", "price", "price_unit", "source",
            "status", "error_code", "uri", "trim", "api_version", "recordings", "page", "page_size", "next_page_uri",
            "code", "message", "more_info", "status", "errors");

    private static final List<String> JSON_VALUES = List.of("null", "true", "[]", "{}", "[[[[[]]]]]", "0", "-1", "1e999",
            "-1e-999", "1.7976931348623157E309", "99999999999999999999", "-99999999999999999999", "1e18", "-0.0000001",
            "\"\"", "\"-1\"", "\"1e3\"", "\"9999999999999999999999\"", "\"NaN\"", "\"Infinity\"", "\"0x1F\"",
            "\"\\u0000\"", "\"\\r\\nFORGED\"", "\"x\"", "\"19E436AF-5688-4307-B03B-BDB2B42B8142\"",
            "\"Tue, 25 Sep 2018 23:00:00 +9999\"", "\"Tue, 25 Sep 2018 24:00:00 +0000\"", "\"Mon, 01 Jan 0000 00:00:00 +0000\"",
            "\"-\"", "\"https://evil.example/x\"", "\"/api/laml/2010-04-01/Accounts/x/Recordings.json?PageToken=\\u0001\"",
            "[{\"sid\": 1}]", "[1, 2]", "{\"sid\": \"x\"}", "\"" + "9".repeat(70) + "\"", "9".repeat(70));

    // ------------------------------------------------------------------ the contract

    /** Runs {@code call}: a value, or one of the library's typed errors with a one-line message. */
    private static <T> T typed(Callable<T> call) {
        try {
            return call.call();
        } catch (ApiException | TransferException e) {
            assertThat(e.getMessage()).as("one line: nothing from the answer may forge a log line")
                    .doesNotContain("\r", "\n");
            return null;
        } catch (Throwable t) {
            throw new AssertionError("not a typed error: " + t, t);
        }
    }

    private static HeaderLookup lookup(Map<String, String> head) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(head);
        return name -> map.get(name.toLowerCase(Locale.ROOT));
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 4000)
    void decodeRecordingGivesARecordingOrATypedError(@ForAll("statuses") int status, @ForAll("reasons") String reason,
            @ForAll("heads") Map<String, String> head, @ForAll("bodies") byte[] body) {
        Recording r = typed(() -> PROTOCOL.decodeRecording(FETCH, status, reason, lookup(head), body));
        if (r != null) {
            assertThat(Validation.isUuid(r.sid())).as("a decoded sid is a UUID").isTrue();
            assertThat(r.channels()).isPositive();
        }
    }

    @Property(tries = 4000)
    void decodePageGivesAPageOrATypedError(@ForAll("statuses") int status, @ForAll("heads") Map<String, String> head,
            @ForAll("bodies") byte[] body) {
        RecordingPage page = typed(() -> PROTOCOL.decodePage(LIST, status, "OK", lookup(head), body));
        if (page != null && page.nextPageUri() != null) {
            ApiRequest next = typed(() -> PROTOCOL.nextPage(LIST, page.nextPageUri()));
            if (next != null) {
                assertThat(next.uri().getHost()).as("paging never leaves the endpoint").isEqualTo("example.signalwire.com");
            }
        }
    }

    @Property(tries = 3000)
    void errorAlwaysTypesTheAnswer(@ForAll("statuses") int status, @ForAll("reasons") String reason,
            @ForAll("heads") Map<String, String> head, @ForAll("bodies") byte[] body) {
        ApiException e = PROTOCOL.error(MEDIA, status, reason, lookup(head), body);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.getMessage()).doesNotContain("\r", "\n", TestData.TOKEN, TestData.BASIC_B64);
        PROTOCOL.checkDeleted(FETCH, 204, null, lookup(head), body);
        typed(() -> {
            PROTOCOL.checkDeleted(FETCH, status, reason, lookup(head), body);
            return null;
        });
    }

    @Property(tries = 3000)
    void rangeAnswerIsAnAnswerOrATypedError(@ForAll("ranges") ByteRange asked, @ForAll("statuses") int status,
            @ForAll("heads") Map<String, String> head) {
        RecordingsProtocol.RangeAnswer answer = typed(() -> PROTOCOL.rangeAnswer(MEDIA, asked, status, lookup(head)));
        if (answer != null) {
            assertThat(answer.skip()).isNotNegative();
            assertThat(answer.deliver()).isGreaterThanOrEqualTo(-1);
            typed(answer::contentRange);
        }
    }

    @Property(tries = 3000)
    void continuationContinuesOrIsATypedError(@ForAll("statuses") int status, @ForAll("heads") Map<String, String> head,
            @ForAll("offsets") long from, @ForAll("offsets") long to, @ForAll("offsets") long total,
            @ForAll("headerValues") String validator) {
        // The download's own state, which the adapter keeps consistent: a resume starts at 0 or later and, for a
        // range, at or before its last byte. Only the answer is hostile.
        long offset = Math.max(0, from);
        long last = to < 0 ? -1 : Math.max(offset, to);
        RecordingsProtocol.Continuation c = typed(() -> PROTOCOL.continuation(MEDIA, status, lookup(head), offset, last,
                total, validator));
        if (c != null) {
            assertThat(c.skip()).isNotNegative();
        }
    }

    @Property(tries = 5000)
    void redirectFollowsOrIsATypedError(@ForAll("redirectStatuses") int status, @ForAll("heads") Map<String, String> head,
            @ForAll("headerValues") String location) {
        Map<String, String> withLocation = new TreeMap<>(head);
        if (location != null) {
            withLocation.put("Location", location);
        }
        List<URI> visited = new ArrayList<>(List.of(FETCH.uri()));
        ApiRequest next = typed(() -> PROTOCOL.redirect(FETCH, status, lookup(withLocation), visited));
        if (next != null && !PROTOCOL.endpoint().isSameOrigin(next.uri())) {
            assertThat(next.isAuthenticated()).as("credentials never leave their origin").isFalse();
        }
        ApiRequest media = typed(() -> PROTOCOL.redirect(MEDIA, status, lookup(withLocation), visited));
        if (media != null) {
            assertThat(media.uri().getScheme()).isEqualToIgnoringCase("https");
        }
    }

    @Property(tries = 3000)
    void headerReadersNeverThrow(@ForAll("heads") Map<String, String> head, @ForAll("headerValues") String value) {
        HeaderLookup h = lookup(head);
        assertThat(PROTOCOL.contentLength(h)).isGreaterThanOrEqualTo(-1);
        PROTOCOL.contentCoding(h);
        String validator = PROTOCOL.resumeValidator(h);
        if (validator != null) {
            assertThat(validator).as("sendable back in If-Range").isNotEmpty().doesNotContain("\r", "\n", "\u0000");
        }
        PROTOCOL.lastModified(h);
        var retryAfter = RESPONSES.retryAfter(value);
        if (retryAfter != null) {
            assertThat(retryAfter.isNegative()).isFalse();
        }
        assertThat(ByteRanges.contentRange416(value)).isGreaterThanOrEqualTo(-1);
        long[] range = ByteRanges.contentRange(value);
        if (range != null) {
            assertThat(range[0]).isNotNegative();
            assertThat(range[1]).isGreaterThanOrEqualTo(range[0]);
        }
        typed(() -> PROTOCOL.nextPage(LIST, value));
    }

    @Property(tries = 3000)
    void aCodedBodyDecodesOrIsAZipException(@ForAll("codedBodies") byte[] coded, @ForAll("chunkSizes") int chunk,
            @ForAll("codings") RecordingsProtocol.ContentCoding coding) {
        try (ContentDecoder decoder = new ContentDecoder(coding)) {
            long out = 0;
            for (int at = 0; at < coded.length; at += chunk) {
                decoder.feed(Arrays.copyOfRange(coded, at, Math.min(coded.length, at + chunk)));
                for (byte[] b; (b = decoder.read(4096)) != null; ) {
                    out += b.length;
                    assertThat(out).as("bounded by what gzip can inflate to").isLessThan(1L << 32);
                }
            }
            decoder.finish();
        } catch (ZipException expected) {
            assertThat(PROTOCOL.undecodableBody(MEDIA, 200, coding, expected).getMessage()).doesNotContain("\n");
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 416, 429, 500,
                        502, 503, 504)),
                Tuple.of(1, Arbitraries.integers().between(100, 999)),
                Tuple.of(1, Arbitraries.integers()));
    }

    @Provide
    Arbitrary<Integer> redirectStatuses() {
        return Arbitraries.of(301, 302, 303, 307, 308);
    }

    @Provide
    Arbitrary<String> reasons() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("OK", "Not Found", "", "Too Many Requests")),
                Tuple.of(1, Arbitraries.just(null)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(120)));
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(HOSTILE)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(2, Arbitraries.strings().withChars("0123456789 -+/*,bytes").ofMaxLength(30)),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(1, Combinators.combine(Arbitraries.longs().between(-5, Long.MAX_VALUE),
                        Arbitraries.longs().between(-5, Long.MAX_VALUE), Arbitraries.longs().between(-5, Long.MAX_VALUE))
                        .as((a, b, c) -> "bytes " + a + "-" + b + "/" + c)),
                Tuple.of(1, Arbitraries.just(null)));
    }

    @Provide
    Arbitrary<Map<String, String>> heads() {
        List<Arbitrary<String>> values = new ArrayList<>();
        for (int i = 0; i < HEADER_NAMES.size(); i++) {
            values.add(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(null)), Tuple.of(2, headerValues())));
        }
        return Combinators.combine(values).as(list -> {
            Map<String, String> head = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) != null) {
                    head.put(HEADER_NAMES.get(i), list.get(i));
                }
            }
            return head;
        });
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(FIXTURES).map(TestData::fixture)),
                Tuple.of(8, Combinators.combine(Arbitraries.of(FIXTURES), Arbitraries.longs(),
                        Arbitraries.integers().between(1, 4)).as((name, seed, n) -> mutate(TestData.fixture(name),
                        new Random(seed), n))),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8))));
    }

    @Provide
    Arbitrary<ByteRange> ranges() {
        Arbitrary<Long> small = Arbitraries.longs().between(0, 2000);
        Arbitrary<Long> any = Arbitraries.longs().between(0, Long.MAX_VALUE);
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(null)),
                Tuple.of(2, Combinators.combine(small, small).as((a, b) -> ByteRange.of(Math.min(a, b), Math.max(a, b)))),
                Tuple.of(1, Combinators.combine(any, any).as((a, b) -> ByteRange.of(Math.min(a, b), Math.max(a, b)))),
                Tuple.of(1, small.map(ByteRange::from)),
                Tuple.of(1, any.map(ByteRange::from)),
                Tuple.of(1, Arbitraries.longs().between(1, Long.MAX_VALUE).map(ByteRange::last)));
    }

    @Provide
    Arbitrary<Long> offsets() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(-1, 5000)),
                Tuple.of(1, Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MAX_VALUE - 1)),
                Tuple.of(1, Arbitraries.longs().between(-1, Long.MAX_VALUE)));
    }

    @Provide
    Arbitrary<byte[]> codedBodies() {
        Arbitrary<byte[]> plain = Arbitraries.of(FIXTURES).map(TestData::fixture);
        return Arbitraries.frequencyOf(
                Tuple.of(1, plain.map(ProtocolPropertiesTest::gzip)),
                Tuple.of(5, Combinators.combine(plain, Arbitraries.longs(), Arbitraries.integers().between(1, 3))
                        .as((p, seed, n) -> mutate(gzip(p), new Random(seed), n))),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)));
    }

    @Provide
    Arbitrary<Integer> chunkSizes() {
        return Arbitraries.of(1, 2, 3, 7, 64, 1000, 1 << 20);
    }

    @Provide
    Arbitrary<RecordingsProtocol.ContentCoding> codings() {
        return Arbitraries.of(RecordingsProtocol.ContentCoding.GZIP, RecordingsProtocol.ContentCoding.DEFLATE);
    }

    // ------------------------------------------------------------------ mutations

    /** Applies {@code n} mutations, each chosen by {@code random}: structural (bytes) or semantic (a field's value). */
    static byte[] mutate(byte[] original, Random random, int n) {
        byte[] b = original;
        for (int i = 0; i < n; i++) {
            b = switch (random.nextInt(7)) {
                case 0 -> flip(b, random);
                case 1 -> cut(b, random);
                case 2 -> delete(b, random);
                case 3 -> insert(b, random);
                case 4 -> duplicate(b, random);
                default -> replaceField(b, random);
            };
        }
        return b;
    }

    private static byte[] flip(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        byte[] c = b.clone();
        c[random.nextInt(c.length)] ^= (byte) (1 << random.nextInt(8));
        return c;
    }

    private static byte[] cut(byte[] b, Random random) {
        return Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
    }

    private static byte[] delete(byte[] b, Random random) {
        if (b.length < 2) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(16));
        byte[] c = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, c, 0, from);
        System.arraycopy(b, to, c, from, b.length - to);
        return c;
    }

    private static byte[] insert(byte[] b, Random random) {
        byte[] noise = new byte[1 + random.nextInt(8)];
        random.nextBytes(noise);
        if (random.nextBoolean()) {
            noise = "{}[]\",:\\".substring(random.nextInt(8)).getBytes(StandardCharsets.US_ASCII);
        }
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(noise);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static byte[] duplicate(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(64));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, to);
        out.write(b, from, b.length - from);
        return out.toByteArray();
    }

    /** Gives a JSON field (somewhere in the document) a hostile value, as text: {@code "duration": 1e999}. */
    private static byte[] replaceField(byte[] b, Random random) {
        String text = new String(b, StandardCharsets.UTF_8);
        String field = "\"" + FIELDS.get(random.nextInt(FIELDS.size())) + "\"";
        int at = text.indexOf(field);
        if (at < 0) {
            return b;
        }
        int colon = text.indexOf(':', at + field.length());
        if (colon < 0) {
            return b;
        }
        int end = colon + 1;
        boolean inString = false;
        for (; end < text.length(); end++) {
            char c = text.charAt(end);
            if (c == '"' && text.charAt(end - 1) != '\\') {
                inString = !inString;
            } else if (!inString && (c == ',' || c == '}' || c == ']')) {
                break;
            }
        }
        String value = JSON_VALUES.get(random.nextInt(JSON_VALUES.size()));
        return (text.substring(0, colon + 1) + " " + value + text.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
