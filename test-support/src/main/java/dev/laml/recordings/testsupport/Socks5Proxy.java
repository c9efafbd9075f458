package dev.laml.recordings.testsupport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal SOCKS5 server (RFC 1928) on 127.0.0.1 for tests: the "no authentication" method
 * only, the CONNECT command only, and the IPv4, domain-name and IPv6 address types. A granted
 * CONNECT becomes a tunnel that splices bytes both ways, exactly like {@link ConnectProxy}'s
 * (blocking copy per direction, 64 KiB buffers, backpressure end to end).
 *
 * <p>Replies: a client offering no "no authentication" method gets method {@code 0xFF} and is
 * closed; BIND and UDP ASSOCIATE get {@code 0x07} (command not supported), an unknown address
 * type {@code 0x08}; a target that refuses gives {@code 0x05}, one that cannot be resolved or
 * reached {@code 0x04}, any other failure {@code 0x01}. Domain names are resolved by this
 * proxy (through the JVM's resolver).
 *
 * <p>Thread-safe: accessors may be called from any thread while connections are served; lists
 * returned are immutable snapshots. No method accepts or returns null. Not hardened: a tool for
 * loopback tests, not for untrusted networks.
 */
public final class Socks5Proxy implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int VERSION = 5;
    private static final int METHOD_NO_AUTH = 0x00;
    private static final int METHOD_NONE_ACCEPTABLE = 0xFF;
    private static final int CMD_CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;
    private static final int REP_SUCCEEDED = 0x00;
    private static final int REP_GENERAL_FAILURE = 0x01;
    private static final int REP_HOST_UNREACHABLE = 0x04;
    private static final int REP_CONNECTION_REFUSED = 0x05;
    private static final int REP_COMMAND_NOT_SUPPORTED = 0x07;
    private static final int REP_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

    private final SocketRelay relay;
    private final AtomicInteger connectCount = new AtomicInteger();
    private final AtomicInteger tunnelsOpened = new AtomicInteger();
    private final AtomicInteger openTunnels = new AtomicInteger();
    private final List<String> connectTargets = new CopyOnWriteArrayList<>();

    private Socks5Proxy(int port) throws IOException {
        this.relay = new SocketRelay("socks5-proxy", port, this::handle);
        relay.start();
    }

    /**
     * Starts a proxy on an ephemeral port of 127.0.0.1.
     *
     * @throws UncheckedIOException no port could be bound
     */
    public static Socks5Proxy start() {
        return start(0);
    }

    /**
     * Starts a proxy on {@code port} of 127.0.0.1 (0 for an ephemeral one).
     *
     * @throws UncheckedIOException the port could not be bound
     */
    public static Socks5Proxy start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port);
        }
        try {
            return new Socks5Proxy(port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the SOCKS5 proxy", e);
        }
    }

    /** The listening port on 127.0.0.1. */
    public int port() {
        return relay.port();
    }

    /** {@code 127.0.0.1:port}, as a resolved address (what {@link java.net.Proxy} wants). */
    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port());
    }

    /** {@code socks5://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("socks5://" + HOST + ":" + port());
    }

    /** CONNECT commands received (with a complete address), including ones whose target failed. */
    public int connectCount() {
        return connectCount.get();
    }

    /** Tunnels established (answered "succeeded") so far. */
    public int tunnelsOpened() {
        return tunnelsOpened.get();
    }

    /** Tunnels currently open; a tunnel counts until both of its sockets are closed. */
    public int openTunnels() {
        return openTunnels.get();
    }

    /**
     * The target of every CONNECT command, in order of arrival: {@code host:port} for a domain
     * name, {@code a.b.c.d:port} for IPv4, {@code [v6]:port} for IPv6 (in the JDK's full form,
     * e.g. {@code [0:0:0:0:0:0:0:1]:8080}).
     */
    public List<String> connectTargets() {
        return List.copyOf(connectTargets);
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
        return "Socks5Proxy[" + uri() + ", connects=" + connectCount() + ", open=" + openTunnels() + "]";
    }

    // ---------------------------------------------------------------------------------------

    private void handle(Socket client) throws IOException {
        // Unbuffered on purpose: exact reads never swallow bytes that belong to the tunnel.
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();

        int version = in.read();
        if (version != VERSION) {
            // End of stream, or SOCKS4 / not SOCKS at all: there is no reply a v4 client would parse as ours.
            relay.untrackAndClose(client);
            return;
        }
        byte[] methods = new byte[in.readUnsignedByte()];
        in.readFully(methods);
        boolean noAuthOffered = false;
        for (byte method : methods) {
            noAuthOffered |= method == METHOD_NO_AUTH;
        }
        if (!noAuthOffered) {
            relay.respondAndClose(client, new byte[] {VERSION, (byte) METHOD_NONE_ACCEPTABLE});
            return;
        }
        out.write(new byte[] {VERSION, METHOD_NO_AUTH});
        out.flush();

        if (in.readUnsignedByte() != VERSION) {
            relay.untrackAndClose(client);
            return;
        }
        int command = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        int addressType = in.readUnsignedByte();
        String host;
        String target;
        switch (addressType) {
            case ATYP_IPV4: {
                byte[] address = new byte[4];
                in.readFully(address);
                host = InetAddress.getByAddress(address).getHostAddress();
                target = host;
                break;
            }
            case ATYP_DOMAIN: {
                byte[] name = new byte[in.readUnsignedByte()];
                in.readFully(name);
                host = new String(name, StandardCharsets.US_ASCII);
                target = host;
                break;
            }
            case ATYP_IPV6: {
                byte[] address = new byte[16];
                in.readFully(address);
                host = InetAddress.getByAddress(address).getHostAddress();
                target = "[" + host + "]";
                break;
            }
            default:
                // The address length is unknown, so the request cannot be read to its end.
                relay.respondAndClose(client, reply(REP_ADDRESS_TYPE_NOT_SUPPORTED, null, 0));
                return;
        }
        int port = in.readUnsignedShort();
        if (command != CMD_CONNECT) {
            relay.respondAndClose(client, reply(REP_COMMAND_NOT_SUPPORTED, null, 0));
            return;
        }
        connectCount.incrementAndGet();
        connectTargets.add(target + ":" + port);

        Socket upstream;
        try {
            if (host.isEmpty() || port == 0) {
                throw new UnknownHostException("empty host or port 0");
            }
            upstream = relay.connect(host, port);
        } catch (IOException | IllegalArgumentException e) {
            relay.respondAndClose(client, reply(failureCode(e), null, 0));
            return;
        }
        tunnelsOpened.incrementAndGet();
        openTunnels.incrementAndGet();
        try {
            out.write(reply(REP_SUCCEEDED, upstream.getLocalAddress(), upstream.getLocalPort()));
            out.flush();
        } catch (IOException e) {
            relay.untrackAndClose(upstream);
            openTunnels.decrementAndGet();
            throw e;
        }
        relay.splice(client, new byte[0], upstream, Long.MAX_VALUE, () -> { }, openTunnels::decrementAndGet);
    }

    private static int failureCode(Exception e) {
        if (e instanceof ConnectException) {
            return REP_CONNECTION_REFUSED;
        }
        if (e instanceof UnknownHostException || e instanceof NoRouteToHostException
                || e instanceof SocketTimeoutException) {
            return REP_HOST_UNREACHABLE;
        }
        return REP_GENERAL_FAILURE;
    }

    /** VER REP RSV ATYP BND.ADDR BND.PORT; an unknown bound address is sent as 0.0.0.0. */
    private static byte[] reply(int code, InetAddress bound, int port) {
        byte[] address = bound instanceof Inet6Address || bound instanceof Inet4Address
                ? bound.getAddress() : new byte[4];
        byte[] reply = new byte[6 + address.length];
        reply[0] = VERSION;
        reply[1] = (byte) code;
        reply[2] = 0;
        reply[3] = (byte) (address.length == 16 ? ATYP_IPV6 : ATYP_IPV4);
        System.arraycopy(address, 0, reply, 4, address.length);
        reply[4 + address.length] = (byte) (port >>> 8);
        reply[5 + address.length] = (byte) port;
        return reply;
    }
}
