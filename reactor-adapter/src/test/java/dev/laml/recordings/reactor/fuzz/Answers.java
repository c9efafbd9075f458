package dev.laml.recordings.reactor.fuzz;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import dev.laml.recordings.reactor.fuzz.Answer.Op;
import dev.laml.recordings.testkit.Fault;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static dev.laml.recordings.reactor.fuzz.Answer.concat;
import static dev.laml.recordings.reactor.fuzz.Answer.latin1;
import static dev.laml.recordings.reactor.fuzz.Answer.utf8;

/**
 * Makes answers from a {@link Random}: valid ones in many shapes (framing by length, chunks or close; gzip,
 * deflate or none; odd but legal heads), then hostile edits of their heads (status lines, header names and values,
 * lengths, codings, line ends, redirects) and of their bodies (truncations, bit flips, chunk corruption, broken
 * codings, bytes after the end). Each edit says what it does to the verdict (see {@link Answer}): only the edits
 * whose outcome is certain keep or set one; everything else leaves "a typed end, whatever it is".
 *
 * <p>Deterministic: the same seed gives the same bytes, so that a seed reproduces a failure.
 */
final class Answers {

    /** The account and recording every fuzzed request names: the fixtures', unknown to the testkit. */
    static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";

    private static final RecordingsProtocol PROTOCOL = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .build();
    private static final ApiRequest FETCH = PROTOCOL.fetch(ACCOUNT, RECORDING);
    private static final ApiRequest LIST = PROTOCOL.list(ACCOUNT, RecordingQuery.all());

    static final List<String> RECORDING_FIXTURES = List.of("recording-spec.json", "recording-loose-numbers.json",
            "recording-in-progress-unknown-enums.json");
    static final List<String> ERROR_FIXTURES = List.of("error-401.json", "error-404.json", "error-404.xml",
            "error-errors-array.json");

    /** Header values that have broken parsers before, or were meant to (core's list, and more). */
    static final List<String> HOSTILE = List.of("", " ", "-1", "-0", "+5", " 7 ", "0x10", "1e3", "1.5",
            "00000000000000000000000012", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "99999999999999999999999", "bytes */100", "bytes */-1", "bytes 0-0/1", "bytes 5-4/10", "bytes 0-9/5",
            "bytes -5-10/20", "bytes 0-9223372036854775807/*", "BYTES 0-9/10", "bytes=0-9/10", "items 0-9/10",
            "gzip", "GZIP", "x-gzip", "br", "gzip, deflate", "identity", "chunked", "gzip, chunked", "chunked, gzip",
            "W/\"x\"", "\"v1\"", "\"", "W/", "Tue, 25 Sep 2018 23:00:00 GMT", "Tue, 31 Feb 2018 23:00:00 GMT",
            "Mon, 01 Jan 0000 00:00:00 GMT", "Sat, 01 Jan 10000 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 +9999",
            "Sun Nov  6 08:49:37 1994", "/x", "http://", "https://", "https://[::1", "audio/mpeg", "audio/",
            "application/json; charset=utf-8", "text/html", ";", "\u0000", "\u0007", "\u001b[31m", "\u007f", "\u00ff\u00fe",
            "a\tb", "%", "%zz", "/%2e%2e/%2e%2e/", "close", "keep-alive", "upgrade", "a".repeat(5000),
            "a".repeat(17 * 1024));

    /** Unicode that reaches the wire as UTF-8 bytes (obs-text to an HTTP parser). */
    private static final List<String> UNICODE = List.of("Ça va", "✓ ok", "日本語", "\uD83C\uDFB5", "\u202Eevil",
            "\uFEFFbom", "\u00A0nbsp", "Ünïcödé");

    private Answers() {
    }

    // ------------------------------------------------------------------ valid answers

    /**
     * A valid answer to {@code op} in a random shape. {@code odd} also allows shapes that are legal but rare (an
     * interim 1xx before the answer, HTTP/1.0, obs-text in the reason phrase, chunk extensions and trailers, a
     * gzip header with optional fields): the client must read those exactly too.
     */
    static Answer valid(Op op, Random r, boolean odd) {
        return switch (op) {
            case DOWNLOAD, OPEN -> audio(op, r, odd);
            case FETCH -> {
                byte[] json = fixture(pick(r, RECORDING_FIXTURES));
                Answer a = metadata(op, json, r, odd);
                a.expected = PROTOCOL.decodeRecording(FETCH, 200, "OK", name -> null, json);
                yield a;
            }
            case LIST_PAGE -> {
                byte[] json = fixture("recordings-page.json");
                Answer a = metadata(op, json, r, odd);
                a.expected = PROTOCOL.decodePage(LIST, 200, "OK", name -> null, json);
                yield a;
            }
            case DELETE -> deleted(r, odd);
        };
    }

    private static Answer audio(Op op, Random r, boolean odd) {
        Answer a = new Answer(op);
        byte[] payload = payload(r);
        a.payload = payload;
        a.expected = payload;
        a.status("HTTP/1.1 200 " + reason(r, odd));
        String type = pick(r, java.util.Arrays.asList("audio/x-wav", "audio/wav", "audio/mpeg", "application/octet-stream",
                "audio/mpeg; charset=binary", "Audio/X-WAV", "binary/octet-stream", null));
        if (type != null) {
            a.header(name(r, "Content-Type"), type);
        }
        if (r.nextInt(3) > 0) {
            a.etag = r.nextInt(4) == 0 ? "W/\"w" + r.nextInt(1000) + "\"" : "\"e" + Long.toHexString(r.nextLong()) + "\"";
            a.header(name(r, "ETag"), a.etag);
        }
        if (r.nextBoolean()) {
            a.header(name(r, "Last-Modified"), "Tue, 25 Sep 2018 23:00:0" + r.nextInt(10) + " GMT");
        }
        a.body = code(a, payload, r, odd);
        frame(a, r, odd, true);
        extras(a, r, odd);
        return a;
    }

    private static Answer metadata(Op op, byte[] json, Random r, boolean odd) {
        Answer a = new Answer(op);
        a.status("HTTP/1.1 200 " + reason(r, odd));
        String type = pick(r, java.util.Arrays.asList("application/json", "application/json; charset=utf-8",
                "APPLICATION/JSON", "text/json", null));
        if (type != null) {
            a.header(name(r, "Content-Type"), type);
        }
        a.payload = json;
        a.body = code(a, json, r, odd);
        frame(a, r, odd, true);
        extras(a, r, odd);
        return a;
    }

