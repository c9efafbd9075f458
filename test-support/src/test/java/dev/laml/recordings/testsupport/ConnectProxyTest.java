package dev.laml.recordings.testsupport;

import com.sun.net.httpserver.HttpServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static dev.laml.recordings.testsupport.ProxyTestSupport.anyThreadNamed;
import static dev.laml.recordings.testsupport.ProxyTestSupport.await;
import static dev.laml.recordings.testsupport.ProxyTestSupport.awaitSettled;
import static dev.laml.recordings.testsupport.ProxyTestSupport.connect;
import static dev.laml.recordings.testsupport.ProxyTestSupport.drain;
import static dev.laml.recordings.testsupport.ProxyTestSupport.liveThreads;
import static dev.laml.recordings.testsupport.ProxyTestSupport.openFileDescriptors;
import static dev.laml.recordings.testsupport.ProxyTestSupport.peerClosed;
import static dev.laml.recordings.testsupport.ProxyTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("ConnectProxy: an HTTP CONNECT forward proxy on loopback")
class ConnectProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private LoopbackServer echo;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = LoopbackServer.echo();
    }

    @AfterEach
    void stopEchoServer() throws Exception {
        echo.close();
    }

    private String echoTarget() {
        return "127.0.0.1:" + echo.port();
    }

    @Test
    void aConnectTunnelReachesALocalEchoServerAndIsCounted() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            assertThat(proxy.uri()).hasToString("http://127.0.0.1:" + proxy.port());
            assertThat(proxy.address()).isEqualTo(new InetSocketAddress("127.0.0.1", proxy.port()));

            try (ProxyTestSupport.Exchange tunnel = connect(proxy, echoTarget(), "")) {
                assertThat(tunnel.head).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
                assertThat(proxy.connectCount()).isEqualTo(1);
                assertThat(proxy.tunnelsOpened()).isEqualTo(1);
                assertThat(proxy.openTunnels()).isEqualTo(1);
                assertThat(proxy.connectTargets()).containsExactly(echoTarget());
                assertThat(proxy.proxyAuthorizations()).isEmpty();

                assertThat(roundTrip(tunnel.socket, "hello through the tunnel")).isEqualTo("hello through the tunnel");
            }
            await("the tunnel closes after the client", () -> proxy.openTunnels() == 0, WAIT);
            assertThat(proxy.tunnelsOpened()).isEqualTo(1);
            assertThat(proxy.bytesToClients()).isEqualTo(proxy.bytesToServers()).isEqualTo(24);
        }
    }

    @Test
    void bytesSentRightBehindTheConnectRequestAreRelayedFirst() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = send(proxy,
                     "CONNECT " + echoTarget() + " HTTP/1.1\r\n\r\npipelined")) {
            assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
            assertThat(new String(tunnel.socket.getInputStream().readNBytes(9), StandardCharsets.US_ASCII))
                    .isEqualTo("pipelined");
        }
    }

    @Test
    void aHalfCloseFromTheClientIsPassedOnAndTheAnswerStillArrives() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = connect(proxy, echoTarget(), "")) {
            tunnel.socket.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
            tunnel.socket.shutdownOutput();
            // The echo server only closes once it sees end of stream, so all of it must come back.
            assertThat(new String(tunnel.socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("last words");
            await("the tunnel closes", () -> proxy.openTunnels() == 0, WAIT);
        }
    }

    @Test
    void anHttpRequestInATunnelReachesALocalHttpServer() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/hello", exchange -> {
            byte[] body = "hi".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        String target = "localhost:" + http.getAddress().getPort();
        try (ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = connect(proxy, target, "")) {
            assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
            OutputStream out = tunnel.socket.getOutputStream();
            out.write(("GET /hello HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(tunnel.socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhi");
            assertThat(proxy.connectTargets()).containsExactly(target);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void anAbsoluteFormRequestIsForwardedInOriginFormWithConnectionClose() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            seen.put("uri", exchange.getRequestURI().toString());
            seen.put("connection", String.valueOf(exchange.getRequestHeaders().getFirst("Connection")));
            seen.put("proxy-authorization",
                    String.valueOf(exchange.getRequestHeaders().getFirst("Proxy-Authorization")));
            seen.put("host", String.valueOf(exchange.getRequestHeaders().getFirst("Host")));
            byte[] body = "plain".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        String authority = "127.0.0.1:" + http.getAddress().getPort();
        String credentials = basic("user", "secret");
        try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "secret");
             ProxyTestSupport.Exchange exchange = send(proxy, "GET http://" + authority + "/a/b?x=1 HTTP/1.1\r\n"
                     + "Host: " + authority + "\r\nProxy-Authorization: " + credentials
                     + "\r\nProxy-Connection: keep-alive\r\n\r\n")) {
            assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(new String(exchange.socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("plain");

            assertThat(seen).containsEntry("uri", "/a/b?x=1")
                    .containsEntry("connection", "close")
                    .containsEntry("proxy-authorization", "null")
                    .containsEntry("host", authority);
            assertThat(proxy.plainRequests()).containsExactly("GET http://" + authority + "/a/b?x=1");
            assertThat(proxy.proxyAuthorizations()).containsExactly(credentials);
            assertThat(proxy.connectCount()).isZero();
            assertThat(proxy.tunnelsOpened()).isZero();
        } finally {
            http.stop(0);
        }
    }

    @Test
    void theRightCredentialsOpenTheTunnelAndTheHeaderIsRecorded() throws Exception {
        String header = basic("user", "pa:ss wörd");
        try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "pa:ss wörd");
             ProxyTestSupport.Exchange tunnel = connect(proxy, echoTarget(), "Proxy-Authorization: " + header + "\r\n")) {
            assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
            assertThat(roundTrip(tunnel.socket, "authorised")).isEqualTo("authorised");
            assertThat(proxy.proxyAuthorizations()).containsExactly(header);
            assertThat(proxy.tunnelsOpened()).isEqualTo(1);
        }
    }

    @Test
    void missingCredentialsGet407WithABasicChallengeAndTheConnectionClosed() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "secret");
             ProxyTestSupport.Exchange answer = connect(proxy, echoTarget(), "")) {
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 407 Proxy Authentication Required");
            assertThat(answer.head).contains("\r\nProxy-Authenticate: Basic realm=\"test\"\r\n")
                    .contains("\r\nConnection: close\r\n")
                    .contains("\r\nContent-Length: 0\r\n");
            assertThat(peerClosed(answer.socket)).isTrue();
            assertThat(proxy.connectCount()).isEqualTo(1);
            assertThat(proxy.connectTargets()).containsExactly(echoTarget());
            assertThat(proxy.proxyAuthorizations()).isEmpty();
            assertThat(proxy.tunnelsOpened()).isZero();
            assertThat(echo.accepted()).isZero();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"wrong password", "wrong user", "bearer scheme", "not base64", "no password"})
    void wrongCredentialsGet407AndTheHeaderSentIsRecorded(String variant) throws Exception {
        String header = switch (variant) {
            case "wrong password" -> basic("user", "guess");
            case "wrong user" -> basic("admin", "secret");
            case "bearer scheme" -> "Bearer " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8));
            case "not base64" -> "Basic !!!not-base64!!!";
            default -> basic("user", "");
        };
        try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "secret");
             ProxyTestSupport.Exchange answer = connect(proxy, echoTarget(), "Proxy-Authorization: " + header + "\r\n")) {
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 407 Proxy Authentication Required");
            assertThat(answer.head).contains("Proxy-Authenticate: Basic realm=\"test\"");
            assertThat(peerClosed(answer.socket)).isTrue();
            assertThat(proxy.proxyAuthorizations()).containsExactly(header);
            assertThat(proxy.tunnelsOpened()).isZero();
        }
    }

    @Test
    void theBasicSchemeNameIsCaseInsensitive() throws Exception {
        String header = "basic " + basic("user", "secret").substring("Basic ".length());
        try (ConnectProxy proxy = ConnectProxy.withCredentials("user", "secret");
             ProxyTestSupport.Exchange tunnel = connect(proxy, echoTarget(), "proxy-authorization: " + header + "\r\n")) {
            assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(ints = {403, 502})
    void refusalModeAnswersEveryConnectWithItsStatusAndCloses(int status) throws Exception {
        try (ConnectProxy proxy = ConnectProxy.refusing(status)) {
            for (int i = 0; i < 2; i++) {
                try (ProxyTestSupport.Exchange answer = connect(proxy, echoTarget(), "")) {
                    assertThat(answer.statusLine()).startsWith("HTTP/1.1 " + status + " ");
                    assertThat(peerClosed(answer.socket)).isTrue();
                }
            }
            assertThat(proxy.connectCount()).isEqualTo(2);
            assertThat(proxy.connectTargets()).containsExactly(echoTarget(), echoTarget());
            assertThat(proxy.tunnelsOpened()).isZero();
            assertThat(echo.accepted()).isZero();
        }
    }

    @Test
    void refusalCanBeSwitchedOnAndOffWhileRunning() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            try (ProxyTestSupport.Exchange open = connect(proxy, echoTarget(), "")) {
                proxy.refuseConnects(503);
                try (ProxyTestSupport.Exchange refused = connect(proxy, echoTarget(), "")) {
                    assertThat(refused.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
                }
                // A tunnel opened before is not affected.
                assertThat(roundTrip(open.socket, "still open")).isEqualTo("still open");
                proxy.acceptConnects();
                try (ProxyTestSupport.Exchange again = connect(proxy, echoTarget(), "")) {
                    assertThat(again.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
                }
            }
            assertThat(proxy.connectCount()).isEqualTo(3);
            assertThat(proxy.tunnelsOpened()).isEqualTo(2);
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.refuseConnects(200));
        }
    }

    @Test
    void refusalAppliesAfterAuthentication() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.builder().credentials("u", "p").refuseConnects(403).start()) {
            try (ProxyTestSupport.Exchange answer = connect(proxy, echoTarget(), "")) {
                assertThat(answer.statusLine()).startsWith("HTTP/1.1 407 ");
            }
            try (ProxyTestSupport.Exchange answer = connect(proxy, echoTarget(),
                    "Proxy-Authorization: " + basic("u", "p") + "\r\n")) {
                assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 403 Forbidden");
            }
        }
    }

    @Test
    void anUnreachableTargetGets502() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = gone.getLocalPort();
        }
        try (ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange answer = connect(proxy, "127.0.0.1:" + closedPort, "")) {
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 502 Bad Gateway");
            assertThat(peerClosed(answer.socket)).isTrue();
            assertThat(proxy.connectCount()).isEqualTo(1);
            assertThat(proxy.tunnelsOpened()).isZero();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"CONNECT no-port HTTP/1.1\r\n\r\n", "CONNECT host:99999 HTTP/1.1\r\n\r\n",
            "NONSENSE\r\n\r\n", "GET /origin-form HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET https://127.0.0.1:1/ HTTP/1.1\r\n\r\n"})
    void aMalformedOrUnsupportedRequestGets400(String request) throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange answer = send(proxy, request)) {
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(peerClosed(answer.socket)).isTrue();
            assertThat(proxy.tunnelsOpened()).isZero();
        }
    }

    @Test
    void theDropFaultClosesATunnelAfterExactlyNBytesTowardTheClient() throws Exception {
        int size = 200_000;
        CompletableFuture<Boolean> serverSawClose = new CompletableFuture<>();
        try (LoopbackServer blob = LoopbackServer.start(socket -> {
                 try {
                     socket.getOutputStream().write(new byte[size]);
                     serverSawClose.complete(socket.getInputStream().read() < 0);
                 } catch (IOException e) {
                     serverSawClose.complete(true);
                 }
             });
             ConnectProxy proxy = ConnectProxy.builder().dropTunnelsAfterBytes(10_001).start()) {
            try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blob.port(), "")) {
                assertThat(drain(tunnel.socket.getInputStream())).isEqualTo(10_001);
            }
            assertThat(serverSawClose.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(proxy.tunnelsDropped()).isEqualTo(1);
            await("the dropped tunnel is closed", () -> proxy.openTunnels() == 0, WAIT);

            // Turned off at run time: the next tunnel carries everything.
            proxy.dropTunnelsAfterBytes(Long.MAX_VALUE);
            try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blob.port(), "")) {
                tunnel.socket.shutdownOutput(); // lets the server's read see end of stream after its write
                assertThat(drain(tunnel.socket.getInputStream())).isEqualTo(size);
            }
            assertThat(proxy.tunnelsDropped()).isEqualTo(1);
            assertThat(proxy.tunnelsOpened()).isEqualTo(2);
        }
    }

    @Test
    void aDropLimitOfZeroClosesWhenTheServerFirstSends() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.builder().dropTunnelsAfterBytes(0).start();
             ProxyTestSupport.Exchange tunnel = connect(proxy, echoTarget(), "")) {
            tunnel.socket.getOutputStream().write('x');
            assertThat(drain(tunnel.socket.getInputStream())).isZero();
            assertThat(proxy.tunnelsDropped()).isEqualTo(1);
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.dropTunnelsAfterBytes(-1));
        }
    }

    @Test
    void theRandomDropFaultDropsASeededFractionOfTunnelsEachAfterItsDrawnLimit() throws Exception {
        int size = 100_000;
        long seed = 77;
        try (LoopbackServer blob = LoopbackServer.start(socket -> {
                 socket.getOutputStream().write(new byte[size]);
                 socket.getOutputStream().flush();
                 socket.shutdownOutput();
                 while (socket.getInputStream().read() >= 0) {
                     // until the client (or the proxy) closes
                 }
             });
             ConnectProxy proxy = ConnectProxy.builder().dropTunnelsAtRandom(0.3, 1_000, 50_000, seed).start()) {
            // The same draws as the proxy makes, tunnel by tunnel (they are opened one at a time here).
            java.util.Random expected = new java.util.Random(seed);
            int dropped = 0;
            for (int i = 0; i < 40; i++) {
                boolean chosen = expected.nextDouble() < 0.3;
                long limit = ConnectProxy.logUniform(expected.nextDouble(), 1_000, 50_000);
                try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blob.port(), "")) {
                    long received = drain(tunnel.socket.getInputStream());
                    assertThat(received).as("tunnel %d", i).isEqualTo(chosen ? limit : size);
                }
                dropped += chosen ? 1 : 0;
                int droppedSoFar = dropped;
                await("the tunnel is closed", () -> proxy.openTunnels() == 0, WAIT);
                assertThat(proxy.tunnelsDropped()).isEqualTo(droppedSoFar);
            }
            assertThat(dropped).as("about 30 %% of 40").isBetween(5, 20);
            assertThat(ConnectProxy.logUniform(0, 512, 1_500_000)).isEqualTo(512);
            assertThat(ConnectProxy.logUniform(0.9999999999, 512, 1_500_000)).isEqualTo(1_500_000);
            assertThat(ConnectProxy.logUniform(0.5, 0, 9_999)).as("the geometric middle").isEqualTo(99);

            // A fixed limit replaces the random fault; Long.MAX_VALUE turns the fault off.
            proxy.dropTunnelsAfterBytes(Long.MAX_VALUE);
            try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blob.port(), "")) {
                assertThat(drain(tunnel.socket.getInputStream())).isEqualTo(size);
            }
            assertThat(proxy.tunnelsDropped()).isEqualTo(dropped);
        }
    }

    @Test
    void theRandomDropFaultAtFractionOneDropsEveryTunnelAndChecksItsArguments() throws Exception {
        try (LoopbackServer blob = LoopbackServer.start(socket -> socket.getOutputStream().write(new byte[10_000]));
             ConnectProxy proxy = ConnectProxy.start().dropTunnelsAtRandom(1, 10, 20, 1)) {
            for (int i = 0; i < 5; i++) {
                try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blob.port(), "")) {
                    assertThat(drain(tunnel.socket.getInputStream())).isBetween(10L, 20L);
                }
            }
            await("five drops", () -> proxy.tunnelsDropped() == 5, WAIT);
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.dropTunnelsAtRandom(1.5, 0, 1, 1));
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.dropTunnelsAtRandom(Double.NaN, 0, 1, 1));
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.dropTunnelsAtRandom(0.5, -1, 1, 1));
            assertThatIllegalArgumentException().isThrownBy(() -> proxy.dropTunnelsAtRandom(0.5, 10, 9, 1));
        }
    }

    @Test
    void backpressureAClientThatStopsReadingStopsTheServerWriting() throws Exception {
        long total = 64L << 20;
        AtomicLong written = new AtomicLong();
        try (LoopbackServer firehose = LoopbackServer.start(socket -> {
                 OutputStream out = socket.getOutputStream();
                 byte[] chunk = new byte[64 * 1024];
                 while (written.get() < total) {
                     out.write(chunk);
                     written.addAndGet(chunk.length);
                 }
             });
             ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + firehose.port(), "")) {
            // The client reads nothing: once the socket buffers on the way are full, the server blocks.
            long stalledAt = awaitSettled(written::get, Duration.ofMillis(600), WAIT);
            assertThat(stalledAt).isLessThan(total / 2);
            assertThat(proxy.bytesToClients()).isLessThanOrEqualTo(stalledAt);

            // And it resumes when the client reads again.
            tunnel.socket.setSoTimeout(30_000);
            InputStream in = tunnel.socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            while (read < total) {
                int n = in.read(buffer);
                assertThat(n).isPositive();
                read += n;
            }
            assertThat(written.get()).isEqualTo(total);
        }
    }

    @Test
    void tlsRunsEndToEndThroughTheTunnel() throws Exception {
        X509Bundle certificate = new CertificateBuilder()
                .subject("CN=localhost")
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                // Self-signed, so it is its own trust anchor; pkitesting insists that makes it a CA.
                .setIsCertificateAuthority(true)
                .ecp256()
                .buildSelfSigned();
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(certificate.toKeyManagerFactory().getKeyManagers(), null, null);
        SSLServerSocket tlsServerSocket = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        try (LoopbackServer tlsServer = LoopbackServer.start(tlsServerSocket, socket -> {
                 BufferedReader reader = new BufferedReader(
                         new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter writer = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                 writer.println("secure echo: " + reader.readLine());
             });
             ConnectProxy proxy = ConnectProxy.start()) {
            String target = "localhost:" + tlsServer.port();
            try (ProxyTestSupport.Exchange tunnel = connect(proxy, target, "")) {
                assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");

                SSLContext clientContext = SSLContext.getInstance("TLS");
                clientContext.init(null, certificate.toTrustManagerFactory().getTrustManagers(), null);
                try (SSLSocket tls = (SSLSocket) clientContext.getSocketFactory()
                        .createSocket(tunnel.socket, "localhost", tlsServer.port(), true)) {
                    SSLParameters parameters = tls.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(parameters);
                    tls.startHandshake();

                    assertThat(tls.getSession().getProtocol()).startsWith("TLSv1.");
                    assertThat(tls.getSession().getPeerCertificates()[0]).isEqualTo(certificate.getCertificate());
                    PrintWriter writer = new PrintWriter(tls.getOutputStream(), true, StandardCharsets.UTF_8);
                    writer.println("hello");
                    BufferedReader reader = new BufferedReader(
                            new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
                    assertThat(reader.readLine()).isEqualTo("secure echo: hello");
                }
            }
            assertThat(proxy.connectTargets()).containsExactly(target);
            // The handshake went through the proxy as opaque bytes: certificate, key share, ...
            assertThat(proxy.bytesToClients()).isGreaterThan(300);
        }
    }

    @Test
    void anIpv6TargetInBracketsIsReached() throws Exception {
        try (LoopbackServer v6 = LoopbackServer.start(InetAddress.getByName("::1"), LoopbackServer::echo);
             ConnectProxy proxy = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = connect(proxy, "[::1]:" + v6.port(), "")) {
            assertThat(tunnel.statusLine()).isEqualTo("HTTP/1.1 200 Connection established");
            assertThat(roundTrip(tunnel.socket, "v6")).isEqualTo("v6");
            assertThat(proxy.connectTargets()).containsExactly("[::1]:" + v6.port());
        }
    }

    @Test
    void sixtyFourConcurrentTunnelsEachCarryTheirOwnDownload() throws Exception {
        int clients = 64;
        int size = 256 * 1024;
        try (LoopbackServer blobs = LoopbackServer.start(socket -> {
                 // Each connection asks for a seed and gets bytes derived from it, so mix-ups show.
                 int seed = socket.getInputStream().read();
                 socket.getOutputStream().write(blob(seed, size));
             });
             ConnectProxy proxy = ConnectProxy.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<Long>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int seed = i;
                    results.add(pool.submit(() -> {
                        try (ProxyTestSupport.Exchange tunnel = connect(proxy, "127.0.0.1:" + blobs.port(), "")) {
                            tunnel.socket.getOutputStream().write(seed);
                            return crc(tunnel.socket.getInputStream().readAllBytes());
                        }
                    }));
                }
                for (int i = 0; i < clients; i++) {
                    assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as("download %d", i)
                            .isEqualTo(crc(blob(i, size)));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(proxy.tunnelsOpened()).isEqualTo(clients);
            assertThat(proxy.bytesToClients()).isEqualTo((long) clients * size);
            await("every tunnel closes", () -> proxy.openTunnels() == 0, WAIT);
        }
    }

    @Test
    void connectTargetsKeepTheirOrderOfArrival() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.start()) {
            List<String> targets = List.of("127.0.0.1:" + echo.port(), "localhost:" + echo.port(),
                    "127.0.0.1:" + echo.port());
            for (String target : targets) {
                try (ProxyTestSupport.Exchange tunnel = connect(proxy, target, "")) {
                    assertThat(roundTrip(tunnel.socket, target)).isEqualTo(target);
                }
            }
            assertThat(proxy.connectTargets()).isEqualTo(targets);
            assertThat(proxy.connectCount()).isEqualTo(3);
            assertThat(proxy.tunnelsOpened()).isEqualTo(3);
        }
    }

    @Test
    void closeEndsOpenTunnelsAndReleasesThreadsAndDescriptors() throws Exception {
        // Warm up first, so that classes and lazily opened files do not count against the baseline.
        try (ConnectProxy warmUp = ConnectProxy.start();
             ProxyTestSupport.Exchange tunnel = connect(warmUp, echoTarget(), "")) {
            roundTrip(tunnel.socket, "warm");
        }
        await("the warm-up connection is gone", () -> echo.accepted() == 1 && !anyThreadNamed("loopback-session-"), WAIT);
        int threadsBefore = liveThreads();
        long descriptorsBefore = openFileDescriptors();

        AtomicLong firehoseWritten = new AtomicLong();
        LoopbackServer firehose = LoopbackServer.start(socket -> {
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                socket.getOutputStream().write(chunk);
                firehoseWritten.addAndGet(chunk.length);
            }
        });
        ConnectProxy proxy = ConnectProxy.start();
        String prefix = "connect-proxy-" + proxy.port() + "-";
        List<ProxyTestSupport.Exchange> tunnels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tunnels.add(connect(proxy, echoTarget(), ""));
            assertThat(roundTrip(tunnels.get(i).socket, "open")).isEqualTo("open");
        }
        // A tunnel whose client does not read: the proxy's thread toward it is stuck writing.
        tunnels.add(connect(proxy, "127.0.0.1:" + firehose.port(), ""));
        awaitSettled(firehoseWritten::get, Duration.ofMillis(300), WAIT);
        // And a client that connected but never sent a request: its thread is stuck reading.
        Socket idle = new Socket("127.0.0.1", proxy.port());
        // 6 tunnels of 2 proxy threads and 1 server thread, the accept thread, the idle connection's.
        await("the idle connection is being served", () -> liveThreads() >= threadsBefore + 6 * 3 + 1 + 1, WAIT);
        assertThat(proxy.openTunnels()).isEqualTo(6);

        long start = System.nanoTime();
        proxy.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(anyThreadNamed(prefix)).as("proxy threads alive after close").isFalse();
        assertThat(proxy.openTunnels()).isZero();
        for (ProxyTestSupport.Exchange tunnel : tunnels) {
            tunnel.socket.setSoTimeout(5_000);
            assertThat(peerClosed(tunnel.socket)).isTrue();
            tunnel.close();
        }
        idle.setSoTimeout(5_000);
        assertThat(peerClosed(idle)).isTrue();
        idle.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", proxy.port()).close()).isInstanceOf(ConnectException.class);
        proxy.close(); // idempotent
        firehose.close();

        await("the thread count is back to " + threadsBefore, () -> liveThreads() <= threadsBefore, WAIT);
        if (descriptorsBefore >= 0) {
            await("open descriptors are back to " + descriptorsBefore,
                    () -> openFileDescriptors() <= descriptorsBefore, WAIT);
        }
    }

    @Test
    void builderArgumentsAreChecked() {
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectProxy.builder().credentials("a:b", "c"));
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectProxy.builder().refuseConnects(99));
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectProxy.builder().dropTunnelsAfterBytes(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> ConnectProxy.builder().port(70_000));
        assertThatThrownBy(() -> ConnectProxy.builder().credentials(null, "p")).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------------------------------

    /** Writes {@code text} and reads back as many bytes. */
    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] blob(int seed, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return bytes;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
