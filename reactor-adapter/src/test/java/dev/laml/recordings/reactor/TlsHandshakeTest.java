package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.TransferException;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManagerFactorySpi;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The handshake, engine by engine: a trusted certificate works, and every way a certificate or a
 * handshake can be wrong ends in a {@link TlsException} that says what failed for which
 * host:port, after one connection and no retry (the default policy would make four attempts).
 */
class TlsHandshakeTest {

    private static final byte[] AUDIO = TestData.bytes(50_000, 7);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    /** TCP connections the current server accepted. */
    private AtomicInteger connections = new AtomicInteger();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private URI serve(X509Bundle certificate) {
        HttpsAudioServer server = new HttpsAudioServer(certificate, AUDIO);
        open.add(server);
        connections = server.connections();
        return server.uri();
    }

    private RecordingsClient.Builder client(URI base, TlsEngine engine) {
        return RecordingsClient.builder().baseUrl(base).tlsEngine(engine).retryPolicy(RetryPolicy.defaults()
                .baseDelay(Duration.ofMillis(1)));
    }

    private RecordingsClient build(RecordingsClient.Builder builder) {
        RecordingsClient c = builder.build();
        open.add(c);
        return c;
    }

    private Throwable downloadError(RecordingsClient client) {
        return client.download(ACCOUNT, RECORDING, AudioFormat.MP3).then()
                .map(v -> (Throwable) null).onErrorResume(Mono::just).block(Duration.ofSeconds(20));
    }

    private byte[] download(RecordingsClient client) {
        return client.download(ACCOUNT, RECORDING, AudioFormat.MP3)
                .reduce(new java.io.ByteArrayOutputStream(), (out, b) -> {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                    return out;
                }).map(java.io.ByteArrayOutputStream::toByteArray).block(Duration.ofSeconds(20));
    }

