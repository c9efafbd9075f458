package dev.laml.recordings.benchmarks.clients;

import dev.laml.recordings.benchmarks.Fixtures;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The floor: plain NIO, no HTTP library. The benchmark thread itself drives N keep-alive
 * {@link SocketChannel}s with one {@link Selector}: it writes a GET on each, then reads every
 * response (status line and headers parsed by hand, body read to its {@code Content-Length})
 * into one reused 256 KiB direct buffer and folds it in place. One thread, no copies, no
 * allocation per chunk.
 */
final class RawSocketDownloader implements Downloader {

    private final InetSocketAddress address;
    private final String hostHeader;
    private final Selector selector;
    private final List<Conn> conns = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);

    RawSocketDownloader(URI base) {
        this.address = new InetSocketAddress(base.getHost(), base.getPort());
        this.hostHeader = base.getHost() + ":" + base.getPort();
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long downloadAll(int n, String sid, long size) {
        try {
            return run(n, sid, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long run(int n, String sid, long size) throws IOException {
        while (conns.size() < n) {
            SocketChannel ch = SocketChannel.open(address);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            Conn c = new Conn(ch);
            ch.register(selector, SelectionKey.OP_READ, c);
            conns.add(c);
        }
        byte[] request = ("GET " + Fixtures.mediaPath(sid) + " HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nAccept: audio/*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            Conn c = conns.get(i);
            c.start();
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                c.ch.write(out); // a few hundred bytes into an idle socket: never more than a spin or two
            }
        }
        int pending = n;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (pending > 0) {
            if (selector.select(1000) == 0 && System.nanoTime() > deadline) {
                throw new IOException("rawSocket: " + pending + " responses still pending after 5 minutes");
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                Conn c = (Conn) key.attachment();
                if (c.readAll(readBuffer)) {
                    pending--;
                }
            }
        }
        long acc = 0;
        for (int i = 0; i < n; i++) {
            acc ^= conns.get(i).sink.verify(size);
        }
        return acc;
    }

    @Override
    public void close() {
        for (Conn c : conns) {
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** One keep-alive connection and its response parser. */
    private static final class Conn {
        final SocketChannel ch;
        final byte[] head = new byte[8192];
        int headLength;
        boolean inBody;
        boolean active;
        long remaining;
        Sink sink;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        void start() {
            headLength = 0;
            inBody = false;
            active = true;
            remaining = -1;
            sink = new Sink();
        }

        /** Reads what the socket has; true when this response just completed. */
        boolean readAll(ByteBuffer buf) throws IOException {
            while (true) {
                buf.clear();
                int r = ch.read(buf);
                if (r < 0) {
                    throw new EOFException("rawSocket: connection closed mid-response");
                }
                if (r == 0) {
                    return false;
                }
                if (!active) {
                    throw new IOException("rawSocket: unexpected bytes on an idle connection");
                }
                buf.flip();
                if (!inBody) {
                    parseHead(buf);
                }
                if (inBody && buf.hasRemaining()) {
                    int take = (int) Math.min(remaining, buf.remaining());
                    int limit = buf.limit();
                    buf.limit(buf.position() + take);
                    sink.accept(buf);
                    buf.position(buf.limit()).limit(limit);
                    remaining -= take;
                    if (buf.hasRemaining()) {
                        throw new IOException("rawSocket: bytes past Content-Length");
                    }
                }
                if (inBody && remaining == 0) {
                    active = false;
                    return true;
                }
            }
        }

        private void parseHead(ByteBuffer buf) throws IOException {
            while (buf.hasRemaining()) {
                if (headLength == head.length) {
                    throw new IOException("rawSocket: response head too long");
                }
                byte b = buf.get();
                head[headLength++] = b;
                if (b == '\n' && headLength >= 4 && head[headLength - 2] == '\r'
                        && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
                    String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
                    if (!text.startsWith("HTTP/1.1 200")) {
                        throw new IOException("rawSocket: " + text.lines().findFirst().orElse(""));
                    }
                    remaining = -1;
                    for (String line : text.split("\r\n")) {
                        int colon = line.indexOf(':');
                        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                            remaining = Long.parseLong(line.substring(colon + 1).trim());
                        }
                    }
                    if (remaining < 0) {
                        throw new IOException("rawSocket: no Content-Length");
                    }
                    inBody = true;
                    return;
                }
            }
        }
    }
}
