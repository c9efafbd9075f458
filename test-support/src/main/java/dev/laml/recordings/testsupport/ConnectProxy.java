package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 forward proxy on 127.0.0.1 for tests: {@code CONNECT host:port} opens a TCP
 * connection to the target and splices bytes both ways, so a client runs TLS (or anything else)
 * end to end through it, exactly as through a corporate proxy. Reactor Netty's HTTP proxy
 * support always uses CONNECT, for {@code http} targets too.
 *
 * <pre>{@code
 * try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "secret")) {
 *     // client configured with proxy 127.0.0.1:proxy.port() ...
 *     assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:8443");
 * }
 * }</pre>
 *
 * <p>Behaviour:
 * <ul>
 * <li>A successful CONNECT is answered {@code HTTP/1.1 200 Connection established}; the
 *     connection is then a tunnel and never carries another request.</li>
 * <li>With credentials, a request without a matching {@code Proxy-Authorization: Basic ...}
 *     is answered {@code 407} with {@code Proxy-Authenticate: Basic realm="test"}, and the
 *     connection is closed.</li>
 * <li>In refusal mode every (authorised) CONNECT is answered with the configured status and
 *     the connection closed. An unreachable target gives {@code 502}, a malformed request
 *     {@code 400}.</li>
 * <li>An absolute-form request ({@code GET http://host:port/path HTTP/1.1}) is forwarded in
 *     origin form with {@code Connection: close}, after which the connection relays bytes both
 *     ways until either side closes: one request per proxy connection. Refusal mode and the drop
 *     fault do not apply to these.</li>
 * <li>Backpressure holds end to end: each direction is a blocking copy on its own thread
 *     (64 KiB buffer, {@code TCP_NODELAY} on both legs), so a client that stops reading stops
 *     the proxy reading from the server.</li>
 * </ul>
 *
 * <p>Thread-safe: the accessors may be called from any thread while connections are served;
 * the fault and refusal settings may be changed at any time and apply to CONNECT requests
 * received afterwards. Lists returned are immutable snapshots. No method accepts or returns
 * null. Not hardened: a tool for loopback tests, not for untrusted networks.
 */
public final class ConnectProxy implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final byte[] ESTABLISHED =
            "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final SocketRelay relay;
    // Null when no authentication is required.
    private final String expectedUserPassword;

    // 0 while CONNECTs are accepted.
    private volatile int refusalStatus;
    /** Decides each new tunnel's drop limit; {@link Drops#NEVER} while the fault is off. */
    private volatile Drops drops;

    /** Host names this proxy resolves itself (a test's stand-in for DNS); others go to the JVM's resolver. */
    private final Map<String, String> hosts;
    private final AtomicInteger connectCount = new AtomicInteger();
    private final AtomicInteger tunnelsOpened = new AtomicInteger();
    private final AtomicInteger openTunnels = new AtomicInteger();
    private final AtomicInteger tunnelsDropped = new AtomicInteger();
    private final List<String> connectTargets = new CopyOnWriteArrayList<>();
    private final List<String> proxyAuthorizations = new CopyOnWriteArrayList<>();
    private final List<String> plainRequests = new CopyOnWriteArrayList<>();

    private ConnectProxy(Builder builder) throws IOException {
        this.expectedUserPassword = builder.user == null ? null : builder.user + ":" + builder.password;
        this.refusalStatus = builder.refusalStatus;
        this.drops = builder.drops;
        this.hosts = Map.copyOf(builder.hosts);
        this.relay = new SocketRelay("connect-proxy", builder.port, this::handle);
        relay.start();
    }

    /** Starts a proxy on an ephemeral port that needs no credentials and accepts every CONNECT. */
    public static ConnectProxy start() {
        return builder().start();
    }

    /**
     * Starts a proxy on an ephemeral port that requires {@code Proxy-Authorization: Basic}
     * with exactly this user and password (compared as UTF-8).
     */
    public static ConnectProxy withCredentials(String user, String password) {
        return builder().credentials(user, password).start();
    }

    /** Starts a proxy on an ephemeral port that answers every CONNECT with {@code status} and closes. */
    public static ConnectProxy refusing(int status) {
        return builder().refuseConnects(status).start();
    }

    /** A builder for combinations (credentials and a fault, a fixed port, ...). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * From now on, answers every CONNECT with {@code status} (300 to 599) and closes the
     * connection; open tunnels are not affected.
     *
     * @return this
     */
    public ConnectProxy refuseConnects(int status) {
        this.refusalStatus = checkRefusalStatus(status);
        return this;
    }

    /** From now on, opens tunnels again (the default). @return this */
    public ConnectProxy acceptConnects() {
        this.refusalStatus = 0;
        return this;
    }

    /**
     * Fault: every tunnel opened from now on is closed after relaying {@code bytes} bytes toward
     * the client (counted after the {@code 200} answer; the server side is closed too). The client
     * reads exactly that many bytes and then end of stream, or a reset if it was still sending.
     * With 0, a tunnel is closed when the server first sends anything. {@link Long#MAX_VALUE}
     * (the default) turns the fault off. Tunnels already open keep the limit they started with.
     *
     * @return this
     */
    public ConnectProxy dropTunnelsAfterBytes(long bytes) {
        this.drops = Drops.every(checkDropLimit(bytes));
        return this;
    }

    /**
     * Fault, for soaks: of the tunnels opened from now on, a seeded random {@code fraction} is
     * closed after a random number of bytes toward the client, from {@code minBytes} to
     * {@code maxBytes} (both inclusive; counted as for {@link #dropTunnelsAfterBytes(long)}, so TLS
     * handshake bytes count too). The number is drawn log-uniformly ({@code log(n + 1)} uniform), so
     * that each order of magnitude is met as often: with 512 to 1,500,000, about a quarter of the
     * drops cut a TLS handshake or fall before the first response head, the rest cut bodies. The
     * others are never dropped.
     *
     * <p>The choices come from one {@code java.util.Random(seed)}, two draws per tunnel (chosen?
     * then the limit, drawn for every tunnel so the sequence does not depend on earlier choices),
     * in the order tunnels are opened: the sequence of decisions is fixed by the seed, which tunnel
     * gets which depends on the order the client's connections arrive. A chosen tunnel whose
     * traffic ends before its limit is not dropped; {@link #tunnelsDropped()} counts the drops that
     * happened. Replaces a fixed limit set by {@link #dropTunnelsAfterBytes(long)}, and is replaced by
     * it ({@code dropTunnelsAfterBytes(Long.MAX_VALUE)} turns both off). Tunnels already open keep
     * the limit they started with.
     *
     * @param fraction 0 to 1
     * @throws IllegalArgumentException if {@code fraction} is outside 0..1 or the byte range is
     *         negative or empty
     * @return this
     */
    public ConnectProxy dropTunnelsAtRandom(double fraction, long minBytes, long maxBytes, long seed) {
        this.drops = Drops.random(fraction, minBytes, maxBytes, seed);
        return this;
    }

    /** The listening port on 127.0.0.1. */
    public int port() {
        return relay.port();
    }

    /** {@code 127.0.0.1:port}, as a resolved address (for clients configured with a socket address). */
    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port());
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("http://" + HOST + ":" + port());
    }

    /** CONNECT requests received, including refused, unauthorised and failed ones. */
    public int connectCount() {
        return connectCount.get();
    }

    /** Tunnels established (answered {@code 200}) so far. */
    public int tunnelsOpened() {
        return tunnelsOpened.get();
    }

    /** Tunnels currently open; a tunnel counts until both of its sockets are closed. */
    public int openTunnels() {
        return openTunnels.get();
    }

    /** Tunnels closed by the {@link #dropTunnelsAfterBytes(long)} fault. */
    public int tunnelsDropped() {
        return tunnelsDropped.get();
    }

    /**
     * The target of every CONNECT received, as sent ({@code host:port}, {@code [v6]:port}),
     * in order of arrival; including refused and unauthorised ones.
     */
    public List<String> connectTargets() {
        return List.copyOf(connectTargets);
    }

    /**
     * Every {@code Proxy-Authorization} value received (CONNECT and plain requests), raw and in
     * order of arrival, whether or not it was accepted; requests without one add nothing.
     */
    public List<String> proxyAuthorizations() {
        return List.copyOf(proxyAuthorizations);
    }

    /** Every non-CONNECT request received, as {@code METHOD target}, in order of arrival. */
    public List<String> plainRequests() {
        return List.copyOf(plainRequests);
    }

    /** Payload bytes relayed toward clients, over all tunnels and forwarded requests. */
    public long bytesToClients() {
        return relay.bytesToClient();
    }

    /** Payload bytes relayed toward servers (forwarded request heads included). */
    public long bytesToServers() {
        return relay.bytesToServer();
    }

    /**
     * Stops listening and closes every connection and tunnel; returns once the proxy's threads
     * have ended (waits at most about 5 s). Idempotent. Counters and lists remain readable.
     */
    @Override
    public void close() {
        relay.close();
    }

    @Override
    public String toString() {
        return "ConnectProxy[" + uri() + ", connects=" + connectCount() + ", open=" + openTunnels() + "]";
    }

    // ---------------------------------------------------------------------------------------

    private void handle(Socket client) throws IOException {
        HttpRequestHead head;
        try {
            head = HttpRequestHead.read(client.getInputStream());
        } catch (ProtocolException e) {
            respond(client, 400, "");
            return;
        }
        if (head == null) {
            relay.untrackAndClose(client);
            return;
        }
        boolean connect = head.method().equals("CONNECT");
        // Record before answering, so that a test that has read the answer sees the counts.
        if (connect) {
            connectCount.incrementAndGet();
            connectTargets.add(head.target());
        } else {
            plainRequests.add(head.method() + " " + head.target());
        }
        List<String> authorizations = head.values("Proxy-Authorization");
        proxyAuthorizations.addAll(authorizations);

        if (expectedUserPassword != null && !authorized(authorizations)) {
            respond(client, 407, "Proxy-Authenticate: Basic realm=\"test\"\r\n");
            return;
        }
        if (connect) {
            tunnel(client, head);
        } else {
            forward(client, head);
        }
    }

    private void tunnel(Socket client, HttpRequestHead head) throws IOException {
        int refusal = refusalStatus;
        if (refusal != 0) {
            respond(client, refusal, "");
            return;
        }
        String[] hostPort = parseAuthority(head.target());
        if (hostPort == null) {
            respond(client, 400, "");
            return;
        }
        Socket upstream;
        try {
            String host = hosts.getOrDefault(hostPort[0].toLowerCase(java.util.Locale.ROOT), hostPort[0]);
            upstream = relay.connect(host, Integer.parseInt(hostPort[1]));
        } catch (IOException | IllegalArgumentException e) {
            respond(client, 502, "");
            return;
        }
        long limit = drops.limitForNextTunnel();
        tunnelsOpened.incrementAndGet();
        openTunnels.incrementAndGet();
        try {
            client.getOutputStream().write(ESTABLISHED);
        } catch (IOException e) {
            relay.untrackAndClose(upstream);
            openTunnels.decrementAndGet();
            throw e;
        }
        relay.splice(client, head.leftover(), upstream, limit,
                tunnelsDropped::incrementAndGet, openTunnels::decrementAndGet);
    }

    private void forward(Socket client, HttpRequestHead head) throws IOException {
        URI target;
        try {
            target = new URI(head.target());
        } catch (URISyntaxException e) {
            respond(client, 400, "");
            return;
        }
        if (!"http".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
            // Origin-form requests are for servers, not proxies; https:// needs CONNECT.
            respond(client, 400, "");
            return;
        }
        int port = target.getPort() == -1 ? 80 : target.getPort();
        String host = target.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        Socket upstream;
        try {
            upstream = relay.connect(host, port);
        } catch (IOException | IllegalArgumentException e) {
            respond(client, 502, "");
            return;
        }
        StringBuilder out = new StringBuilder(256);
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        out.append(head.method()).append(' ').append(path);
        if (target.getRawQuery() != null) {
            out.append('?').append(target.getRawQuery());
        }
        out.append(' ').append(head.version()).append("\r\n");
        boolean hasHost = false;
        for (String[] field : head.fields()) {
            String name = field[0].toLowerCase(Locale.ROOT);
            switch (name) {
                // Hop-by-hop, or meant for this proxy only.
                case "proxy-authorization", "proxy-connection", "connection", "keep-alive":
                    continue;
                case "host":
                    hasHost = true;
                    break;
                default:
                    break;
            }
            out.append(field[0]).append(": ").append(field[1]).append("\r\n");
        }
        if (!hasHost) {
            out.append("Host: ").append(target.getRawAuthority()).append("\r\n");
        }
        // One request per connection: the server closes after answering, which ends the relay.
        out.append("Connection: close\r\n\r\n");
        byte[] rewritten = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] leftover = head.leftover();
        byte[] first = new byte[rewritten.length + leftover.length];
        System.arraycopy(rewritten, 0, first, 0, rewritten.length);
        System.arraycopy(leftover, 0, first, rewritten.length, leftover.length);
        relay.splice(client, first, upstream, Long.MAX_VALUE, () -> { }, () -> { });
    }

    private boolean authorized(List<String> authorizations) {
        for (String value : authorizations) {
            if (value.length() > 6 && value.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()),
                            StandardCharsets.UTF_8);
                    if (decoded.equals(expectedUserPassword)) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // Not base64: just not a match.
                }
            }
        }
        return false;
    }

    private void respond(Socket client, int status, String extraFields) {
        String response = "HTTP/1.1 " + status + " " + reason(status) + "\r\n" + extraFields
                + "Content-Length: 0\r\nConnection: close\r\n\r\n";
        relay.respondAndClose(client, response.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code {host, port}} of an authority-form target ({@code host:port}, {@code [v6]:port}), or null. */
    static String[] parseAuthority(String authority) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0 || close + 1 >= authority.length() || authority.charAt(close + 1) != ':') {
                return null;
            }
            host = authority.substring(1, close);
            port = authority.substring(close + 2);
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon <= 0 || authority.indexOf(':') != colon) {
                return null;
            }
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
        }
        if (host.isEmpty() || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            return null;
        }
        return new String[] {host, port};
    }

    private static String reason(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 407: return "Proxy Authentication Required";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "Refused";
        }
    }

    private static int checkRefusalStatus(int status) {
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("refusal status must be 300..599: " + status);
        }
        return status;
    }

    private static long checkDropLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("byte limit must be >= 0: " + bytes);
        }
        return bytes;
    }

    /** The drop fault: gives each tunnel, as it opens, the byte limit after which it is closed. */
    private interface Drops {
        Drops NEVER = () -> Long.MAX_VALUE;

        /** The limit for the tunnel being opened; {@link Long#MAX_VALUE} for never. Thread-safe. */
        long limitForNextTunnel();

        static Drops every(long bytes) {
            return bytes == Long.MAX_VALUE ? NEVER : () -> bytes;
        }

        static Drops random(double fraction, long minBytes, long maxBytes, long seed) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction must be 0..1: " + fraction);
            }
            checkDropLimit(minBytes);
            if (maxBytes < minBytes || maxBytes == Long.MAX_VALUE) {
                throw new IllegalArgumentException("byte range is empty or unbounded: " + minBytes + ".." + maxBytes);
            }
            java.util.Random random = new java.util.Random(seed);
            return () -> {
                synchronized (random) {
                    boolean chosen = random.nextDouble() < fraction;
                    long limit = logUniform(random.nextDouble(), minBytes, maxBytes);
                    return chosen ? limit : Long.MAX_VALUE;
                }
            };
        }
    }

    /**
     * {@code n} in {@code min..max} with {@code log(n + 1)} uniform, for {@code u} uniform in [0, 1):
     * {@code floor(e^x) - 1} for {@code x} uniform in {@code [log(min + 1), log(max + 2))}.
     */
    static long logUniform(double u, long min, long max) {
        double low = Math.log(min + 1.0);
        double high = Math.log(max + 2.0);
        long n = (long) Math.floor(Math.exp(low + u * (high - low))) - 1;
        return Math.max(min, Math.min(max, n));
    }

    /**
     * Configures a {@link ConnectProxy}. Not thread-safe; {@link #start()} may be called more
     * than once, each call starting an independent proxy.
     */
    public static final class Builder {
        private String user;
        private String password;
        private int refusalStatus;
        private Drops drops = Drops.NEVER;
        private int port;
        private final Map<String, String> hosts = new java.util.HashMap<>();

        private Builder() {
        }

        /**
         * Resolves {@code name} to {@code address} for CONNECT targets, as a proxy's DNS would:
         * the client keeps the name (for SNI and hostname verification, e.g.
         * {@code example.signalwire.com}) while the tunnel reaches a local server. Case-insensitive.
         */
        public Builder resolve(String name, String address) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            hosts.put(name.toLowerCase(java.util.Locale.ROOT), address);
            return this;
        }

        /** Requires {@code Proxy-Authorization: Basic} with this user and password; the user must not contain ':'. */
        public Builder credentials(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("a Basic user name cannot contain ':'");
            }
            this.user = user;
            this.password = password;
            return this;
        }

        /** Answers every CONNECT with {@code status} (300 to 599) and closes; see {@link ConnectProxy#refuseConnects(int)}. */
        public Builder refuseConnects(int status) {
            this.refusalStatus = checkRefusalStatus(status);
            return this;
        }

        /** See {@link ConnectProxy#dropTunnelsAfterBytes(long)}. */
        public Builder dropTunnelsAfterBytes(long bytes) {
            this.drops = Drops.every(checkDropLimit(bytes));
            return this;
        }

        /** See {@link ConnectProxy#dropTunnelsAtRandom(double, long, long, long)}. */
        public Builder dropTunnelsAtRandom(double fraction, long minBytes, long maxBytes, long seed) {
            this.drops = Drops.random(fraction, minBytes, maxBytes, seed);
            return this;
        }

        /** Listens on this port of 127.0.0.1 (0, the default, for an ephemeral one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Binds and starts accepting.
         *
         * @throws UncheckedIOException the port could not be bound
         */
        public ConnectProxy start() {
            try {
                return new ConnectProxy(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the proxy", e);
            }
        }
    }
}
