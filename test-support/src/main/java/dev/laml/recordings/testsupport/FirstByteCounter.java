package dev.laml.recordings.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a server that counts the connections it relays by what the client said
 * first: an HTTP request (a method's letter) or a TLS ClientHello (a handshake record, {@code 0x16}). For tests that
 * must know how many requests reached a server that never parses them: a TLS server asked in plain HTTP, a plain
 * server asked over TLS. Everything else is relayed as it is, both ways.
 *
 * <p>Thread-safe. {@link #close()} closes every socket and joins every thread it started.
 */
public final class FirstByteCounter implements AutoCloseable {

    private final SocketRelay relay;
    private final int targetPort;
    private final AtomicInteger httpRequests = new AtomicInteger();
    private final AtomicInteger tlsHellos = new AtomicInteger();
    private final AtomicInteger others = new AtomicInteger();

    private FirstByteCounter(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.relay = new SocketRelay("first-byte-counter", 0, this::handle);
    }

    /** Starts a relay to 127.0.0.1:{@code targetPort} on an ephemeral port. */
    public static FirstByteCounter start(int targetPort) throws IOException {
        FirstByteCounter counter = new FirstByteCounter(targetPort);
        counter.relay.start();
        return counter;
    }

    /** The port to connect to instead of the target's. */
    public int port() {
        return relay.port();
    }

    /** Connections whose first byte was an upper-case letter, as an HTTP request's method begins. */
    public int httpRequests() {
        return httpRequests.get();
    }

    /** Connections whose first byte began a TLS handshake record (a ClientHello). */
    public int tlsHellos() {
        return tlsHellos.get();
    }

    /** Connections that began with anything else, or closed before a byte. */
    public int others() {
        return others.get();
    }

    private void handle(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        int first = in.read();
        if (first < 0) {
            others.incrementAndGet();
            client.close();
            return;
        }
        if (first >= 'A' && first <= 'Z') {
            httpRequests.incrementAndGet();
        } else if (first == 0x16) {
            tlsHellos.incrementAndGet();
        } else {
            others.incrementAndGet();
        }
        Socket upstream;
        try {
            upstream = relay.connect("127.0.0.1", targetPort);
        } catch (IOException unreachable) {
            client.close();
            throw unreachable;
        }
        relay.splice(client, new byte[] {(byte) first}, upstream, Long.MAX_VALUE, () -> { }, () -> { });
    }

    @Override
    public void close() {
        relay.close();
    }
}
