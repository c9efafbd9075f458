package dev.laml.recordings.internal;

import java.net.URI;
import java.util.Locale;

/**
 * The shape checks every URL a caller hands the library goes through (base URLs, media URLs), in
 * one place so that a {@code MediaRequest} refuses exactly what the endpoint would: an absolute
 * {@code http(s)} URL with a host, a port from 1 to 65535 and no user info. Failures are
 * {@link IllegalArgumentException}s that name the parameter and never repeat user info.
 *
 * <p>Stateless and thread-safe. Not API.
 */
public final class Urls {

    private Urls() {
    }

    /**
     * Checks that {@code url} is an absolute http(s) URL with a host, a valid port and no user
     * info; returns its scheme in lower case.
     *
     * @param parameter the name a failure gives the URL
     * @param url       the URL to check
     * @return the scheme, {@code "https"} or {@code "http"}
     * @throws IllegalArgumentException naming {@code parameter} otherwise
     */
    public static String checkHttpUrl(String parameter, URI url) {
        if (url == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        String scheme = url.getScheme();
        if (scheme == null || !url.isAbsolute() || url.isOpaque()) {
            throw new IllegalArgumentException(parameter + " must be an absolute http(s) URL, got " + redacted(url));
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException(parameter + " must use https, got scheme " + Validation.quote(scheme));
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException(parameter + " must name a host, got " + redacted(url));
        }
        // java.net.URI reads any digits as a port; a socket takes 1 to 65535 only, and said so with an
        // IllegalArgumentException at connect time, which for a redirect's Location reached the caller as if it
        // were their mistake (SocketFuzzTest; FuzzRegressionsTest.aRedirectToAPortOutOfRangeIsRefusedNotThrown).
        if (url.getPort() == 0 || url.getPort() > 65535) {
            throw new IllegalArgumentException(parameter + " must name a port from 1 to 65535, got " + url.getPort());
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(parameter + " must not carry user info (credentials belong in "
                    + "credentials(), never in a URL)");
        }
        return scheme;
    }

    /**
     * The URL quoted for a message, with any user info replaced by {@code <redacted>}.
     *
     * @param url the URL to show
     * @return the quoted, shortened URL
     */
    public static String redacted(URI url) {
        // Never echo user info; the rest is shown quoted and shortened. getRawUserInfo() is null
        // when the authority is not a valid server authority (e.g. "user:pw@bad_host") or the URI
        // is opaque ("https:user:pw@host"), so redact everything up to the last '@' of the
        // authority (or of the scheme-specific part) instead.
        String s = url.toString();
        String part = url.isOpaque() ? url.getRawSchemeSpecificPart() : url.getRawAuthority();
        int at = part == null ? -1 : part.lastIndexOf('@');
        if (at >= 0) {
            s = s.replace(part.substring(0, at + 1), "<redacted>@");
        }
        return Validation.quote(s);
    }
}
