package dev.laml.recordings.testkit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;

/**
 * A bare HTTPS client on the JDK's {@link SSLEngine}, for what higher-level clients hide: whether the server ended
 * the TLS session with a close_notify before its FIN. An {@code SSLSocket} cannot tell (by default it treats a bare
 * FIN as a close_notify and returns -1); the engine keeps the difference, and {@link SSLEngine#closeInbound()} throws
 * when the alert never came.
 */
final class TlsProbe {

    /**
     * What one GET saw: the response head and body bytes in full as far as they came, then how the connection ended:
     * by the server's close_notify, by a bare end of stream (with the engine's complaint), or by an I/O error.
     */
    record Exchange(String head, byte[] body, boolean closeNotify, SSLException truncation, IOException failure) {

        long contentLength() {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    return Long.parseLong(line.substring("content-length:".length()).trim());
                }
            }
            return -1;
        }
    }

    private TlsProbe() {
    }

    /** Sends {@code GET path} over TLS to 127.0.0.1:{@code port}, verifying the server's name, and reads to the end. */
    static Exchange get(SSLContext context, int port, String path) throws IOException {
        SSLEngine engine = context.createSSLEngine("127.0.0.1", port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        ByteBuffer request = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ByteBuffer netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        ByteBuffer netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()); // kept in fill mode
        ByteBuffer plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean closeNotify = false;
        SSLException truncation = null;
        IOException failure = null;

        try (SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            engine.beginHandshake();
            loop:
            while (true) {
                SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
                if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                    continue;
                }
                if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP
                        || status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && request.hasRemaining()) {
                    netOut.clear();
                    engine.wrap(request, netOut);
                    netOut.flip();
                    while (netOut.hasRemaining()) {
                        socket.write(netOut);
                    }
                    continue;
                }
                netIn.flip();
                SSLEngineResult result = engine.unwrap(netIn, plain);
                netIn.compact();
                plain.flip();
                received.write(plain.array(), plain.arrayOffset() + plain.position(), plain.remaining());
                plain.clear();
                switch (result.getStatus()) {
                    case CLOSED -> {
                        closeNotify = true;
                        break loop;
                    }
                    case BUFFER_UNDERFLOW -> {
                        int n;
                        try {
                            n = socket.read(netIn);
                        } catch (IOException e) {
                            failure = e;
                            break loop;
                        }
                        if (n < 0) {
                            try {
                                engine.closeInbound(); // throws unless a close_notify came first
                            } catch (SSLException e) {
                                truncation = e;
                            }
                            break loop;
                        }
                    }
                    case BUFFER_OVERFLOW -> throw new IllegalStateException("application buffer too small");
                    default -> { } // OK: unwrap again
                }
            }
        }
        byte[] bytes = received.toByteArray();
        int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String head = new String(bytes, 0, end < 0 ? bytes.length : end, StandardCharsets.ISO_8859_1);
        byte[] body = end < 0 ? new byte[0] : Arrays.copyOfRange(bytes, end + 4, bytes.length);
        return new Exchange(head, body, closeNotify, truncation, failure);
    }

    /** A TLS context that trusts exactly the certificates in {@code pem} (and nothing from the JDK's defaults). */
    static SSLContext trusting(String pem) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return trusting(factory.generateCertificates(new ByteArrayInputStream(
                pem.getBytes(StandardCharsets.US_ASCII))).toArray(new Certificate[0]));
    }

    static SSLContext trusting(Certificate... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("trusted-" + i, certificates[i]);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** The certificate chain the server at 127.0.0.1:{@code port} presents, leaf first (names not checked). */
    static X509Certificate[] presentedChain(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return Arrays.stream(socket.getSession().getPeerCertificates())
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