    private static Answer deleted(Random r, boolean odd) {
        Answer a = new Answer(Op.DELETE);
        a.expected = Boolean.TRUE;
        switch (r.nextInt(4)) {
            case 0, 1 -> {
                a.status("HTTP/1.1 204 " + (r.nextBoolean() ? "No Content" : reason(r, odd)));
                if (r.nextBoolean()) {
                    a.header(name(r, "Content-Length"), "0");
                }
                if (r.nextInt(3) == 0) {
                    a.end = Fault.After.STALL;
                    a.header("Connection", "close");
                }
            }
            default -> {
                a.status("HTTP/1.1 " + (r.nextBoolean() ? "200 OK" : "202 Accepted"));
                a.header("Content-Type", "application/json");
                a.body = code(a, latin1(r.nextBoolean() ? "{}" : "{\"deleted\": true}"), r, odd);
                frame(a, r, odd, true);
            }
        }
        extras(a, r, odd);
        return a;
    }

    /** Headers that change nothing: caching, tracing, cookies, a Retry-After on a success. */
    private static void extras(Answer a, Random r, boolean odd) {
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(8)) {
                case 0 -> a.header(name(r, "Date"), "Tue, 25 Sep 2018 23:00:00 GMT");
                case 1 -> a.header(name(r, "Server"), "fuzz/1.0");
                case 2 -> a.header(name(r, "Cache-Control"), "private, max-age=0");
                case 3 -> a.header("X-Request-Id", Long.toHexString(r.nextLong()));
                case 4 -> a.header(name(r, "Set-Cookie"), "session=abc; Path=/; HttpOnly");
                case 5 -> a.header(name(r, "Retry-After"), String.valueOf(r.nextInt(100)));
                case 6 -> a.header(name(r, "Accept-Ranges"), "bytes");
                default -> a.header("X-Empty", "");
            }
        }
        if (odd && r.nextInt(4) == 0) {
            // obs-text: legal in a field value (RFC 9110 5.5), here as UTF-8.
            a.header("X-Note", utf8(pick(r, UNICODE)));
        }
        if (odd && r.nextInt(8) == 0) {
            a.header("X-Padded", "  spaced value\t ");
        }
        // Header order is free.
        List<String> headers = new ArrayList<>(a.lines.subList(1, a.lines.size()));
        Collections.shuffle(headers, r);
        for (int i = 0; i < headers.size(); i++) {
            a.lines.set(i + 1, headers.get(i));
        }
        if (odd && r.nextInt(6) == 0) {
            // Interim answers a client must read past (RFC 9110 15.2), whether or not it expected one.
            a.lines.set(0, (r.nextBoolean() ? "HTTP/1.1 100 Continue\r\n\r\n"
                    : "HTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n") + a.lines.get(0));
            a.note("interim 1xx first");
        }
        if (odd && r.nextInt(10) == 0 && !a.has("Transfer-Encoding")) {
            a.lines.set(0, a.lines.get(0).replaceFirst("^HTTP/1\\.1", "HTTP/1.0"));
            a.note("HTTP/1.0");
        }
    }

    /** The body coded gzip, x-gzip or deflate (zlib or raw), or left alone, with the matching header. */
    private static byte[] code(Answer a, byte[] plain, Random r, boolean odd) {
        switch (r.nextInt(10)) {
            case 0, 1 -> {
                a.header(name(r, "Content-Encoding"), r.nextInt(4) == 0 ? "x-gzip" : odd && r.nextBoolean() ? "GZip" : "gzip");
                a.note("gzip");
                a.coding = "gzip";
                return odd && r.nextInt(3) == 0 ? gzipWithFields(plain, r) : gzip(plain);
            }
            case 2 -> {
                a.header(name(r, "Content-Encoding"), "deflate");
                boolean raw = r.nextBoolean();
                a.note(raw ? "raw deflate" : "zlib deflate");
                a.coding = raw ? "raw deflate" : "zlib deflate";
                return deflate(plain, raw);
            }
            case 3 -> {
                if (odd) {
                    a.header(name(r, "Content-Encoding"), "identity");
                }
                return plain;
            }
            default -> {
                return plain;
            }
        }
    }

    /** Frames {@code a.body}: Content-Length, chunked, or (when allowed) up to the close. */
    private static void frame(Answer a, Random r, boolean odd, boolean mayClose) {
        int kind = r.nextInt(mayClose ? 10 : 8);
        if (kind < 5) {
            a.header(name(r, "Content-Length"), (odd && r.nextInt(8) == 0 ? "00" : "") + a.body.length);
        } else if (kind < 8) {
            a.header(name(r, "Transfer-Encoding"), odd && r.nextInt(6) == 0 ? "Chunked" : "chunked");
            a.body = chunked(a.body, r, odd, a);
            a.chunked = true;
            a.note("chunked");
        } else {
            a.note("until close");
            a.end = Fault.After.CLOSE;
            return;
        }
        if (r.nextInt(8) == 0) {
            // The answer is complete: a server that then neither closes nor sends more, having said it would close.
            a.end = Fault.After.STALL;
            a.header("Connection", "close");
        }
    }

    /** Chunked framing in random pieces; {@code odd}: hex case, leading zeros, extensions, trailers. */
    static byte[] chunked(byte[] data, Random r, boolean odd, Answer a) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        boolean ext = odd && r.nextInt(4) == 0;
        boolean upper = r.nextBoolean();
        while (at < data.length) {
            int n = Math.min(data.length - at, chunkSize(r));
            String size = Integer.toHexString(n);
            size = upper ? size.toUpperCase(Locale.ROOT) : size;
            if (odd && r.nextInt(10) == 0) {
                size = "000" + size;
            }
            out.writeBytes(latin1(size + (ext ? ";name=value;q=\"quoted ;\"" : "") + "\r\n"));
            out.write(data, at, n);
            out.writeBytes(latin1("\r\n"));
            at += n;
        }
        out.writeBytes(latin1("0" + (ext ? ";last" : "") + "\r\n"));
        if (odd && r.nextInt(4) == 0) {
            out.writeBytes(latin1("X-Checksum: abc\r\n"));
            a.note("trailer");
        }
        out.writeBytes(latin1("\r\n"));
        if (ext) {
            a.note("chunk extensions");
        }
        return out.toByteArray();
    }

    private static int chunkSize(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> 1 + r.nextInt(8);
            case 1 -> 1 + r.nextInt(500);
            case 2 -> 1 + r.nextInt(8192);
            case 3 -> 1 + r.nextInt(70_000);
            default -> 1 + r.nextInt(2048);
        };
    }

    private static byte[] payload(Random r) {
        int size = switch (r.nextInt(12)) {
            case 0 -> 0;
            case 1 -> 1 + r.nextInt(16);
            case 2, 3, 4 -> 16 + r.nextInt(1000);
            case 5, 6, 7 -> 1000 + r.nextInt(20_000);
            case 8, 9 -> 60_000 + r.nextInt(10_000);
            case 10 -> 100_000 + r.nextInt(100_000);
            default -> 2 + r.nextInt(300);
        };
        byte[] b = new byte[size];
        if (r.nextBoolean()) {
            r.nextBytes(b);
        } else {
            // Compressible, like silence in a WAV: a deflate chunk that inflates many times over.
            for (int i = 0; i < size; i++) {
                b[i] = (byte) ((i / 64) % 7);
            }
        }
        if (size >= 4) {
            System.arraycopy(latin1("RIFF"), 0, b, 0, 4);
        }
        return b;
    }

    /** A reason phrase: the usual, empty, or (odd) with obs-text, which RFC 9112 allows. */
    private static String reason(Random r, boolean odd) {
        int k = r.nextInt(odd ? 6 : 4);
        return switch (k) {
            case 0, 1 -> "OK";
            case 2 -> "";
            case 3 -> "Fine by me";
            case 4 -> utf8(pick(r, UNICODE));
            default -> "\u00e9t\u00e9";
        };
    }

    /** A header name in a random case: names are case-insensitive. */
    private static String name(Random r, String name) {
        return switch (r.nextInt(6)) {
            case 0 -> name.toLowerCase(Locale.ROOT);
            case 1 -> name.toUpperCase(Locale.ROOT);
            default -> name;
        };
    }

    // ------------------------------------------------------------------ hostile heads

    /** One hostile edit of the head; see the class comment for how verdicts change. */
    static void hostileHead(Answer a, Random r, int loopbackPort) {
        switch (r.nextInt(15)) {
            case 0 -> statusCode(a, r);
            case 1 -> reasonPhrase(a, r);
            case 2 -> version(a, r);
            case 3 -> lineEnds(a, r);
            case 4, 5 -> addHeader(a, r);
            case 6, 7 -> contentLength(a, r);
            case 8 -> transferEncoding(a, r);
            case 9 -> contentEncoding(a, r);
            case 10 -> redirect(a, r, loopbackPort);
            case 11 -> errorStatus(a, r);
            case 12 -> {
                String prefix = pick(r, List.of("\r\n", "\n", " ", "HTTP/1.1 100 Continue\r\n\r\n",
                        "HTTP/1.1 102 Processing\r\n\r\n", "\u0000", "garbage\r\n", "HTTP/1.1 101 Switching Protocols\r\n\r\n"));
                a.lines.set(0, prefix + a.lines.get(0));
                if (prefix.startsWith("HTTP/1.1 10") && !prefix.contains("101")) {
                    a.mayFail("interim answer first");
                } else {
                    a.undetermined("prefix " + Answer.escape(latin1(prefix), 20));
                }
            }
            case 13 -> partialContent(a, r);
            default -> manyHeaders(a, r);
        }
    }

    /** Sometimes, as the last edit: the head cut short, then a close or a stall. */
    static void maybeCutHead(Answer a, Random r) {
        if (r.nextInt(8) == 0) {
            truncateHead(a, r);
        }
    }

    private static void statusCode(Answer a, Random r) {
        String code = r.nextInt(3) == 0 ? String.valueOf(100 + r.nextInt(900))
                : pick(r, List.of("0", "1", "99", "1000", "2OO", "20", "2000", "-200", "+200", "0200", " 200", "200.0",
                "99999999999", utf8("２００"), "", "600", "999", "199", "299", "304", "207"));
        String rest = a.lines.get(0);
        int interim = rest.lastIndexOf("\r\n\r\n");
        String prefix = interim < 0 ? "" : rest.substring(0, interim + 4);
        a.lines.set(0, prefix + "HTTP/1.1 " + code + " Whatever\r\n");
        int n = parse3(code);
        if (n >= 400 && n <= 599) {
            a.statusFails("status " + code);
        } else {
            a.undetermined("status " + Answer.escape(latin1(code), 20));
            a.statusFails = false;
            if (a.bodiless()) {
                a.framingFails = false;
            }
        }
    }

    private static int parse3(String code) {
        return code.length() == 3 && code.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(code) : -1;
    }

    private static void reasonPhrase(Answer a, Random r) {
        String reason = pick(r, List.of("", "\u0000", "\u0001\u0002", "\u007f", "\u001b[31mred", utf8(pick(r, UNICODE)),
                "x".repeat(4100), "O\rK", "tab\there", "\u00ff"));
        String line = a.lines.get(0);
        int at = Math.max(0, line.lastIndexOf("HTTP/"));
        String head = line.substring(0, at);
        String[] parts = line.substring(at).trim().split(" ", 3);
        a.lines.set(0, head + parts[0] + " " + (parts.length > 1 ? parts[1] : "200")
                + (reason.isEmpty() && r.nextBoolean() ? "" : " " + reason) + "\r\n");
        if (reason.contains("\r")) {
            a.undetermined("reason with CR");
        } else {
            a.mayFail("reason " + Answer.escape(latin1(reason), 20));
        }
    }

    private static void version(Answer a, Random r) {
        String v = pick(r, List.of("HTTP/1.0", "HTTP/1.2", "HTTP/2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.1 ",
                "ICY", "RTSP/1.0", "HTTP/11", "", "HTTP/1.1\t", "HTTP/9.9"));
        String line = a.lines.get(0);
        int at = line.lastIndexOf("HTTP/1.1");
        if (at < 0) {
            a.undetermined("version on an odd line");
            return;
        }
        a.lines.set(0, line.substring(0, at) + v + line.substring(at + "HTTP/1.1".length()));
        if (v.equals("HTTP/1.0") && !a.has("Transfer-Encoding")) {
            a.mayFail("HTTP/1.0");
        } else {
            a.undetermined("version " + Answer.escape(latin1(v), 20));
        }
    }

    private static void lineEnds(Answer a, Random r) {
        int i = 1 + r.nextInt(Math.max(1, a.lines.size() - 1));
        if (i >= a.lines.size()) {
            a.headEnd = "\n";
            a.mayFail("head ends in a bare LF");
            return;
        }
        String line = a.lines.get(i);
        String bare = line.replaceAll("[\r\n]+$", "");
        switch (r.nextInt(6)) {
            case 0 -> {
                a.lines.set(i, bare + "\n");
                a.mayFail("bare LF");
            }
            case 1 -> {
                a.lines.set(i, bare + "\r");
                a.undetermined("bare CR");
            }
            case 2 -> {
                a.lines.add(i + 1, " folded continuation\r\n");
                a.undetermined("obs-fold");
            }
            case 3 -> {
                a.lines.add(i, "No colon on this line\r\n");
                a.undetermined("line without colon");
            }
            case 4 -> {
                a.lines.set(i, bare.replaceFirst(":", " :") + "\r\n");
                a.undetermined("space before colon");
            }
            default -> {
                a.lines.add(i, ": empty name\r\n");
                a.undetermined("empty header name");
            }
        }
    }

    private static final List<String> HEADER_NAMES = List.of("Content-Length", "Transfer-Encoding", "Content-Encoding",
            "Content-Type", "Content-Range", "Location", "Retry-After", "ETag", "Last-Modified", "Connection", "Keep-Alive",
            "Trailer", "Upgrade", "Proxy-Connection", "WWW-Authenticate", "Content-Disposition", "X-Fuzz", "X-Fuzz",
            "X-Fuzz", " X-Lead", "X Y", "X\u0000Nul", "X\u00e9", "X(Y)", "X:Y", "\u007f");

    private static void addHeader(Answer a, Random r) {
        String name = pick(r, HEADER_NAMES);
        String value = switch (r.nextInt(5)) {
            case 0, 1 -> pick(r, HOSTILE);
            case 2 -> utf8(pick(r, UNICODE));
            case 3 -> randomText(r, 1 + r.nextInt(60));
            default -> "v" + r.nextInt(100);
        };
        a.lines.add(1 + r.nextInt(a.lines.size()), name + ": " + value + "\r\n");
        String label = "header " + Answer.escape(latin1(name), 30) + ": " + Answer.escape(latin1(value), 30);
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Content-Encoding")) {
            reframing(a);
        }
        boolean framingOrCoding = name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Content-Encoding") || name.equalsIgnoreCase("Content-Range")
                || name.equalsIgnoreCase("Content-Type") && isAudio(a) || name.equalsIgnoreCase("Upgrade")
                || name.equalsIgnoreCase("Location") && !a.statusCode().equals("200")
                || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
        if (framingOrCoding || value.contains("\r") || value.contains("\n")) {
            a.undetermined(label);
        } else {
            a.mayFail(label);
        }
    }

    /**
     * Before an edit of the framing: once an earlier edit broke it (a cut, a length past the body), a later one may
     * complete it again (more bytes, a new length), so the verdict is no longer certain.
     */
    private static void reframing(Answer a) {
        if (a.framingFails) {
            a.framingFails = false;
            a.undetermined("framing edited after an edit broke it");
        }
    }

    private static void contentLength(Answer a, Random r) {
        reframing(a);
        if (a.bodiless()) {
            // No body, whatever the length says: the client must ignore it (and then the bytes are left over).
            a.replace("Content-Length", pick(r, List.of("1", "100", "-1", "99999999999999999999999", "0x10")));
            a.undetermined("Content-Length on a " + a.finalCode());
            return;
        }
        String declared = a.value("Content-Length");
        if (declared == null) {
            if (a.has("Transfer-Encoding")) {
                a.header("Content-Length", String.valueOf(r.nextInt(3) == 0 ? a.body.length : r.nextInt(1000)));
                a.mayFail("Content-Length beside chunked");
            } else {
                a.header("Content-Length", pick(r, List.of("-1", "0x10", "99999999999999999999999", "1e3", "")));
                a.undetermined("Content-Length on a close-delimited body");
            }
            return;
        }
        if (!declared.matches("[0-9]{1,18}")) {
            a.replace("Content-Length", String.valueOf(r.nextInt(100)));
            a.undetermined("Content-Length replaced again");
            return;
        }
        long n = Long.parseLong(declared);
        switch (r.nextInt(6)) {
            case 0 -> {
                String v = pick(r, List.of("-1", "-0", "+" + n, n + ", " + n, n + "," + n, "0x" + Long.toHexString(n),
                        n + ".0", n + " " + n, "", "99999999999999999999999", "9223372036854775807", "9223372036854775808",
                        n + "\u0000", "\u00a0" + n, "٣"));
                a.replace("Content-Length", v);
                a.undetermined("Content-Length " + Answer.escape(latin1(v), 30));
            }
            case 1 -> {
                a.replace("Content-Length", " " + n + " \t");
                a.mayFail("Content-Length with white space");
            }
            case 2 -> {
                if (n == 0) {
                    // Past the body itself, not past the declared length: an earlier edit may have declared 0 for a
                    // body that has bytes.
                    a.replace("Content-Length", String.valueOf(a.body.length + 1));
                    if (a.chunked || a.after.length > 0) {
                        a.undetermined("Content-Length past the body");
                    } else {
                        a.fails("Content-Length past the body");
                    }
                    return;
                }
                long smaller = r.nextInt((int) Math.min(n, Integer.MAX_VALUE));
                a.replace("Content-Length", String.valueOf(smaller));
                if (a.chunked) {
                    a.mayFail("Content-Length " + smaller + " beside chunked");
                } else if (isAudio(a) && isIdentity(a)) {
                    // Identity audio framed by length is exactly the body's first bytes.
                    a.expect(java.util.Arrays.copyOf(a.body, (int) smaller), "Content-Length " + smaller + " of " + n
                            + " (the rest is left over)");
                } else if (!isIdentity(a)) {
                    // Cut at a gzip member's end, a coded body is a shorter valid one.
                    a.undetermined("Content-Length " + smaller + " of " + n + " of a coded body");
                } else {
                    a.mayFail("Content-Length " + smaller + " of " + n);
                }
            }
            case 3 -> {
                // Past the body, which an earlier edit ("replaced again") may have declared shorter than it is: past
                // that declaration only, the client rightly reads the declared bytes and leaves the rest.
                a.replace("Content-Length", String.valueOf(Math.max(n, a.body.length) + 1 + r.nextInt(1000)));
                if (a.chunked || a.after.length > 0) {
                    a.undetermined("Content-Length past the body");
                } else {
                    a.fails("Content-Length past the body");
                }
            }
            case 4 -> {
                a.header("Content-Length", r.nextBoolean() ? String.valueOf(n) : String.valueOf(n + 1));
                a.undetermined("two Content-Lengths");
            }
            default -> {
                a.remove("Content-Length");
                if (a.chunked) {
                    a.mayFail("no Content-Length beside chunked");
                } else if (a.after.length > 0) {
                    a.undetermined("no Content-Length, bytes after the body");
                } else if (a.end == Fault.After.STALL) {
                    a.fails("no length, no close");
                } else if (isAudio(a) && isIdentity(a)) {
                    // All of the body, whatever length an earlier edit had declared.
                    a.expect(a.body.clone(), "no Content-Length: the body runs to the close");
                } else {
                    a.mayFail("no Content-Length: the body runs to the close");
                }
            }
        }
    }

    private static void transferEncoding(Answer a, Random r) {
        reframing(a);
        boolean chunked = a.has("Transfer-Encoding");
        String v = pick(r, List.of("Chunked", "CHUNKED", " chunked ", "chunked, chunked", "identity, chunked",
                "gzip, chunked", "chunked, gzip", "chunked;q=1", "identity", "", "x-chunked", "chunked\u0000"));
        if (chunked && r.nextInt(4) == 0) {
            a.header("Transfer-Encoding", "chunked");
            a.undetermined("two Transfer-Encoding lines");
            return;
        }
        a.replace("Transfer-Encoding", v);
        if (chunked && (v.trim().equalsIgnoreCase("chunked"))) {
            a.mayFail("Transfer-Encoding " + Answer.escape(latin1(v), 20));
        } else {
            a.undetermined("Transfer-Encoding " + Answer.escape(latin1(v), 20) + (chunked ? "" : " on an unchunked body"));
        }
    }

    private static void contentEncoding(Answer a, Random r) {
        reframing(a);
        String existing = a.value("Content-Encoding");
        boolean coded = existing != null && !existing.equalsIgnoreCase("identity");
        switch (r.nextInt(4)) {
            case 0 -> {
                // A second Content-Encoding line: the codings are the two lines together (RFC 9110 5.3), applied
                // in order. The body is coded twice to match, so only decoding twice gives the payload.
                if (coded || a.payload == null || a.has("Transfer-Encoding") && !a.chunked || a.after.length > 0) {
                    a.header("Content-Encoding", "gzip");
                    a.undetermined("a second Content-Encoding line");
                    return;
                }
                boolean length = a.has("Content-Length");
                byte[] twice = gzip(gzip(a.payload));
                a.remove("Content-Encoding");
                a.header("Content-Encoding", "gzip");
                a.header("Content-Encoding", "gzip");
                a.remove("Content-Length");
                a.remove("Transfer-Encoding");
                if (length) {
                    a.header("Content-Length", String.valueOf(twice.length));
                    a.body = twice;
                } else if (a.chunked) {
                    a.header("Transfer-Encoding", "chunked");
                    a.body = chunked(twice, r, false, a);
                } else {
                    a.body = twice;
                }
                a.coding = "gzip, gzip";
                a.mayFail("gzip twice, one Content-Encoding line per coding");
            }
            case 1 -> {
                if (!coded) {
                    String label = pick(r, List.of("gzip", "x-gzip", "deflate"));
                    a.replace("Content-Encoding", label);
                    boolean empty = a.payload == null || a.payload.length == 0;
                    if (!empty && label.contains("gzip") && a.payload.length > 1 && (a.payload[0] & 0xff) != 0x1f) {
                        a.fails("a plain body labelled " + label);
                    } else {
                        a.undetermined("a plain body labelled " + label);
                    }
                } else {
                    a.replace("Content-Encoding", existing.toUpperCase(Locale.ROOT));
                    a.mayFail("Content-Encoding in capitals");
                }
            }
            case 2 -> {
                String v = pick(r, List.of("br", "compress", "zstd", "gzip, gzip", "identity, gzip", "gzip;q=1", "*",
                        "aes128gcm", "gzip\u0000"));
                a.replace("Content-Encoding", v);
                a.undetermined("Content-Encoding " + Answer.escape(latin1(v), 20));
            }
            default -> {
                a.replace("Content-Encoding", coded ? " " + existing + " " : "identity");
                a.mayFail("Content-Encoding padded or identity");
            }
        }
    }

    private static void redirect(Answer a, Random r, int loopbackPort) {
        int status = pick(r, List.of(301, 302, 303, 307, 308, 300, 304, 305, 306));
        String path = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + RECORDING + ".wav";
        String location = pick(r, List.of(path, "x", "./x", "../../x", "//127.0.0.1:" + loopbackPort + path,
                "http://127.0.0.1:" + loopbackPort + path, "http://localhost:" + loopbackPort + "/x",
                "https://127.0.0.1:" + loopbackPort + path, "http://127.0.0.1:1/x", "http://[::1]:1/x",
                "ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "https://[::1", "",
                "/x y", "/%zz", "/\u0001", "/x\u0000y", utf8("/ü"), "/" + "a".repeat(9000), "?q=1", "#frag",
                "http://user:pw@127.0.0.1:1/x", "http://127.0.0.1:99999/x"));
        String rest = a.lines.get(0);
        a.lines.set(0, "HTTP/1.1 " + status + " Moved\r\n");
        if (rest.contains("\r\n\r\n")) {
            a.lines.set(0, rest.substring(0, rest.lastIndexOf("\r\n\r\n") + 4) + a.lines.get(0));
        }
        if (r.nextInt(5) > 0) {
            a.header("Location", location);
        }
        // Every target either is refused or ends at the testkit, which knows neither account nor recording.
        a.statusFails("redirect " + status + " to " + Answer.escape(latin1(location), 40));
    }

    private static void errorStatus(Answer a, Random r) {
        int status = pick(r, List.of(400, 401, 403, 404, 405, 410, 416, 429, 500, 502, 503, 504, 418, 451, 599));
        String rest = a.lines.get(0);
        String prefix = rest.contains("\r\n\r\n") ? rest.substring(0, rest.lastIndexOf("\r\n\r\n") + 4) : "";
        a.lines.set(0, prefix + "HTTP/1.1 " + status + " Error\r\n");
        if (r.nextBoolean()) {
            a.header("Retry-After", pick(r, HOSTILE));
        }
        if (status == 416 && r.nextBoolean()) {
            a.header("Content-Range", pick(r, HOSTILE));
        }
        a.statusFails("status " + status);
    }

    private static void partialContent(Answer a, Random r) {
        String rest = a.lines.get(0);
        String prefix = rest.contains("\r\n\r\n") ? rest.substring(0, rest.lastIndexOf("\r\n\r\n") + 4) : "";
        a.lines.set(0, prefix + "HTTP/1.1 206 Partial Content\r\n");
        long n = a.payload == null ? 0 : a.payload.length;
        String range = pick(r, List.of(n == 0 ? "bytes */0" : "bytes 0-" + (n - 1) + "/" + n, "bytes 0-" + (n - 1) + "/*",
                "bytes 1-" + n + "/" + (n + 1), "bytes */" + n, pick(r, HOSTILE)));
        if (r.nextInt(4) > 0) {
            a.header("Content-Range", range);
        }
        a.statusFails = false;
        a.undetermined("206 " + Answer.escape(latin1(range), 30));
    }

    private static void manyHeaders(Answer a, Random r) {
        int n = r.nextBoolean() ? 200 + r.nextInt(100) : 600 + r.nextInt(400);
        for (int i = 0; i < n; i++) {
            a.lines.add(1, "X-Many-" + i + ": " + "v".repeat(r.nextInt(20)) + "\r\n");
        }
        a.mayFail(n + " more headers");
    }

    private static void truncateHead(Answer a, Random r) {
        byte[] head = latin1(String.join("", a.lines));
        int cut = r.nextInt(Math.max(1, head.length));
        a.lines.clear();
        a.lines.add(new String(head, 0, Math.max(1, cut), StandardCharsets.ISO_8859_1));
        a.headEnd = "";
        a.body = new byte[0];
        a.after = new byte[0];
        a.end = r.nextInt(3) == 0 ? Fault.After.STALL : Fault.After.CLOSE;
        a.fails("head cut after " + cut + " bytes, then " + a.end);
    }

    // ------------------------------------------------------------------ hostile bodies

    /** One hostile edit of the body or its framing. */
    static void hostileBody(Answer a, Random r) {
        reframing(a);
        boolean chunked = a.chunked;
        switch (r.nextInt(chunked ? 9 : 7)) {
            case 0, 1 -> truncateBody(a, r);
            case 2 -> flip(a, r);
            case 3 -> codingDamage(a, r);
            case 4 -> excess(a, r);
            case 5 -> {
                if (a.payload != null && a.payload.length > 0 && !a.has("Content-Encoding")) {
                    // A gzip stream of the payload in a body labelled plain: delivered as the server sent it.
                    byte[] gz = gzip(a.payload);
                    reframe(a, gz, r);
                    if (isAudio(a)) {
                        a.expect(gz, "gzip bytes, no Content-Encoding");
                    } else {
                        a.undetermined("gzip bytes, no Content-Encoding");
                    }
                } else {
                    truncateBody(a, r);
                }
            }
            case 6 -> contentLength(a, r);
            default -> chunkDamage(a, r);
        }
    }

    private static void truncateBody(Answer a, Random r) {
        if (a.bodiless()) {
            a.end = Fault.After.STALL;
            a.note("a " + a.finalCode() + ", then a stall");
            return;
        }
        boolean chunked = a.chunked;
        boolean byLength = a.has("Content-Length") && !chunked;
        if (a.body.length == 0) {
            a.end = Fault.After.STALL;
            if (byLength || chunked || a.has("Connection")) {
                a.note("empty body, then a stall");
            } else {
                a.fails("a body to the close that never closes");
            }
            return;
        }
        int cut = r.nextInt(a.body.length);
        a.after = new byte[0];
        a.end = r.nextInt(8) == 0 ? Fault.After.STALL : Fault.After.CLOSE;
        if (byLength) {
            String declared = a.value("Content-Length");
            long length = declared != null && declared.matches("[0-9]{1,18}") ? Long.parseLong(declared) : -1;
            a.deliveredAtBreak = isIdentity(a) ? cut : -1;
            a.body = java.util.Arrays.copyOf(a.body, cut);
            if (length >= 0 && cut >= length) {
                a.note("body cut at " + cut + ", past its Content-Length " + length + ", then " + a.end);
            } else if (length < 0) {
                a.undetermined("body of an odd Content-Length cut at " + cut + ", then " + a.end);
            } else {
                a.fails("body cut at " + cut + " of its Content-Length, then " + a.end);
            }
        } else if (chunked) {
            int lastChunk = lastChunkStart(a.body);
            a.body = java.util.Arrays.copyOf(a.body, cut);
            if (lastChunk < 0) {
                a.undetermined("damaged chunks cut at " + cut + ", then " + a.end);
            } else if (cut <= lastChunk) {
                a.fails("chunks cut at " + cut + ", then " + a.end);
            } else {
                a.mayFail("cut in the last chunk or trailers at " + cut + ", then " + a.end);
            }
        } else if (a.end == Fault.After.STALL) {
            a.body = java.util.Arrays.copyOf(a.body, cut);
            a.fails("a body to the close that stalls");
        } else {
            a.body = java.util.Arrays.copyOf(a.body, cut);
            if (isIdentity(a) && isAudio(a)) {
                a.expect(a.expected instanceof byte[] e ? java.util.Arrays.copyOf(e, cut) : null,
                        "body to the close, closed at " + cut);
            } else if (isIdentity(a)) {
                a.mayFail("metadata to the close, closed at " + cut);
            } else {
                a.fails("a coded body to the close, closed at " + cut);
            }
        }
    }

    /**
     * Where "0" of the last chunk starts, so that a cut before it leaves the body incomplete; -1 when the chunks
     * are no longer well-formed (an earlier edit).
     */
    private static int lastChunkStart(byte[] chunkedBody) {
        String s = new String(chunkedBody, StandardCharsets.ISO_8859_1);
        int at = 0;
        try {
            while (at < s.length()) {
                int eol = s.indexOf("\r\n", at);
                if (eol < 0) {
                    return -1;
                }
                String sizeLine = s.substring(at, eol);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    return at;
                }
                if (size < 0 || eol + 4L + size > s.length()) {
                    return -1;
                }
                at = (int) (eol + 2 + size + 2);
            }
        } catch (NumberFormatException notAChunk) {
            return -1;
        }
        return -1;
    }

    private static void flip(Answer a, Random r) {
        if (a.body.length == 0) {
            truncateBody(a, r);
            return;
        }
        if (a.chunked) {
            int i = r.nextInt(a.body.length);
            a.body = a.body.clone();
            a.body[i] ^= (byte) (1 << r.nextInt(8));
            a.undetermined("bit flipped in the chunked body at " + i);
            return;
        }
        int i = r.nextInt(a.body.length);
        a.body = a.body.clone();
        a.body[i] ^= (byte) (1 << r.nextInt(8));
        if (isIdentity(a) && isAudio(a)) {
            // The audio is the body's first bytes (all of them, or as many as an edited Content-Length says).
            int n = a.expected instanceof byte[] e ? e.length : a.body.length;
            a.expect(java.util.Arrays.copyOf(a.body, n), "bit flipped at " + i + " (delivered as sent)");
        } else if (isIdentity(a)) {
            a.undetermined("bit flipped in metadata at " + i);
        } else if (!a.coding.equals("gzip") && !a.coding.equals("zlib deflate")) {
            a.undetermined("bit flipped in raw deflate (no checksum) at " + i);
        } else {
            // gzip's CRC-32 and zlib's Adler-32 see a flipped bit in the data; one in a header field that does not
            // shape the data (gzip's MTIME, XFL, OS) changes nothing. Either way: the payload or an error.
            a.mayFail("bit flipped in the coded body at " + i);
        }
    }

    private static void codingDamage(Answer a, Random r) {
        if (a.payload == null) {
            flip(a, r);
            return;
        }
        switch (r.nextInt(4)) {
            case 0 -> {
                byte[] two = concat(gzip(a.payload), gzip(latin1("second member")));
                a.remove("Content-Encoding");
                a.header("Content-Encoding", "gzip");
                reframe(a, two, r);
                a.coding = "gzip";
                if (isAudio(a)) {
                    a.expect(concat(a.payload, latin1("second member")), "two gzip members");
                } else {
                    a.undetermined("two gzip members");
                }
            }
            case 1 -> {
                byte[] tail = concat(gzip(a.payload), pick(r, List.of(latin1("\n"), new byte[]{0}, latin1("trailing garbage"))));
                a.remove("Content-Encoding");
                a.header("Content-Encoding", "gzip");
                reframe(a, tail, r);
                a.fails("bytes after the gzip stream");
            }
            case 2 -> {
                byte[] gz = gzip(a.payload);
                byte[] cut = java.util.Arrays.copyOf(gz, r.nextInt(gz.length));
                a.remove("Content-Encoding");
                a.header("Content-Encoding", r.nextBoolean() ? "gzip" : "x-gzip");
                reframe(a, cut, r);
                a.fails("gzip stream cut at " + cut.length + " of " + gz.length + " (framing intact)");
            }
            default -> {
                byte[] noise = new byte[1 + r.nextInt(300)];
                r.nextBytes(noise);
                noise[0] = (byte) 0x1f;
                noise[1 % noise.length] = (byte) 0x8b;
                a.remove("Content-Encoding");
                a.header("Content-Encoding", "gzip");
                reframe(a, noise, r);
                a.undetermined("gzip magic then noise");
            }
        }
    }

    /** Replaces the body keeping the answer's kind of framing. */
    private static void reframe(Answer a, byte[] body, Random r) {
        if (a.chunked) {
            a.body = chunked(body, r, false, a);
        } else {
            a.body = body;
            if (a.has("Content-Length")) {
                a.replace("Content-Length", String.valueOf(body.length));
            }
        }
    }

    private static void excess(Answer a, Random r) {
        byte[] extra = switch (r.nextInt(4)) {
            case 0 -> latin1("garbage after the answer\r\n\r\n");
            case 1 -> latin1("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nContent-Length: 4\r\n\r\nEVIL");
            case 2 -> latin1("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            default -> {
                byte[] b = new byte[1 + r.nextInt(2000)];
                r.nextBytes(b);
                yield b;
            }
        };
        a.after = extra;
        if (r.nextInt(4) == 0) {
            a.end = Fault.After.STALL;
            a.remove("Connection");
        }
        if (a.has("Content-Length") || a.chunked) {
            a.note("bytes after the answer (" + extra.length + "), then " + a.end);
        } else {
            // Without a length the extra bytes are body.
            a.undetermined("bytes after a body that runs to the close");
        }
    }

    private static void chunkDamage(Answer a, Random r) {
        if (lastChunkStart(a.body) <= 0) {
            truncateBody(a, r);
            return;
        }
        String body = new String(a.body, StandardCharsets.ISO_8859_1);
        int eol = body.indexOf("\r\n");
        String first = body.substring(0, eol);
        String rest = body.substring(eol);
        switch (r.nextInt(8)) {
            case 0 -> {
                String size = pick(r, List.of("zz", "0x10", "-1", "", " ", "+5", "FFFFFFFFFFFFFFFF", "7FFFFFFF",
                        "100000000", "1 0", utf8("１")));
                a.body = latin1(size + rest);
                a.undetermined("chunk size " + Answer.escape(latin1(size), 20));
            }
            case 1 -> {
                int size = Integer.parseInt(first.split(";")[0].trim(), 16);
                a.body = latin1(Integer.toHexString(size + 1 + r.nextInt(100)) + rest);
                a.body = java.util.Arrays.copyOf(a.body, a.body.length - (r.nextBoolean() ? 0 : 5));
                a.undetermined("first chunk larger than its data");
            }
            case 2 -> {
                a.body = latin1(first + ";" + pick(r, List.of("\u0000", "x".repeat(20_000), "a=\"unterminated", "=", ";;;"))
                        + rest);
                a.undetermined("odd chunk extension");
            }
            case 3 -> {
                // The data of the first chunk without its CRLF.
                int size = Integer.parseInt(first.split(";")[0].trim(), 16);
                int dataEnd = eol + 2 + size;
                a.body = latin1(body.substring(0, dataEnd) + body.substring(dataEnd + 2));
                a.undetermined("chunk data without its CRLF");
            }
            case 4 -> {
                int last = lastChunkStart(a.body);
                a.body = java.util.Arrays.copyOf(a.body, last);
                a.end = r.nextInt(4) > 0 ? Fault.After.CLOSE : Fault.After.STALL;
                a.fails("no last chunk, then " + a.end);
            }
            case 5 -> {
                int last = lastChunkStart(a.body);
                a.body = concat(java.util.Arrays.copyOf(a.body, last), latin1("0\r\n" + pick(r, List.of(
                        "Content-Length: -1\r\n", "X-Bad\u0000: v\r\n", "no colon\r\n", "X-Long: " + "t".repeat(17_000)
                                + "\r\n", "Transfer-Encoding: gzip\r\n")) + "\r\n"));
                a.undetermined("hostile trailer");
            }
            case 6 -> {
                a.body = latin1(body.replace("\r\n", "\n"));
                a.undetermined("chunks with bare LFs");
            }
            default -> {
                a.body = concat(a.body, latin1("5\r\nextra\r\n0\r\n\r\n"));
                a.note("chunks after the last chunk");
            }
        }
    }

    // ------------------------------------------------------------------ resumes

    /**
     * An audio answer with a validator that breaks in its data: a Content-Length body cut after {@code k} bytes,
     * then a close or a stall. {@link Answer#deliveredAtBreak} is {@code k}.
     */
    static Answer breaking(Op op, Random r) {
        Answer a = new Answer(op);
        byte[] payload = payload(r);
        if (payload.length < 2) {
            payload = latin1("RIFF" + "x".repeat(50 + r.nextInt(500)));
        }
        a.payload = payload;
        a.expected = payload;
        a.status("HTTP/1.1 200 OK");
        a.header("Content-Type", op == Op.OPEN ? "audio/mpeg" : "audio/x-wav");
        int validator = r.nextInt(5);
        if (validator < 3) {
            a.etag = "\"v" + Long.toHexString(r.nextLong()) + "\"";
            a.header("ETag", a.etag);
        }
        if (validator >= 2) {
            a.header("Last-Modified", "Tue, 25 Sep 2018 23:00:00 GMT");
        }
        a.header("Content-Length", String.valueOf(payload.length));
        int k = r.nextInt(payload.length);
        a.body = java.util.Arrays.copyOf(payload, k);
        a.deliveredAtBreak = k;
        a.end = r.nextInt(6) == 0 ? Fault.After.STALL : Fault.After.CLOSE;
        a.note("cut at " + k + " of " + payload.length + ", then " + a.end + (a.etag == null ? ", no ETag" : ""));
        return a;
    }

    /**
     * What the server answers to the client's second attempt after {@code broken} broke: the rest (206), the whole
     * again, changed content, a wrong part, an error, or one of those with a hostile head. Its verdict is the
     * download's: every success is exactly the first answer's payload, except after a break before the first byte
     * of a plain download, which the client restarts from scratch (then the second answer stands alone).
     */
    static Answer resumption(Answer broken, Random r, int loopbackPort) {
        byte[] p = broken.payload;
        int n = p.length;
        int k = (int) broken.deliveredAtBreak;
        boolean fresh = k == 0 && broken.op == Op.DOWNLOAD;
        Answer a = new Answer(broken.op);
        a.payload = p;
        a.expected = p;
        String type = broken.value("Content-Type");
        int kind = r.nextInt(10);
        switch (kind) {
            case 0, 1, 2 -> {
                a.status("HTTP/1.1 206 Partial Content");
                a.header("Content-Range", "bytes " + k + "-" + (n - 1) + "/" + n);
                a.header("Content-Type", type);
                validators(a, broken);
                a.header("Content-Length", String.valueOf(n - k));
                a.body = java.util.Arrays.copyOfRange(p, k, n);
                if (fresh) {
                    a.mayFail("206 with all of it to a plain GET");
                } else if (broken.etag == null && broken.value("Last-Modified") == null) {
                    a.mayFail("the rest, 206, without a validator to match");
                } else {
                    a.note("the rest, 206");
                }
            }
            case 3, 4 -> {
                a.status("HTTP/1.1 200 OK");
                a.header("Content-Type", type);
                validators(a, broken);
                a.header("Content-Length", String.valueOf(n));
                a.body = p;
                if (broken.etag == null && broken.value("Last-Modified") == null && !fresh) {
                    a.mayFail("all of it again, 200, no validator");
                } else {
                    a.note("all of it again, 200");
                }
            }
            case 5 -> {
                byte[] other = p.clone();
                other[r.nextInt(n)] ^= 1;
                a.status("HTTP/1.1 200 OK");
                a.header("Content-Type", type);
                a.header("ETag", "\"changed" + r.nextInt(1000) + "\"");
                a.header("Content-Length", String.valueOf(n));
                a.body = other;
                if (fresh) {
                    a.expected = other;
                    a.note("changed content, nothing delivered yet");
                } else {
                    a.fails("changed content, new ETag");
                }
            }
            case 6 -> {
                // An honest server that sends a part other than the one asked for: the body is exactly the bytes
                // its Content-Range names (the client cannot tell a lying one from the truth, and need not).
                int from = k;
                int to = n - 1;
                String total = String.valueOf(n);
                switch (r.nextInt(4)) {
                    case 0 -> from = Math.max(0, k + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3)));
                    case 1 -> to = Math.max(k, n - 1 - (1 + r.nextInt(Math.max(1, Math.min(3, n - k)))));
                    case 2 -> total = r.nextBoolean() ? "*" : String.valueOf(n + 1 + r.nextInt(10));
                    default -> {
                        from = Math.max(0, k - 1 - r.nextInt(3));
                        total = "*";
                    }
                }
                from = Math.min(from, n - 1);
                to = Math.max(from, to);
                String range = "bytes " + from + "-" + to + "/" + total;
                boolean labelled = r.nextInt(6) > 0;
                a.status("HTTP/1.1 206 Partial Content");
                if (labelled) {
                    a.header("Content-Range", range);
                }
                a.header("Content-Type", type);
                validators(a, broken);
                byte[] part = java.util.Arrays.copyOfRange(p, from, to + 1);
                if (r.nextInt(4) == 0) {
                    a.header("Content-Encoding", "gzip");
                    part = gzip(part);
                }
                a.header("Content-Length", String.valueOf(part.length));
                a.body = part;
                a.mayFail("another part: " + (labelled ? range : "no Content-Range"));
            }
            case 7 -> {
                int status = pick(r, List.of(404, 416, 500, 503, 412, 304));
                a.status("HTTP/1.1 " + status + " No");
                a.header("Content-Length", "0");
                if (status == 416) {
                    a.header("Content-Range", "bytes */" + n);
                }
                a.statusFails("status " + status);
            }
            case 8 -> {
                a.status("HTTP/1.1 206 Partial Content");
                a.header("Content-Range", "bytes " + k + "-" + (n - 1) + "/" + n);
                a.header("Content-Type", type);
                validators(a, broken);
                a.header("Content-Length", String.valueOf(n - k));
                a.body = java.util.Arrays.copyOfRange(p, k, k + r.nextInt(n - k));
                a.end = r.nextInt(4) > 0 ? Fault.After.CLOSE : Fault.After.STALL;
                a.fails("the rest, broken again (two attempts only)");
            }
            default -> {
                a.status("HTTP/1.1 206 Partial Content");
                a.header("Content-Range", "bytes " + k + "-" + (n - 1) + "/" + n);
                a.header("Content-Type", type);
                validators(a, broken);
                a.header("Content-Length", String.valueOf(n - k));
                a.body = java.util.Arrays.copyOfRange(p, k, n);
                hostileHead(a, r, loopbackPort);
                a.mustSucceed = false;
                a.note("the rest, with a hostile head");
            }
        }
        if (!fresh) {
            // Whatever the second answer says, the download already holds k bytes of the first: a success that is
            // not exactly the first payload would be two versions spliced, or a short file.
            a.expected = p;
        }
        return a;
    }

    private static void validators(Answer a, Answer broken) {
        if (broken.etag != null) {
            a.header("ETag", broken.etag);
        }
        String lastModified = broken.value("Last-Modified");
        if (lastModified != null) {
            a.header("Last-Modified", lastModified);
        }
    }

    // ------------------------------------------------------------------ helpers

    static boolean isAudio(Answer a) {
        return a.op == Op.DOWNLOAD || a.op == Op.OPEN;
    }

    private static boolean isIdentity(Answer a) {
        String declared = a.value("Content-Encoding");
        return a.coding.equals("identity") && (declared == null || declared.equalsIgnoreCase("identity"));
    }

    static <T> T pick(Random r, List<T> options) {
        return options.get(r.nextInt(options.size()));
    }

    private static String randomText(Random r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(10) == 0 ? r.nextInt(0x20) : r.nextInt(5) == 0 ? 0x80 + r.nextInt(0x80) : 0x20 + r.nextInt(0x5f);
            b.append((char) c);
        }
        return b.toString();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A gzip member with the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC) that RFC 1952 allows. */
    static byte[] gzipWithFields(byte[] data, Random r) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int flags = 0x04 | 0x08 | 0x10 | (r.nextBoolean() ? 0x02 : 0);
        head.writeBytes(new byte[]{0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, (byte) 255});
        byte[] extra = latin1("AB\u0002\u0000xy");
        head.write(extra.length);
        head.write(0);
        head.writeBytes(extra);
        head.writeBytes(latin1("name.wav\u0000a comment\u0000"));
        if ((flags & 0x02) != 0) {
            CRC32 crc = new CRC32();
            crc.update(head.toByteArray());
            long v = crc.getValue();
            head.write((int) (v & 0xff));
            head.write((int) ((v >> 8) & 0xff));
        }
        byte[] raw = deflate(data, true);
        CRC32 crc = new CRC32();
        crc.update(data);
        long c = crc.getValue();
        long size = data.length & 0xffffffffL;
        byte[] trailer = new byte[]{(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)};
        return concat(head.toByteArray(), raw, trailer);
    }

    static byte[] deflate(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(6, raw))) {
            d.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] fixture(String name) {
        try (InputStream in = Answers.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid answer for the testkit to serve as itself would not: with {@code Connection: close}. */
    static String describe(byte[] bytes) {
        return Answer.escape(bytes, 200);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static byte[] utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
