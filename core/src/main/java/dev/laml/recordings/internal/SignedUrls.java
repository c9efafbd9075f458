package dev.laml.recordings.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The spellings of a webhook URL a signature is checked against, and the query lookup of the
 * {@code bodySHA256} scheme.
 *
 * <p>Everything here works on the URL's text, never through {@link java.net.URI} or a
 * re-encoding parser: the signer hashed the URL exactly as it was configured, so a {@code '},
 * a {@code +}, a non-ASCII character or user info must reach the HMAC byte for byte. (twilio-node
 * parses with WHATWG {@code URL}, which percent-encodes {@code '} in a query, and then has to try a
 * "legacy querystring" spelling as well to undo that; working on the text needs neither.)
 */
public final class SignedUrls {

    private SignedUrls() {
    }

    /**
     * The URL as given, then with the scheme's default port added when it names none, then with
     * its port removed; duplicates dropped, order kept. A text without {@code "://"} or without a
     * host yields only itself.
     *
     * <p>Default port: 443 for {@code https} (any case), 80 for anything else, as
     * compatibility-api-js, twilio-node and twilio-python do. An empty port ({@code "host:"}) counts
     * as no port. User info, path, query and fragment are kept as they are.
     *
     * <p>When the scheme or host has upper-case letters, the same three spellings follow with both
     * lower-cased: the SDKs' URL parsers ({@code url-parse}, WHATWG {@code URL}) lower-case them
     * before signing, and DNS ignores case, so no other resource can be named that way. When the URL
     * has no path ({@code https://host} or {@code https://host?x=1}), the spellings with the path
     * {@code /} follow too: those parsers add it; twilio-python's {@code urlparse} does not.
     */
    public static List<String> variants(String url) {
        Set<String> out = new LinkedHashSet<>(6);
        addVariants(url, out);
        int schemeEnd = url.indexOf("://");
        if (schemeEnd > 0) {
            int hostEnd = authorityEnd(url, schemeEnd + 3);
            String authority = url.substring(schemeEnd + 3, hostEnd);
            int at = authority.lastIndexOf('@');
            int hostStart = schemeEnd + 3 + at + 1;
            String lowered = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT) + url.substring(schemeEnd, hostStart)
                    + url.substring(hostStart, hostEnd).toLowerCase(Locale.ROOT) + url.substring(hostEnd);
            boolean noPath = hostEnd == url.length() || url.charAt(hostEnd) != '/';
            if (!lowered.equals(url)) {
                addVariants(lowered, out);
            }
            if (noPath) {
                addVariants(lowered.substring(0, hostEnd) + "/" + lowered.substring(hostEnd), out);
            }
        }
        return List.copyOf(out);
    }

    private static int authorityEnd(String url, int authorityStart) {
        for (int i = authorityStart; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }

    private static void addVariants(String url, Set<String> out) {
        out.add(url);
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            return;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityEnd(url, authorityStart);
        String authority = url.substring(authorityStart, authorityEnd);
        // User info ends at the last '@' of the authority (a password may itself hold an
        // unencoded '@' in what people paste; the host can never contain one).
        int at = authority.lastIndexOf('@');
        int hostStart = authorityStart + at + 1;
        String hostPort = url.substring(hostStart, authorityEnd);
        if (hostPort.isEmpty()) {
            return;
        }
        int colon;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            colon = close >= 0 && close + 1 < hostPort.length() && hostPort.charAt(close + 1) == ':' ? close + 1 : -1;
        } else {
            colon = hostPort.lastIndexOf(':');
        }
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        String before = url.substring(0, hostStart);
        String after = url.substring(authorityEnd);
        if (port.isEmpty()) {
            String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            out.add(before + host + (scheme.equals("https") ? ":443" : ":80") + after);
        }
        out.add(before + host + after);
    }

    /**
     * The first value of the query parameter {@code name} (decoded as a form: {@code +} is a
     * space, {@code %XX} a UTF-8 byte), or null when the URL's query has none or it cannot be
     * decoded. The query is what follows the first {@code ?} up to a {@code #}.
     */
    public static String firstQueryValue(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        int hash = url.indexOf('#', q);
        String query = url.substring(q + 1, hash < 0 ? url.length() : hash);
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String n = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (name.equals(n)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /**
     * Decodes one component of {@code application/x-www-form-urlencoded} text: {@code +} is a
     * space, {@code %XX} a byte, and the bytes are UTF-8. Returns null when a {@code %} is not
     * followed by two hex digits or the bytes are not UTF-8.
     */
    public static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        byte[] bytes = new byte[text.length() * 3];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    utf8 = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(utf8, 0, bytes, n, utf8.length);
                n += utf8.length;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, n))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            return null;
        }
    }

    /** Splits a form body into its name/value pairs, decoded; null when any part cannot be decoded. */
    public static List<String[]> pairs(String form) {
        List<String[]> out = new ArrayList<>();
        if (form.isEmpty()) {
            return out;
        }
        for (String pair : form.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name == null || value == null) {
                return null;
            }
            out.add(new String[] {name, value});
        }
        return out;
    }
}