    private void assertTyped(Throwable error, String... fragments) {
        assertThat(error).isInstanceOf(TlsException.class);
        assertThat(error.getMessage()).contains(fragments);
        assertThat(((TransferException) error).attempts()).as("never retried").isEqualTo(1);
        assertThat(connections).as("one connection").hasValue(1);
        assertThat(error.getCause()).as("the engine's exception is the cause").isNotNull();
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aCertificateFromTheTrustedPemFileIsAcceptedWithExactBytes(TlsEngine engine) {
        URI base = serve(Certificates.loopback());
        RecordingsClient client = build(client(base, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertThat(download(client)).isEqualTo(AUDIO);
        assertThat(client.toString()).contains("tls=" + (engine == TlsEngine.OPENSSL ? "OpenSSL" : "JDK"));
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void localhostMatchesItsDnsName(TlsEngine engine) {
        URI base = serve(Certificates.loopback());
        URI viaName = URI.create("https://localhost:" + base.getPort());
        RecordingsClient client = build(client(viaName, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertThat(download(client)).isEqualTo(AUDIO);
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void anIssuerNotInTheTrustStoreIsNamed(TlsEngine engine) {
        URI base = serve(Certificates.selfSigned("rogue.example"));
        RecordingsClient client = build(client(base, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertTyped(downloadError(client), "TLS handshake with 127.0.0.1:" + base.getPort(),
                "issuer CN=rogue.example is not trusted");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void theDefaultTrustStoreDoesNotTrustAPrivateCa(TlsEngine engine) {
        URI base = serve(Certificates.loopback());
        RecordingsClient client = build(client(base, engine));

        assertTyped(downloadError(client), "issuer CN=laml test root CA,O=laml is not trusted");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aCertificateForAnotherHostSaysWhichNames(TlsEngine engine) {
        X509Bundle other = Certificates.leaf(Certificates.CA, Certificates.NOW.minus(Duration.ofDays(1)),
                Certificates.NOW.plus(Duration.ofDays(7)), "other.example");
        URI base = serve(other);
        RecordingsClient client = build(client(base, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertTyped(downloadError(client), "TLS handshake with 127.0.0.1:" + base.getPort(), "certificate for other.example does not match 127.0.0.1");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void anExpiredCertificateSaysWhen(TlsEngine engine) {
        Instant expired = Certificates.NOW.minus(Duration.ofDays(1));
        X509Bundle old = Certificates.leaf(Certificates.CA, Certificates.NOW.minus(Duration.ofDays(2)), expired, "localhost");
        URI base = serve(old);
        RecordingsClient client = build(client(base, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertTyped(downloadError(client), "certificate for localhost, 127.0.0.1",
                "expired on " + old.getCertificate().getNotAfter().toInstant());
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aCertificateNotYetValidSaysFromWhen(TlsEngine engine) {
        X509Bundle future = Certificates.leaf(Certificates.CA, Certificates.NOW.plus(Duration.ofDays(1)),
                Certificates.NOW.plus(Duration.ofDays(3)), "localhost");
        URI base = serve(future);
        RecordingsClient client = build(client(base, engine).trustedCertificates(Certificates.pem(dir, Certificates.CA)));

        assertTyped(downloadError(client), "is not valid before " + future.getCertificate().getNotBefore().toInstant());
    }

    /** A server that answers the ClientHello with one fatal alert, as a server with no common version or cipher does. */
    private URI alertServer(int alert) throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(socket);
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    connections.incrementAndGet();
                    InputStream in = s.getInputStream();
                    in.read(new byte[5]); // the ClientHello's record header
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, (byte) alert});
                    out.flush();
                    s.shutdownOutput();
                    in.readAllBytes();
                } catch (Exception closed) {
                    // next
                }
            }
        }, "alert-server");
        t.setDaemon(true);
        t.start();
        return URI.create("https://127.0.0.1:" + socket.getLocalPort());
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void noCommonProtocolVersionIsSaidSo(TlsEngine engine) throws Exception {
        URI base = alertServer(70); // protocol_version
        RecordingsClient client = build(client(base, engine));

        assertTyped(downloadError(client), "have no TLS protocol version in common");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void noCommonCipherIsSaidSo(TlsEngine engine) throws Exception {
        URI base = alertServer(40); // handshake_failure
        RecordingsClient client = build(client(base, engine));

        assertTyped(downloadError(client), "have no cipher suite in common");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void aStalledHandshakeEndsAtTheHandshakeTimeout(TlsEngine engine) throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(socket);
        List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    accepted.add(socket.accept()); // and never answer
                    connections.incrementAndGet();
                } catch (Exception closed) {
                    return;
                }
            }
        }, "silent-server");
        t.setDaemon(true);
        t.start();
        open.add(() -> accepted.forEach(s -> {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing
            }
        }));
        RecordingsClient client = build(client(URI.create("https://127.0.0.1:" + socket.getLocalPort()), engine)
                .tlsHandshakeTimeout(Duration.ofMillis(400)).responseTimeout(Duration.ofSeconds(30)));

        long start = System.nanoTime();
        Throwable error = downloadError(client);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTyped(error, "did not complete in time");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    /**
     * SignalWire's edge serves many spaces on one address, so the space's name must travel as SNI
     * and be what the certificate is checked against, also through a proxy (which alone resolves
     * it: here a test proxy resolves example.signalwire.com to a local server).
     */
    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"OPENSSL", "JDK"})
    void theSpaceNameTravelsAsSniAndIsVerifiedThroughAProxy(TlsEngine engine) throws Exception {
        X509Bundle space = Certificates.leaf(Certificates.CA, Certificates.NOW.minus(Duration.ofDays(1)),
                Certificates.NOW.plus(Duration.ofDays(7)), "example.signalwire.com");
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(space.toKeyManagerFactory().getKeyManagers(), null, null);
        javax.net.ssl.SSLServerSocket socket = (javax.net.ssl.SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(socket);
        List<String> sni = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setSNIMatchers(List.of(new javax.net.ssl.SNIMatcher(javax.net.ssl.StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(javax.net.ssl.SNIServerName name) {
                sni.add(((javax.net.ssl.SNIHostName) name).getAsciiName());
                return true;
            }
        }));
        socket.setSSLParameters(parameters);
        Thread t = new Thread(() -> {
            try (Socket s = socket.accept()) {
                InputStream in = s.getInputStream();
                byte[] head = new byte[4096];
                int n = 0;
                while (!new String(head, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    n += in.read(head, n, head.length - n);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: " + AUDIO.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                out.write(AUDIO);
                out.flush();
            } catch (Exception e) {
                // the test's assertions report what went wrong
            }
        }, "space-server");
        t.setDaemon(true);
        t.start();
        dev.laml.recordings.testsupport.ConnectProxy proxy = dev.laml.recordings.testsupport.ConnectProxy.builder()
                .resolve("example.signalwire.com", "127.0.0.1").start();
        open.add(proxy);
        RecordingsClient client = build(client(URI.create("https://example.signalwire.com:" + socket.getLocalPort()), engine)
                .trustedCertificates(Certificates.pem(dir, Certificates.CA)).proxy(proxy.uri()));

        assertThat(download(client)).isEqualTo(AUDIO);
        assertThat(sni).containsExactly("example.signalwire.com");
        assertThat(proxy.connectTargets()).containsExactly("example.signalwire.com:" + socket.getLocalPort());
    }

    @Test
    void aTrustManagerFactoryDecidesTrustAndTheHostIsStillVerified() throws Exception {
        X509Bundle other = Certificates.leaf(Certificates.CA, Certificates.NOW.minus(Duration.ofDays(1)),
                Certificates.NOW.plus(Duration.ofDays(7)), "other.example");
        URI good = serve(Certificates.loopback());
        RecordingsClient trusting = build(client(good, TlsEngine.AUTO).trustManagerFactory(plainX509(Certificates.CA)));
        assertThat(download(trusting)).isEqualTo(AUDIO);

        URI wrongHost = serve(other);
        // A plain X509TrustManager cannot see the host; the client checks it all the same.
        RecordingsClient client = build(client(wrongHost, TlsEngine.AUTO).trustManagerFactory(plainX509(Certificates.CA)));
        assertTyped(downloadError(client), "certificate for other.example does not match 127.0.0.1");
    }

    /** A factory whose manager is a plain X509TrustManager (not the extended kind that checks host names). */
    private static TrustManagerFactory plainX509(X509Bundle ca) throws Exception {
        X509TrustManager real = (X509TrustManager) ca.toTrustManagerFactory().getTrustManagers()[0];
        X509TrustManager plain = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                real.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                real.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return real.getAcceptedIssuers();
            }
        };
        TrustManagerFactorySpi spi = new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {
            }

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {plain};
            }
        };
        return new TrustManagerFactory(spi, new Provider("test", "1", "test") {
            private static final long serialVersionUID = 1L;
        }, "plain") {
        };
    }

    @Test
    void aPemFileWithoutACertificateIsRejectedAtBuildNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        RecordingsClient.Builder builder = RecordingsClient.builder().baseUrl(URI.create("https://127.0.0.1:1"))
                .trustedCertificates(empty);

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString());
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(RecordingsClient.builder().baseUrl(URI.create("https://127.0.0.1:1"))
                .trustedCertificates(missing)::build)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void trustedCertificatesAndATrustManagerFactoryAreExclusive() throws Exception {
        RecordingsClient.Builder builder = RecordingsClient.builder().baseUrl(URI.create("https://127.0.0.1:1"))
                .trustedCertificates(Certificates.pem(dir, Certificates.CA))
                .trustManagerFactory(Certificates.CA.toTrustManagerFactory());

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at most one");
    }

    @Test
    void theDefaultEngineIsOpenSslWhereItLoads() {
        RecordingsClient client = build(RecordingsClient.builder().space("example"));

        assertThat(io.netty.handler.ssl.OpenSsl.isAvailable())
                .as("the bundled netty-tcnative matches this Netty (%s)", io.netty.handler.ssl.OpenSsl.unavailabilityCause())
                .isTrue();
        assertThat(client.tlsEngine()).isEqualTo(TlsEngine.OPENSSL);
        assertThat(client.toString()).contains("tls=OpenSSL");
        assertThat(build(RecordingsClient.builder().space("example").tlsEngine(TlsEngine.JDK)).tlsEngine()).isEqualTo(TlsEngine.JDK);
    }
}
