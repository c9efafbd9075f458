package dev.laml.recordings.protocol;

import dev.laml.recordings.internal.Validation;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts a caller-supplied media URL may name, beyond the configured origin: the guard against
 * server-side request forgery. A service that passes on a URL taken from a request body (a status
 * callback's {@code RecordingUrl}, say) must not fetch whatever that URL names
 * ({@code http://127.0.0.1:8080/admin}, a cloud metadata address): such a URL is fetched only when it
 * is on the endpoint's own origin (scheme, host and port) or its host matches a pattern listed here.
 *
 * <p>Patterns: an exact host ({@code media.example.com}, an IPv4 address {@code 10.0.0.5}, an IPv6
 * address with or without brackets), or {@code *.suffix} ({@code *.signalwire.com}), which matches
 * every name that ends in {@code .suffix} (one label or more before it: {@code a.signalwire.com},
 * {@code a.b.signalwire.com}) but not {@code signalwire.com} itself, and never
 * {@code evil-signalwire.com}. The suffix must have two labels at least (no {@code *.com}) and may not
 * be an address. Names are compared without regard to case and to one trailing dot (the same DNS
 * name), never resolved; a listed host is allowed on any port. Whether plain {@code http} is
 * acceptable is decided elsewhere (only to loopback unless insecure http was allowed).
 *
 * <p>Redirects are not checked here: an answer from an allowed URL is followed under the protocol's
 * redirect rules, as for the endpoint's own URLs.
 *
 * <p>Immutable and thread-safe; no method accepts or returns null.
 */
public final class MediaHosts {

    private static final MediaHosts NONE = new MediaHosts(List.of(), List.of());

    /** The patterns as given (trimmed), for messages and {@link #patterns()}. */
    private final List<String> patterns;
    /** The same, normalised: lower case, no trailing dot, addresses canonical; wildcards as ".suffix". */
    private final List<String> normalised;

    private MediaHosts(List<String> patterns, List<String> normalised) {
        this.patterns = patterns;
        this.normalised = normalised;
    }

    /**
     * No host beyond the configured origin; the default.
     *
     * @return the empty allow-list
     */
    public static MediaHosts none() {
        return NONE;
    }

    /**
     * These host patterns (see the class description).
     *
     * @param patterns exact hosts or {@code *.domain} wildcards; none for {@link #none()}
     * @return the allow-list
     * @throws IllegalArgumentException for a null, empty or malformed pattern (a URL, a port, a path, a
     *                                  {@code *} elsewhere than as the first label, a wildcard over a
     *                                  top-level domain or an address); the message names
     *                                  {@code mediaHosts} and the pattern
     */
    public static MediaHosts of(String... patterns) {
        if (patterns == null) {
            throw new IllegalArgumentException("mediaHosts must not be null");
        }
        return of(Arrays.asList(patterns.clone()));
    }

    /**
     * These host patterns; as {@link #of(String...)}.
     *
     * @param patterns exact hosts or {@code *.domain} wildcards; empty for {@link #none()}
     * @return the allow-list
     * @throws IllegalArgumentException for a null list or a null, empty or malformed pattern
     */
    public static MediaHosts of(List<String> patterns) {
        if (patterns == null) {
            throw new IllegalArgumentException("mediaHosts must not be null");
        }
        List<String> given = new ArrayList<>(patterns.size());
        List<String> normalised = new ArrayList<>(patterns.size());
        for (String p : patterns) {
            String pattern = p == null ? null : p.trim();
            normalised.add(normalisePattern(pattern));
            given.add(pattern);
        }
        return given.isEmpty() ? NONE : new MediaHosts(List.copyOf(given), List.copyOf(normalised));
    }

    /**
     * The patterns as given (trimmed), in order.
     *
     * @return the patterns; empty for {@link #none()}
     */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * Whether {@code url} may be fetched: it is on {@code endpoint}'s origin (same scheme, host and port,
     * default ports normalised), or its host matches one of the patterns. False for a URL without a host.
     *
     * @param endpoint the configured origin
     * @param url      the media URL a caller passed
     * @return whether it may be fetched
     */
    public boolean allows(ApiEndpoint endpoint, URI url) {
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = normaliseHost(host);
        URI origin = endpoint.baseUrl();
        if (url.getScheme() != null && url.getScheme().equalsIgnoreCase(origin.getScheme())
                && h.equals(normaliseHost(origin.getHost()))
                && ApiEndpoint.effectivePort(url) == ApiEndpoint.effectivePort(origin)) {
            return true;
        }
        for (String pattern : normalised) {
            if (pattern.startsWith(".") ? h.endsWith(pattern) && h.length() > pattern.length() : h.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses a URL that {@link #allows} does not allow, with a message naming its host and the
     * {@code mediaHosts} setting.
     *
     * @param endpoint the configured origin
     * @param url      the media URL a caller passed
     * @throws IllegalArgumentException if {@code url} may not be fetched
     */
    public void check(ApiEndpoint endpoint, URI url) {
        if (!allows(endpoint, url)) {
            URI origin = endpoint.baseUrl();
            String where = url.getHost() == null ? "a URL without a host"
                    : "host " + Validation.quote(url.getHost()) + (url.getPort() == -1 ? "" : " (port " + url.getPort() + ")");
            throw new IllegalArgumentException("media URL refused: " + where + " is neither the configured origin "
                    + origin.getScheme() + "://" + origin.getRawAuthority() + " nor a host allowed by mediaHosts ("
                    + (patterns.isEmpty() ? "none set" : String.join(", ", patterns))
                    + "); add it to mediaHosts if media may come from there");
        }
    }

    private static String normalisePattern(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("mediaHosts patterns must not be empty or null");
        }
        String p = pattern.toLowerCase(Locale.ROOT);
        if (p.contains("/") || p.contains("@") || p.contains("%") || p.chars().anyMatch(Character::isWhitespace)
                || p.chars().anyMatch(Character::isISOControl)) {
            throw malformed(pattern, "a host name or address, not a URL (no scheme, path, user info or port)");
        }
        if (p.startsWith("*.")) {
            String suffix = stripTrailingDot(p.substring(2));
            if (!isDnsName(suffix) || !suffix.contains(".")) {
                throw malformed(pattern, "*. followed by a domain of two labels at least, as *.signalwire.com");
            }
            if (isIpv4(suffix) || Character.isDigit(suffix.charAt(suffix.length() - 1))) {
                throw malformed(pattern, "a wildcard over a domain name, not over an address");
            }
            return "." + suffix;
        }
        if (p.contains("*")) {
            throw malformed(pattern, "* only as the whole first label, as *.signalwire.com");
        }
        if (p.contains(":") || p.startsWith("[")) {
            String canonical = ipv6(p.startsWith("[") && p.endsWith("]") ? p.substring(1, p.length() - 1) : p);
            if (canonical == null) {
                throw malformed(pattern, "a host name or address, not a URL (no scheme, path, user info or port)");
            }
            return canonical;
        }
        String name = stripTrailingDot(p);
        if (!isDnsName(name)) {
            throw malformed(pattern, "a host name (letters, digits, inner hyphens; labels of 1 to 63 characters) "
                    + "or an address");
        }
        return name;
    }

    private static IllegalArgumentException malformed(String pattern, String expected) {
        return new IllegalArgumentException("mediaHosts pattern " + Validation.quote(pattern) + " is not valid: "
                + "expected " + expected);
    }

    /** Lower case, brackets and one trailing dot removed, an IPv6 address in its canonical form. */
    private static String normaliseHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            String canonical = ipv6(h.substring(1, h.length() - 1));
            return canonical == null ? h : canonical;
        }
        return stripTrailingDot(h);
    }

    private static String stripTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isDnsName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isIpv4(String name) {
        return name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /**
     * The canonical text of an IPv6 literal (an IPv4-mapped one as its IPv4 address), or null if it is
     * not one. Only hex digits, colons and dots reach {@link InetAddress#getByName}, which parses such a
     * literal and never looks anything up.
     */
    private static String ipv6(String literal) {
        if (literal.isEmpty() || !literal.contains(":")
                || !literal.chars().allMatch(c -> c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return null;
        }
        try {
            return InetAddress.getByName("[" + literal + "]").getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaHosts other && other.normalised.equals(normalised);
    }

    @Override
    public int hashCode() {
        return normalised.hashCode();
    }

    /** The patterns, e.g. {@code MediaHosts[*.signalwire.com, media.example.com]}. */
    @Override
    public String toString() {
        return "MediaHosts" + patterns;
    }
}
