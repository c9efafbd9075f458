package dev.laml.recordings.testkit;

import io.netty.handler.ssl.OpenSsl;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPS: what a client must trust, what the server presents, and how truncations end a TLS session. */
@Timeout(30)
class TlsTest {

    private static RecordingsServer server;
    private static TestRecording recording;
    private static SSLContext trustingServer;

    @BeforeAll
    static void start() throws Exception {
        server = RecordingsServer.builder().tls().start();
        recording = server.addRecording(RecordingSpec.create().durationSeconds(20)); // 320,044-byte WAV
        trustingServer = TlsProbe.trusting(server.certificatePem());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.clearFaults();
        server.resetCounters();
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(context)
                .build();
    }

    @Test
    void baseUrlIsHttpsOnLoopback() {
        assertThat(server.isTls()).isTrue();
        assertThat(server.baseUrl().toString()).isEqualTo("https://127.0.0.1:" + server.port());
        assertThat(recording.url(Format.WAV).getScheme()).isEqualTo("https");
        assertThat(server.tlsEngine()).isEqualTo(OpenSsl.isAvailable() ? "OpenSSL" : "JDK");
    }

    @Test
    void aClientTrustingOnlyTheServersCertificateDownloadsExactBytes() {
        HttpResponse<byte[]> response = Http.get(client(trustingServer), recording.url(Format.WAV));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.uri().getScheme()).isEqualTo("https");
        assertThat(sha256(response.body())).isEqualTo(recording.sha256(Format.WAV));
        // Counted as plaintext body bytes, as on plain HTTP, not as TLS records.
        CountersTest.waitFor(() -> server.bytesWritten() == recording.size(Format.WAV));
    }

    @Test
    void theCertificateAlsoCoversLocalhost() {
        URI byName = URI.create(recording.url(Format.MP3).toString().replace("://127.0.0.1:", "://localhost:"));

        HttpResponse<byte[]> response = Http.get(client(trustingServer), byName);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(sha256(response.body())).isEqualTo(recording.sha256(Format.MP3));
    }

    @Test
    void metadataAndRedirectsStayOnHttps() {
        HttpClient client = client(trustingServer);
        HttpResponse<byte[]> json = Http.get(client, recording.jsonUrl(), "Authorization", Http.basic(server));
        assertThat(Http.text(json)).isEqualTo(recording.json());

        server.enqueueFault(Fault.redirectToSelf());
        HttpResponse<byte[]> self = Http.get(client, recording.url(Format.WAV));
        assertThat(self.statusCode()).isEqualTo(302);
        assertThat(self.headers().firstValue("Location")).hasValue(recording.url(Format.WAV).toString());
    }

    @Test
    void aClientWithDefaultTrustFailsTheHandshake() {
        HttpClient defaultTrust = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        assertThatThrownBy(() -> Http.get(defaultTrust, recording.url(Format.WAV)))
                .hasCauseInstanceOf(SSLHandshakeException.class);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void eachServerHasItsOwnCertificateAuthority() throws Exception {
        try (RecordingsServer other = RecordingsServer.builder().tls().start()) {
            TestRecording elsewhere = other.addRecording();

            assertThat(other.certificate()).isNotEqualTo(server.certificate());
            assertThatThrownBy(() -> Http.get(client(trustingServer), elsewhere.url(Format.WAV)))
                    .hasCauseInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void thePresentedCertificateIsAnEcLeafForLoopbackIssuedByTheTrustedAuthority() throws Exception {
        X509Certificate[] chain = TlsProbe.presentedChain(trustingServer, server.port());

        assertThat(chain).hasSize(1);
        X509Certificate leaf = chain[0];
        X509Certificate authority = server.certificate();
        leaf.verify(authority.getPublicKey());
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(authority.getSubjectX500Principal());
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(authority.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"), List.of(2, "localhost"));
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
        Instant now = Instant.now();
        assertThat(leaf.getNotBefore().toInstant()).isBefore(now.minus(23, ChronoUnit.HOURS));
        assertThat(leaf.getNotAfter().toInstant()).isAfter(now.plus(29, ChronoUnit.DAYS));
        leaf.checkValidity(new Date());
    }

    @Test
    void certificatePemIsBase64At64ColumnsAndWritesToAFile(@TempDir Path directory) throws Exception {
        String pem = server.certificatePem();

        List<String> lines = pem.lines().toList();
        assertThat(pem).endsWith("-----END CERTIFICATE-----\n").doesNotContain("\r");
        assertThat(lines.get(0)).isEqualTo("-----BEGIN CERTIFICATE-----");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("-----END CERTIFICATE-----");
        List<String> base64 = lines.subList(1, lines.size() - 1);
        assertThat(base64.subList(0, base64.size() - 1)).allSatisfy(line -> assertThat(line).hasSize(64));
        assertThat(base64.get(base64.size() - 1)).hasSizeBetween(1, 64);
        assertThat(Base64.getDecoder().decode(String.join("", base64))).isEqualTo(server.certificate().getEncoded());
        assertThat(CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(server.certificate());

        Path file = directory.resolve("ca.pem");
        Files.writeString(file, "stale");
        assertThat(server.writeCertificatePem(file)).isEqualTo(file);
        assertThat(Files.readString(file)).isEqualTo(pem);
        try (var listing = Files.list(directory)) {
            assertThat(listing).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void toStringShowsHttpsAndTheEngineButNoKey() {
        assertThat(server.toString())
                .startsWith("RecordingsServer[https://127.0.0.1:" + server.port() + ", " + server.tlsEngine() + ", ")
                .doesNotContain("PRIVATE", "BEGIN", server.apiToken());
    }

    @Test
    void aPlainServerHasNoTls() {
        try (RecordingsServer plain = RecordingsServer.start()) {
            assertThat(plain.isTls()).isFalse();
            assertThat(plain.tlsEngine()).isNull();
            assertThat(plain.toString()).isEqualTo("RecordingsServer[" + plain.baseUrl() + ", recordings=0]");
            assertThatThrownBy(plain::certificatePem).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(plain::certificate).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> plain.writeCertificatePem(Path.of("never.pem")))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(Files.exists(Path.of("never.pem"))).isFalse();
        }
    }

    @Test
    void theJdkEngineServesWhenOpenSslIsNotPreferred() throws Exception {
        try (RecordingsServer jdk = RecordingsServer.builder().tls().preferOpenSsl(false).start()) {
            TestRecording small = jdk.addRecording();

            HttpResponse<byte[]> response = Http.get(client(TlsProbe.trusting(jdk.certificatePem())),
                    small.url(Format.WAV));

            assertThat(jdk.tlsEngine()).isEqualTo("JDK");
            assertThat(sha256(response.body())).isEqualTo(small.sha256(Format.WAV));
        }
    }

    // ------------------------------------------------------------------------------------ the caller's chain

    @Test
    void aServerBuiltWithAKeyAndChainPresentsExactlyThatChain() throws Exception {
        X509Bundle root = authority("test root");
        X509Bundle leaf = leaf("127.0.0.1").buildIssuedBy(root);
        X509Certificate[] given = {leaf.getCertificate(), root.getCertificate()};

        try (RecordingsServer custom = RecordingsServer.builder()
                .tls(leaf.getKeyPair().getPrivate(), given).start()) {
            assertThat(custom.certificate()).isEqualTo(root.getCertificate());
            assertThat(TlsProbe.presentedChain(TlsProbe.trusting(custom.certificatePem()), custom.port()))
                    .containsExactly(given);
            TestRecording small = custom.addRecording();
            HttpResponse<byte[]> response = Http.get(client(TlsProbe.trusting(root.getCertificate())),
                    small.url(Format.WAV));
            assertThat(sha256(response.body())).isEqualTo(small.sha256(Format.WAV));
        }
    }

    @Test
    void wrongHostExpiredAndUntrustedCertificatesAreServedAsGiven() throws Exception {
        X509Bundle root = authority("test root");
        X509Bundle wrongHost = leaf("elsewhere.invalid").buildIssuedBy(root);
        X509Bundle expired = leaf("127.0.0.1")
                .notBefore(Instant.now().minus(10, ChronoUnit.DAYS))
                .notAfter(Instant.now().minus(1, ChronoUnit.DAYS))
                .buildIssuedBy(root);
        X509Bundle untrusted = leaf("127.0.0.1").buildIssuedBy(authority("nobody trusts this"));
        HttpClient trustingRoot = client(TlsProbe.trusting(root.getCertificate()));

        for (X509Bundle bad : new X509Bundle[] {wrongHost, expired, untrusted}) {
            try (RecordingsServer custom = RecordingsServer.builder()
                    .tls(bad.getKeyPair().getPrivate(), bad.getCertificate()).start()) {
                TestRecording small = custom.addRecording();
                assertThatThrownBy(() -> Http.get(trustingRoot, small.url(Format.WAV)))
                        .as(bad.getCertificate().getSubjectX500Principal().getName())
                        .hasCauseInstanceOf(SSLHandshakeException.class);
                assertThat(custom.requestCount()).isZero();
            }
        }
        try (RecordingsServer custom = RecordingsServer.builder()
                .tls(expired.getKeyPair().getPrivate(), expired.getCertificate()).start()) {
            assertThatThrownBy(() -> Http.get(trustingRoot, custom.addRecording().url(Format.WAV)))
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void tlsWithAChainRejectsNoCertificate() {
        X509Bundle root = authority("test root");
        assertThatThrownBy(() -> RecordingsServer.builder().tls(root.getKeyPair().getPrivate()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingsServer.builder().tls(null, root.getCertificate()))
                .isInstanceOf(NullPointerException.class);
    }

    // ------------------------------------------------------------------------------------------ truncations

    @ParameterizedTest(name = "preferOpenSsl={0}")
    @ValueSource(booleans = {true, false})
    void closeAfterBytesDropsTheConnectionWithoutCloseNotify(boolean preferOpenSsl) throws Exception {
        try (RecordingsServer tls = RecordingsServer.builder().tls().preferOpenSsl(preferOpenSsl).start()) {
            TestRecording big = tls.addRecording(RecordingSpec.create().durationSeconds(20));
            big.injectFault(Fault.closeAfterBytes(100_000));

            TlsProbe.Exchange exchange = TlsProbe.get(TlsProbe.trusting(tls.certificatePem()), tls.port(),
                    big.url(Format.WAV).getPath());

            assertThat(exchange.head()).startsWith("HTTP/1.1 200 OK");
            assertThat(exchange.contentLength()).isEqualTo(big.size(Format.WAV));
            assertThat(exchange.body()).isEqualTo(Arrays.copyOf(big.bytes(Format.WAV), 100_000));
            assertThat(exchange.failure()).isNull();
            assertThat(exchange.closeNotify()).as("close_notify received").isFalse();
            // The JDK's own verdict on a FIN without close_notify.
            assertThat(exchange.truncation()).isNotNull();
            assertThat(exchange.truncation().getMessage()).contains("close_notify");
        }
    }

    @ParameterizedTest(name = "preferOpenSsl={0}")
    @ValueSource(booleans = {true, false})
    void closeNotifyAfterBytesEndsTheSessionCleanlyButShort(boolean preferOpenSsl) throws Exception {
        try (RecordingsServer tls = RecordingsServer.builder().tls().preferOpenSsl(preferOpenSsl).start()) {
            TestRecording big = tls.addRecording(RecordingSpec.create().durationSeconds(20));
            big.injectFault(Fault.closeNotifyAfterBytes(100_000));

            TlsProbe.Exchange exchange = TlsProbe.get(TlsProbe.trusting(tls.certificatePem()), tls.port(),
                    big.url(Format.WAV).getPath());

            assertThat(exchange.contentLength()).isEqualTo(big.size(Format.WAV));
            assertThat(exchange.body()).isEqualTo(Arrays.copyOf(big.bytes(Format.WAV), 100_000));
            assertThat(exchange.closeNotify()).as("close_notify received").isTrue();
            assertThat(exchange.truncation()).isNull();
            assertThat(exchange.failure()).isNull();
        }
    }

    @Test
    void aCompleteResponseEndsWithCloseNotify() throws Exception {
        TlsProbe.Exchange exchange = TlsProbe.get(trustingServer, server.port(), recording.url(Format.WAV).getPath());

        assertThat(exchange.body()).isEqualTo(recording.bytes(Format.WAV));
        assertThat(exchange.closeNotify()).as("close_notify received").isTrue(); // the probe asks Connection: close
        assertThat(exchange.truncation()).isNull();
    }

    @ParameterizedTest(name = "preferOpenSsl={0}")
    @ValueSource(booleans = {true, false})
    void resetAfterBytesStillResets(boolean preferOpenSsl) throws Exception {
        try (RecordingsServer tls = RecordingsServer.builder().tls().preferOpenSsl(preferOpenSsl).start()) {
            TestRecording big = tls.addRecording(RecordingSpec.create().durationSeconds(20));
            big.injectFault(Fault.resetAfterBytes(100_000));

            TlsProbe.Exchange exchange = TlsProbe.get(TlsProbe.trusting(tls.certificatePem()), tls.port(),
                    big.url(Format.WAV).getPath());

            assertThat(exchange.failure()).isNotNull();
            assertThat(exchange.failure().getMessage()).containsIgnoringCase("reset");
            assertThat(exchange.closeNotify()).isFalse();
            assertThat(exchange.body().length).isLessThanOrEqualTo(100_000);
        }
    }

    @Test
    void aJdkClientSeesTheTruncatedBodyAsAnError() {
        server.enqueueFault(Fault.closeAfterBytes(1000));

        assertThatThrownBy(() -> Http.get(client(trustingServer), recording.url(Format.WAV)))
                .hasCauseInstanceOf(IOException.class);
        CountersTest.waitFor(() -> server.bytesWritten() == 1000);
        // The next request gets a new connection and the whole file.
        assertThat(sha256(Http.get(client(trustingServer), recording.url(Format.WAV)).body()))
                .isEqualTo(recording.sha256(Format.WAV));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static X509Bundle authority(String name) {
        try {
            return new CertificateBuilder().ecp256().subject("CN=" + name)
                    .setIsCertificateAuthority(true)
                    .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign)
                    .buildSelfSigned();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CertificateBuilder leaf(String host) {
        CertificateBuilder builder = new CertificateBuilder().ecp256().subject("CN=" + host)
                .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                .addExtendedKeyUsageServerAuth();
        return Character.isDigit(host.charAt(0)) ? builder.addSanIpAddress(host) : builder.addSanDnsName(host);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
