package dev.laml.recordings;

import dev.laml.recordings.protocol.HeaderLookup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Shared ids, credentials, fixtures and header helpers for the core tests. */
public final class TestData {

    public static final String ACCOUNT_SID = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    public static final String RECORDING_SID = "19e436af-5688-4307-b03b-bdb2b42b8142";

    public static final String PROJECT = "c0ffee00-project";
    public static final String TOKEN = "PTs3cr3tT0kenValue";
    /** What must never show up in a message: the Basic credentials as sent. */
    public static final String BASIC_B64 = Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    public static final String TOKEN_B64 = Base64.getEncoder()
            .encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8));

    private TestData() {
    }

    public static Credentials credentials() {
        return Credentials.of(PROJECT, TOKEN);
    }

    /** A fixture from {@code src/test/resources/fixtures}. */
    public static byte[] fixture(String name) {
        try (InputStream in = TestData.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String fixtureText(String name) {
        return new String(fixture(name), StandardCharsets.UTF_8);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Case-insensitive headers from name/value pairs, as a transport would expose them. */
    public static HeaderLookup headers(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return name -> map.get(name.toLowerCase(Locale.ROOT));
    }

    public static HeaderLookup json() {
        return headers("Content-Type", "application/json; charset=utf-8");
    }

    public static HeaderLookup noHeaders() {
        return headers();
    }
}
