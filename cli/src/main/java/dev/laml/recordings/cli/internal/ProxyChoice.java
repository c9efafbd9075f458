package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.RecordingsClient;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The proxy a run connects through, if any, and the hosts that bypass it: {@code --proxy}, else the environment, read
 * the way curl reads it, so that a shell already set up for curl behind a company proxy works unchanged.
 *
 * <ul>
 * <li>{@code --proxy URL} wins over the environment; {@code --proxy ''} turns proxying off whatever the environment
 *     says.</li>
 * <li>For an https server: {@code https_proxy}, else {@code HTTPS_PROXY}. A variable that is set counts even when
 *     empty, and empty means no proxy: curl's way to switch a proxy off for one command
 *     ({@code https_proxy= recordings ...}).</li>
 * <li>For a plain-http server, no variable is read, {@code http_proxy} included. The command accepts plain http only for
 *     loopback ({@code recordings serve}, an emulator), and a proxy on another machine would reach its own loopback,
 *     never this machine's; curl itself never reads {@code HTTP_PROXY}, which a CGI server fills from a request's
 *     {@code Proxy:} header ("httpoxy"). {@code --proxy} still applies, for whoever really wants it.</li>
 * <li>{@code no_proxy}, else {@code NO_PROXY}: comma-separated, each entry trimmed, empty entries ignored, matched by
 *     the client with curl's rules. It applies to a proxy from {@code --proxy} too, as in curl.</li>
 * <li>A URL without a scheme is {@code http://}, as in curl.</li>
 * </ul>
 *
 * <p>Proxy URLs may carry a password, so no message here repeats the URL, and no exception keeps the
 * {@link URISyntaxException} (whose message would) as its cause: {@code --verbose} prints causes.
 *
 * <p>Immutable and thread-safe. {@link #proxy} is null when no proxy is used; {@link #noProxy} is never null.
 *
 * @param proxy   the proxy, validated, or null for direct connections
 * @param source  where the proxy (or its absence) came from, for messages: {@code --proxy}, {@code $https_proxy}, ...;
 *                null when nothing named one
 * @param noProxy the hosts to reach directly, as given
 * @param noProxySource {@code $no_proxy} or {@code $NO_PROXY}, or null when neither is set
 */
record ProxyChoice(URI proxy, String source, List<String> noProxy, String noProxySource) {

    private static final String SHAPE = "expected http://[USER:PASSWORD@]HOST:PORT or socks5://HOST:PORT";

    private static final ProxyChoice DIRECT = new ProxyChoice(null, null, List.of(), null);

    /**
     * @param option      the {@code --proxy} value, or null when not given
     * @param httpsTarget whether the API's base URL is https
     * @throws InvalidInputException for a proxy URL the client cannot use; the message names its source, never the URL
     */
    static ProxyChoice resolve(String option, boolean httpsTarget, Session session) {
        String value;
        String source;
        if (option != null) {
            value = option;
            source = "--proxy";
        } else if (!httpsTarget) {
            return DIRECT;
        } else if (session.envAsSet("https_proxy") != null) {
            value = session.envAsSet("https_proxy");
            source = "$https_proxy";
        } else if (session.envAsSet("HTTPS_PROXY") != null) {
            value = session.envAsSet("HTTPS_PROXY");
            source = "$HTTPS_PROXY";
        } else {
            return DIRECT;
        }
        if (value.isBlank()) {
            return new ProxyChoice(null, source, List.of(), null);
        }
        URI proxy = parse(value, source);

        String noProxySource = null;
        String list = null;
        if (session.envAsSet("no_proxy") != null) {
            noProxySource = "$no_proxy";
            list = session.envAsSet("no_proxy");
        } else if (session.envAsSet("NO_PROXY") != null) {
            noProxySource = "$NO_PROXY";
            list = session.envAsSet("NO_PROXY");
        }
        List<String> hosts = new ArrayList<>();
        if (list != null) {
            for (String entry : list.split(",")) {
                if (!entry.isBlank()) {
                    hosts.add(entry.strip());
                }
            }
        }
        return new ProxyChoice(proxy, source, List.copyOf(hosts), noProxySource);
    }

    /**
     * Checks everything the client's builder would, with messages that never quote the URL: a password with an
     * unencoded {@code /}, {@code #} or {@code ?} makes {@link URI} misread the URL, and then any echo of "the host"
     * or "the path" would print part of the password.
     */
    private static URI parse(String value, String source) {
        String v = value.strip();
        if (!v.contains("://")) {
            v = "http://" + v;
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            // The reason only: the message of e quotes the input.
            throw new InvalidInputException(source + " is not a valid URL (" + e.getReason().toLowerCase(Locale.ROOT)
                    + "; percent-encode special characters in the user name and password): " + SHAPE);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            throw new InvalidInputException(source + ": an https:// proxy (TLS to the proxy itself) is not supported; "
                    + "use http:// (the tunnel to an https server is still end-to-end TLS) or socks5://");
        }
        if (!scheme.equals("http") && !scheme.equals("socks5") && !scheme.equals("socks5h")) {
            // The scheme is safe to show: it ends where "://" begins, before any user info.
            throw new InvalidInputException(source + ": the scheme must be http or socks5, got '"
                    + printable(scheme) + "'; " + SHAPE);
        }
        if (uri.isOpaque() || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidInputException(source + " has no usable host (percent-encode special characters in the "
                    + "user name and password, e.g. %2F for '/'): " + SHAPE);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new InvalidInputException(source + ": nothing may follow the port: " + SHAPE);
        }
        if (uri.getRawUserInfo() != null && !scheme.equals("http")) {
            throw new InvalidInputException(source + ": a user name and password work with http:// proxies only");
        }
        return uri;
    }

    /**
     * Configures the builder's proxy and no-proxy list; nothing for direct connections.
     *
     * @throws InvalidInputException if the client refuses either; the message names the source, never the password
     */
    void applyTo(RecordingsClient.Builder builder) {
        if (proxy == null) {
            return;
        }
        try {
            builder.proxy(proxy);
        } catch (IllegalArgumentException e) {
            // parse() has checked what the builder checks, so this is a safety net; with user info, its message is
            // not repeated at all, whatever it says.
            throw new InvalidInputException(source + (proxy.getRawUserInfo() == null
                    ? ": " + ApiOptions.stripPrefix(e.getMessage(), "proxy: ") : " is not a usable proxy URL: " + SHAPE));
        }
        try {
            builder.noProxy(noProxy.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            // "noProxy: not a host pattern: 'x'" becomes "$NO_PROXY: not a host pattern: 'x'".
            throw new InvalidInputException(noProxySource + ": " + ApiOptions.stripPrefix(e.getMessage(), "noProxy: "));
        }
    }

    /** {@code http://host:port}, with "(with credentials)" instead of them; for {@code --verbose}. */
    String describe() {
        if (proxy == null) {
            return "no proxy" + (source == null ? "" : " (" + source + " is empty)");
        }
        String host = proxy.getHost();
        int port = proxy.getPort() == -1 ? 1080 : proxy.getPort();
        return proxy.getScheme().toLowerCase(Locale.ROOT) + "://" + host + ":" + port
                + (proxy.getRawUserInfo() != null ? " (with credentials)" : "") + " from " + source
                + (noProxy.isEmpty() ? "" : ", except " + String.join(",", noProxy) + " (" + noProxySource + ")");
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cc}", "?");
        return p.length() > 20 ? p.substring(0, 20) + "..." : p;
    }
}
