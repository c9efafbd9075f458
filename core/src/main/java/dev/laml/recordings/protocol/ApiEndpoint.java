package dev.laml.recordings.protocol;

import dev.laml.recordings.InvalidSettingException;
import dev.laml.recordings.internal.Urls;
import dev.laml.recordings.internal.Validation;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The validated origin every request goes to: {@code https://{space}.signalwire.com}, or an
 * explicit base URL (an emulator, a proxy, the testkit).
 *
 * <p>Why so strict: credentials travel to this origin, so nothing a caller passes later may
 * change its host, and nothing but HTTPS may carry them. Plain {@code http} is accepted for
 * loopback hosts ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}), where tests and
 * emulators live, and elsewhere only when the caller explicitly allowed it. A base URL may carry
 * a path prefix (for a proxy), but no user info, query or fragment.
 *
 * <p>Immutable and thread-safe; never holds null.
 */
public final class ApiEndpoint {

    private final URI baseUrl;
    private final boolean insecureHttpAllowed;

    private ApiEndpoint(URI baseUrl, boolean insecureHttpAllowed) {
        this.baseUrl = baseUrl;
        this.insecureHttpAllowed = insecureHttpAllowed;
    }

    /**
     * The endpoint of a SignalWire space: {@code "example"} gives
     * {@code https://example.signalwire.com}.
     *
     * @throws InvalidSettingException unless {@code space} is one DNS label (setting {@code "space"})
     */
    public static ApiEndpoint forSpace(String space) {
        String label = Validation.spaceName(space);
        return new ApiEndpoint(URI.create("https://" + label + ".signalwire.com"), false);
    }

    /**
     * An explicit base URL.
     *
     * @param allowInsecureHttp accept plain {@code http} for hosts that are not loopback
     * @throws InvalidSettingException  (setting {@code "baseUrl"}) if the URL is null or not absolute http(s) with a host, carries
     *                                  user info, a query or a fragment, or is plain http to a
     *                                  non-loopback host without {@code allowInsecureHttp}
     */
    public static ApiEndpoint of(URI baseUrl, boolean allowInsecureHttp) {
        if (baseUrl == null) {
            throw new InvalidSettingException("baseUrl", "baseUrl must not be null");
        }
        try {
            checkOrigin("baseUrl", baseUrl, allowInsecureHttp);
        } catch (IllegalArgumentException e) {
            // Same check as for media URLs (which are arguments, not settings); typed here so callers see the setting.
            throw new InvalidSettingException("baseUrl", String.valueOf(e.getMessage()));
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new InvalidSettingException("baseUrl", "baseUrl must not have a query or fragment, got " + redacted(baseUrl));
        }
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.contains("/..") || path.contains("/./") || path.endsWith("/.") || path.contains("%")
                || path.contains(";") || path.contains("//")) {
            throw new InvalidSettingException("baseUrl", "baseUrl path must be a plain prefix, got " + redacted(baseUrl));
        }
        String scheme = baseUrl.getScheme().toLowerCase(Locale.ROOT);
        String host = baseUrl.getHost().toLowerCase(Locale.ROOT);
        String origin = scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + (baseUrl.getPort() == -1 ? "" : ":" + baseUrl.getPort());
        return new ApiEndpoint(URI.create(origin + path), allowInsecureHttp);
    }

    /**
     * Checks that {@code url} is an absolute http(s) URL with a host and no user info, and that
     * plain http goes only to loopback unless allowed. Used for base URLs and for media URLs a
     * caller passes in.
     */
    static void checkOrigin(String parameter, URI url, boolean allowInsecureHttp) {
        String scheme = Urls.checkHttpUrl(parameter, url);
        if (scheme.equals("http") && !allowInsecureHttp && !isLoopback(url.getHost())) {
            throw new IllegalArgumentException(parameter + " must use https; plain http is accepted only for loopback "
                    + "hosts unless allowInsecureHttp() is set, got host " + Validation.quote(url.getHost()));
        }
    }

    /** True for {@code localhost}, IPv4 {@code 127.0.0.0/8} and IPv6 {@code ::1}; never resolves names. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String redacted(URI url) {
        return Urls.redacted(url);
    }

    /** The base URL without a trailing slash, e.g. {@code https://example.signalwire.com}; never null. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** True when {@code url} has this endpoint's scheme, host and port (default ports normalised). */
    public boolean isSameOrigin(URI url) {
        return sameOrigin(baseUrl, url);
    }

    /** True when both URLs have the same scheme, host and port (default ports normalised). */
    static boolean sameOrigin(URI a, URI b) {
        if (a == null || b == null || a.getScheme() == null || b.getScheme() == null || a.getHost() == null
                || b.getHost() == null) {
            return false;
        }
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && normaliseHost(a.getHost()).equals(normaliseHost(b.getHost()))
                && effectivePort(a) == effectivePort(b);
    }

    private static String normaliseHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    static int effectivePort(URI url) {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    /** True when plain http to non-loopback hosts was explicitly allowed for this endpoint. */
    public boolean isInsecureHttpAllowed() {
        return insecureHttpAllowed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiEndpoint other && other.baseUrl.equals(baseUrl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseUrl);
    }

    @Override
    public String toString() {
        return "ApiEndpoint[" + baseUrl + "]";
    }
}
