package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.InvalidSettingException;

import reactor.netty.http.client.HttpClient;
import reactor.netty.transport.ProxyProvider;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A forward proxy for every connection, except to hosts matched by the no-proxy list: an HTTP
 * proxy ({@code CONNECT} tunnels, for https and http targets alike) or SOCKS5.
 *
 * <p>The no-proxy list follows curl's {@code NO_PROXY}: comma-separated entries, case-insensitive;
 * {@code *} alone matches every host; a host name matches an entry equal to it or a domain that
 * contains it ({@code example.com}, {@code .example.com} and {@code *.example.com} all match
 * {@code example.com} and {@code a.b.example.com}, never {@code badexample.com}); an IP literal
 * matches an equal address or a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}). Names are not
 * resolved to match addresses, as curl does not.
 *
 * <p>Unlike the JDK and Reactor Netty's system-property defaults, loopback is proxied too unless
 * listed: the proxy is what the user configured, and a test that wants to observe it must be
 * able to.
 *
 * <p>The credentials are kept for the proxy handler only; {@link #toString()} and
 * {@link #describe()} never show them. Immutable and thread-safe.
 */
public final class ProxySettings {

    private final ProxyProvider.Proxy type;
    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final List<Rule> noProxy;
    private final boolean noProxyAll;

    private ProxySettings(ProxyProvider.Proxy type, String host, int port, String username, String password,
            List<Rule> noProxy, boolean noProxyAll) {
        this.type = type;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.noProxy = noProxy;
        this.noProxyAll = noProxyAll;
    }

    /**
     * Validates a proxy URI: {@code http://[user:password@]host[:port]} or
     * {@code socks5://host[:port]}; the port defaults to 1080, as in curl.
     *
     * @throws IllegalArgumentException for anything else; the message never repeats the user info
     */
    public static ProxySettings parse(URI proxy, List<String> noProxyPatterns) {
        Objects.requireNonNull(proxy, "proxy");
        String scheme = proxy.getScheme() == null ? "" : proxy.getScheme().toLowerCase(Locale.ROOT);
        ProxyProvider.Proxy type = switch (scheme) {
            case "http" -> ProxyProvider.Proxy.HTTP;
            case "socks5", "socks5h" -> ProxyProvider.Proxy.SOCKS5;
            case "https" -> throw new InvalidSettingException("proxy", "proxy: an https:// proxy (TLS to the proxy itself) is not "
                    + "supported; use http:// (the tunnel to an https target is still end-to-end TLS) or socks5://");
            default -> throw new InvalidSettingException("proxy", "proxy: scheme must be http or socks5, got "
                    + (scheme.isEmpty() ? "none" : "'" + scheme + "'") + " in " + redact(proxy));
        };
        if (proxy.isOpaque() || proxy.getHost() == null || proxy.getHost().isEmpty()) {
            throw new InvalidSettingException("proxy", "proxy: needs a host, as in http://proxy.example:3128, got " + redact(proxy));
        }
        String path = proxy.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || proxy.getRawQuery() != null
                || proxy.getRawFragment() != null) {
            throw new InvalidSettingException("proxy", "proxy: must be scheme://host:port only, got " + redact(proxy));
        }
        String username = null;
        String password = null;
        String userInfo = proxy.getUserInfo(); // decoded: %40 is '@'
        if (userInfo != null) {
            if (type != ProxyProvider.Proxy.HTTP) {
                throw new InvalidSettingException("proxy", "proxy: credentials are supported for http:// proxies only");
            }
            int colon = userInfo.indexOf(':');
            username = colon < 0 ? userInfo : userInfo.substring(0, colon);
            password = colon < 0 ? "" : userInfo.substring(colon + 1);
            if (username.isEmpty() || userInfo.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new InvalidSettingException("proxy", "proxy: the user info must be user:password without control characters");
            }
        }
        int port = proxy.getPort() == -1 ? 1080 : proxy.getPort();
        List<Rule> rules = new ArrayList<>();
        boolean all = false;
        for (String pattern : noProxyPatterns) {
            if ("*".equals(pattern.trim())) {
                all = true;
            } else {
                rules.add(Rule.parse(pattern));
            }
        }
        String host = proxy.getHost().startsWith("[") ? proxy.getHost().substring(1, proxy.getHost().length() - 1)
                : proxy.getHost();
        return new ProxySettings(type, host, port, username, password, List.copyOf(rules), all);
    }

    /**
     * Checks no-proxy patterns at the builder call, so a typo fails early.
     *
     * @throws IllegalArgumentException for an empty entry or a malformed CIDR range
     */
    public static void validateNoProxy(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidSettingException("noProxy", "noProxy: a host pattern must not be empty");
        }
        if (!"*".equals(pattern.trim())) {
            Rule.parse(pattern);
        }
    }

    /** Whether a connection to {@code targetHost} goes through the proxy. */
    public boolean appliesTo(String targetHost) {
        if (noProxyAll || targetHost == null) {
            return false;
        }
        String h = targetHost.startsWith("[") && targetHost.endsWith("]")
                ? targetHost.substring(1, targetHost.length() - 1) : targetHost;
        h = h.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (Rule r : noProxy) {
            if (r.matches(h)) {
                return false;
            }
        }
        return true;
    }

    /** {@code http} with every connection proxied except those {@link #appliesTo} excludes. */
    public HttpClient apply(HttpClient http) {
        return http.proxy(spec -> {
            ProxyProvider.Builder b = spec.type(type)
                    .socketAddress(InetSocketAddress.createUnresolved(host, port))
                    .nonProxyHostsPredicate(address -> address instanceof InetSocketAddress isa
                            && !appliesTo(isa.getHostString()));
            if (username != null) {
                b.username(username).password(u -> password);
            }
        });
    }

    /** {@code http://host:port}, {@code socks5://host:port}; credentials only as "with credentials". */
    public String describe() {
        return (type == ProxyProvider.Proxy.HTTP ? "http" : "socks5") + "://" + hostPort()
                + (username != null ? " (with credentials)" : "");
    }

    /** The proxy's {@code host:port}, as an exception message names it. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * The URI for a message, unless it may hold credentials: any '@' hides it whole, because a
     * password with an unencoded '/', '?' or '#' ends up in java.net.URI's path or fragment,
     * where its user-info parsing cannot find (and so cannot hide) it.
     */
    private static String redact(URI uri) {
        String s = uri.toString();
        return s.indexOf('@') >= 0 ? "(a URI with user info, not shown)" : "'" + s + "'";
    }

    /** One no-proxy entry: a domain suffix, or an address with a prefix length. */
    private record Rule(String domain, byte[] network, int prefix) {

        static Rule parse(String raw) {
            String p = raw.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty() || p.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == ',')) {
                throw new InvalidSettingException("noProxy", "noProxy: not a host pattern: '" + raw.replaceAll("\\p{Cc}", "?") + "'");
            }
            String address = p;
            int prefix = -1;
            int slash = p.indexOf('/');
            if (slash >= 0) {
                address = p.substring(0, slash);
                try {
                    prefix = Integer.parseInt(p.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException("noProxy", "noProxy: not a CIDR range: '" + raw + "'");
                }
            }
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            if (DiagnosingTrustManager.isIpLiteral(address)) {
                byte[] bytes = literal(address, raw);
                int bits = bytes.length * 8;
                if (prefix == -1) {
                    prefix = bits;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new InvalidSettingException("noProxy", "noProxy: prefix length must be 0 to " + bits + " in '" + raw + "'");
                }
                return new Rule(null, bytes, prefix);
            }
            if (slash >= 0) {
                throw new InvalidSettingException("noProxy", "noProxy: a CIDR range needs an IP address: '" + raw + "'");
            }
            String domain = p.startsWith("*.") ? p.substring(2) : p.startsWith(".") ? p.substring(1) : p;
            if (domain.endsWith(".")) {
                domain = domain.substring(0, domain.length() - 1);
            }
            if (domain.isEmpty() || domain.contains("*")) {
                throw new InvalidSettingException("noProxy", "noProxy: a wildcard is allowed only as a leading '*.': '" + raw + "'");
            }
            return new Rule(domain, null, 0);
        }

        boolean matches(String host) {
            if (domain != null) {
                return host.equals(domain) || host.endsWith("." + domain);
            }
            if (!DiagnosingTrustManager.isIpLiteral(host)) {
                return false;
            }
            byte[] candidate;
            try {
                candidate = InetAddress.getByName(host).getAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                return false;
            }
            if (candidate.length != network.length) {
                return false;
            }
            int bits = network.length * 8;
            BigInteger mask = prefix == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(bits - prefix).shiftLeft(bits - prefix);
            return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
        }

        private static byte[] literal(String address, String raw) {
            try {
                return InetAddress.getByName(address).getAddress();
            } catch (UnknownHostException e) {
                throw new InvalidSettingException("noProxy", "noProxy: not an IP address: '" + raw + "'");
            }
        }
    }
}
