package dev.laml.recordings.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** Client-side helpers shared by the proxy tests. */
final class ProxyTestSupport {

    private ProxyTestSupport() {
    }

    /** Opens a socket to the proxy, sends {@code request} and returns it with the response head read. */
    static Exchange send(ConnectProxy proxy, String request) throws IOException {
        Socket socket = new Socket("127.0.0.1", proxy.port());
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return new Exchange(socket, readHead(socket.getInputStream()));
    }

    /** {@code CONNECT target} with optional extra header lines (each ending in CRLF). */
    static Exchange connect(ConnectProxy proxy, String target, String extraFields) throws IOException {
        return send(proxy, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + extraFields + "\r\n");
    }

    /** Reads a response head byte by byte, so that nothing after it is consumed. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("stream ended inside the response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads until end of stream or a reset; returns the bytes read before either. */
    static long drain(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // A reset after the data is one of the allowed endings.
        }
        return total;
    }

    /**
     * Whether the peer closed: end of stream or a reset, after any data still in flight (which is
     * discarded), before the socket's read timeout expired.
     */
    static boolean peerClosed(Socket socket) {
        byte[] sink = new byte[64 * 1024];
        try {
            while (socket.getInputStream().read(sink) >= 0) {
                // discard
            }
            return true;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Waits until {@code value} has not changed for {@code quiet}; returns the settled value. */
    static long awaitSettled(LongSupplier value, Duration quiet, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = value.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = value.getAsLong();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
        }
        throw new AssertionError("value kept changing for " + timeout + " (last " + last + ")");
    }

    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static boolean anyThreadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith(prefix));
    }

    /** Open file descriptors of this JVM, or -1 where the platform does not say. */
    static long openFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getOpenFileDescriptorCount();
        }
        return -1;
    }

    /** A client socket with the response head the proxy sent on it. */
    static final class Exchange implements AutoCloseable {
        final Socket socket;
        final String head;

        Exchange(Socket socket, String head) {
            this.socket = socket;
            this.head = head;
        }

        String statusLine() {
            return head.substring(0, head.indexOf("\r\n"));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
