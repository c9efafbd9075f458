package dev.laml.recordings.reactor;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.ConnectProxy;
import dev.laml.recordings.testsupport.Socks5Proxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.laml.recordings.reactor.TestData.ACCOUNT;
import static dev.laml.recordings.reactor.TestData.RECORDING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through a real forward proxy on loopback: HTTPS tunnelled end to end with {@code CONNECT}, with
 * and without proxy credentials, SOCKS5, the no-proxy list, and every way a proxy refuses, each a
 * {@link ProxyException} after one attempt that never shows the proxy's password.
 */
class ProxyTest {

    private static final byte[] AUDIO = TestData.bytes(300_000, 11);
    private static final String USER = "alice";
    private static final String PASSWORD = "pr0xy-s3cret";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private HttpsAudioServer https() {
        return opened(new HttpsAudioServer(Certificates.loopback(), AUDIO));
    }

    private RecordingsClient client(URI base, URI proxy, String... noProxy) {
        RecordingsClient.Builder b = RecordingsClient.builder().baseUrl(base)
                .trustedCertificates(Certificates.pem(dir, Certificates.CA))
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(1)))
                .proxy(proxy);
        if (noProxy.length > 0) {
            b.noProxy(noProxy);
        }
        return opened(b.build());
    }

    private static byte[] download(RecordingsClient client) {
        return client.download(ACCOUNT, RECORDING, AudioFormat.MP3)
                .reduce(new ByteArrayOutputStream(), (out, b) -> {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                    return out;
                }).map(ByteArrayOutputStream::toByteArray).block(Duration.ofSeconds(20));
    }

    private static Throwable error(RecordingsClient client) {
        return client.download(ACCOUNT, RECORDING, AudioFormat.MP3).then().map(v -> (Throwable) null)
                .onErrorResume(Mono::just).block(Duration.ofSeconds(20));
    }

    private static void assertProxyFailure(Throwable error, String... fragments) {
        assertThat(error).isInstanceOf(ProxyException.class);
        assertThat(((TransferException) error).attempts()).as("never retried").isEqualTo(1);
        assertThat(error.getMessage()).contains(fragments);
        StringBuilder chain = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            chain.append(t).append('\n');
        }
        assertThat(chain.toString()).doesNotContain(PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void httpsIsTunnelledThroughConnectWithTheExactBytes() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.start());

        assertThat(download(client(server.uri(), proxy.uri()))).isEqualTo(AUDIO);
        assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:" + server.port());
        assertThat(proxy.tunnelsOpened()).isEqualTo(1);
    }

    @Test
    void proxyCredentialsAreSentAsBasicAndTheTunnelWorks() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.withCredentials(USER, PASSWORD));
        URI withCredentials = URI.create("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port());

        RecordingsClient client = client(server.uri(), withCredentials);
        assertThat(download(client)).isEqualTo(AUDIO);
        assertThat(proxy.proxyAuthorizations()).containsExactly("Basic "
                + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(client.toString()).contains("proxy=http://127.0.0.1:" + proxy.port() + " (with credentials)")
                .doesNotContain(USER).doesNotContain(PASSWORD);
    }

    @Test
    void aProxyThatWantsCredentialsIsAProxyExceptionSayingSoNeverRetried() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.withCredentials(USER, PASSWORD));

        assertProxyFailure(error(client(server.uri(), proxy.uri())),
                "proxy 127.0.0.1:" + proxy.port() + " requires credentials (407", "target 127.0.0.1:" + server.port());
        assertThat(proxy.connectCount()).isEqualTo(1);
        assertThat(server.connections()).hasValue(0);
    }

    @Test
    void wrongProxyCredentialsAreRejectedOnceAndNeverShown() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.withCredentials(USER, "the-right-one"));
        URI wrong = URI.create("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port());

        assertProxyFailure(error(client(server.uri(), wrong)), "rejected the proxy credentials (407");
        assertThat(proxy.connectCount()).isEqualTo(1);
    }

    @Test
    void aProxyThatRefusesTheTunnelIsAProxyException() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.refusing(403));

        assertProxyFailure(error(client(server.uri(), proxy.uri())), "refused the tunnel (403");
        assertThat(proxy.connectCount()).isEqualTo(1);
    }

    @Test
    void aProxyThatCannotBeReachedIsAProxyException() throws Exception {
        HttpsAudioServer server = https();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }

        assertProxyFailure(error(client(server.uri(), URI.create("http://127.0.0.1:" + closedPort))),
                "cannot connect to proxy 127.0.0.1:" + closedPort);
    }

    @Test
    void hostsOnTheNoProxyListAreReachedDirectly() {
        HttpsAudioServer server = https();
        ConnectProxy proxy = opened(ConnectProxy.start());

        assertThat(download(client(server.uri(), proxy.uri(), "localhost", "127.0.0.0/8"))).isEqualTo(AUDIO);
        assertThat(proxy.connectCount()).isZero();
        assertThat(server.connections()).hasValue(1);
    }

    @Test
    void socks5CarriesTheTlsConnection() {
        HttpsAudioServer server = https();
        Socks5Proxy proxy = opened(Socks5Proxy.start());

        assertThat(download(client(server.uri(), proxy.uri()))).isEqualTo(AUDIO);
        assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:" + server.port());
    }

    @Test
    void aTunnelThatBreaksMidBodyIsResumedLikeAnyBrokenTransfer() {
        RecordingsServer api = opened(RecordingsServer.builder().tls().start());
        TestRecording recording = api.addRecording(dev.laml.recordings.testkit.RecordingSpec.create().seed(9)
                .size(dev.laml.recordings.testkit.Format.WAV, 600_044));
        // Every tunnel is cut after 400,000 bytes toward the client: the first attempt breaks
        // mid-body, the resume needs only the remaining 200,000.
        ConnectProxy proxy = opened(ConnectProxy.builder().dropTunnelsAfterBytes(400_000).start());
        RecordingsClient client = opened(RecordingsClient.builder().baseUrl(api.baseUrl())
                .trustedCertificates(api.writeCertificatePem(dir.resolve("testkit.pem")))
                .retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(1)))
                .proxy(proxy.uri()).build());

        String hash = TestData.sha256(client.download(recording.accountSid(), recording.sid(), AudioFormat.WAV)
                .collectList().block(Duration.ofSeconds(20)));

        assertThat(hash).isEqualTo(recording.sha256(dev.laml.recordings.testkit.Format.WAV));
        assertThat(proxy.tunnelsDropped()).isGreaterThanOrEqualTo(1);
        assertThat(api.recordedRequests()).hasSize(2);
        assertThat(api.recordedRequests().get(1).header("Range")).startsWith("bytes=");
    }

    @Test
    void metadataWithBasicAuthTravelsInsideTheTunnelToTheApiOnly() {
        RecordingsServer api = opened(RecordingsServer.start());
        TestRecording recording = api.addRecording();
        ConnectProxy proxy = opened(ConnectProxy.withCredentials(USER, PASSWORD));
        URI withCredentials = URI.create("http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port());
        RecordingsClient client = opened(RecordingsClient.builder().baseUrl(api.baseUrl())
                .credentials(api.projectId(), api.apiToken()).proxy(withCredentials).build());

        Recording fetched = client.fetch(recording.accountSid(), recording.sid()).block(Duration.ofSeconds(10));

        assertThat(fetched.sid()).isEqualTo(recording.sid());
        assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:" + api.port());
        assertThat(api.takeRequest().header("Proxy-Authorization")).as("proxy credentials stay with the proxy").isNull();
    }
}
