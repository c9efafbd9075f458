package dev.laml.recordings.testsupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.laml.recordings.testsupport.ProxyTestSupport.anyThreadNamed;
import static dev.laml.recordings.testsupport.ProxyTestSupport.await;
import static dev.laml.recordings.testsupport.ProxyTestSupport.liveThreads;
import static dev.laml.recordings.testsupport.ProxyTestSupport.peerClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Socks5Proxy: a minimal RFC 1928 server on loopback")
class Socks5ProxyTest {

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

    @Test
    void aJdkSocksSocketReachesALocalServerByIpv4Address() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start()) {
            assertThat(proxy.uri()).hasToString("socks5://127.0.0.1:" + proxy.port());
            try (Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()))) {
                socket.setSoTimeout(10_000);
                socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), echo.port()), 10_000);
                assertThat(roundTrip(socket, "through socks")).isEqualTo("through socks");
                assertThat(proxy.openTunnels()).isEqualTo(1);
            }
            assertThat(proxy.connectCount()).isEqualTo(1);
            assertThat(proxy.tunnelsOpened()).isEqualTo(1);
            assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:" + echo.port());
            await("the tunnel closes", () -> proxy.openTunnels() == 0, WAIT);
        }
    }

    @Test
    void aJdkSocksSocketWithAnUnresolvedNameSendsTheDomainName() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()))) {
            socket.setSoTimeout(10_000);
            socket.connect(InetSocketAddress.createUnresolved("localhost", echo.port()), 10_000);
            assertThat(roundTrip(socket, "by name")).isEqualTo("by name");
            assertThat(proxy.connectTargets()).containsExactly("localhost:" + echo.port());
        }
    }

    @Test
    void theHandshakeBytesAreThoseOfRfc1928() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 2, 2, 0}); // offers user/password and no-auth
            assertThat(in.readNBytes(2)).containsExactly(5, 0);

            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (echo.port() >>> 8), (byte) echo.port()});
            byte[] reply = in.readNBytes(10);
            assertThat(reply).startsWith(5, 0, 0, 1, 127, 0, 0, 1);
            assertThat(((reply[8] & 0xFF) << 8) | (reply[9] & 0xFF)).isPositive();

            assertThat(roundTrip(socket, "raw")).isEqualTo("raw");
        }
    }

    @Test
    void theIpv6AddressTypeReachesAServerOnTheIpv6Loopback() throws Exception {
        try (LoopbackServer v6 = LoopbackServer.start(InetAddress.getByName("::1"), LoopbackServer::echo);
             Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 1, 0});
            assertThat(in.readNBytes(2)).containsExactly(5, 0);

            byte[] request = new byte[4 + 16 + 2];
            request[0] = 5;
            request[1] = 1;
            request[3] = 4;
            System.arraycopy(InetAddress.getByName("::1").getAddress(), 0, request, 4, 16);
            request[20] = (byte) (v6.port() >>> 8);
            request[21] = (byte) v6.port();
            out.write(request);
            byte[] reply = in.readNBytes(22);
            assertThat(reply).startsWith(5, 0, 0, 4); // bound address is the proxy's end on ::1

            assertThat(roundTrip(socket, "six")).isEqualTo("six");
            assertThat(proxy.connectTargets()).containsExactly("[0:0:0:0:0:0:0:1]:" + v6.port());
        }
    }

    @Test
    void aDomainNameInARawRequestIsResolvedByTheProxy() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 1, 0});
            in.readNBytes(2);
            byte[] name = "localhost".getBytes(StandardCharsets.US_ASCII);
            byte[] request = new byte[5 + name.length + 2];
            request[0] = 5;
            request[1] = 1;
            request[3] = 3;
            request[4] = (byte) name.length;
            System.arraycopy(name, 0, request, 5, name.length);
            request[5 + name.length] = (byte) (echo.port() >>> 8);
            request[6 + name.length] = (byte) echo.port();
            out.write(request);
            assertThat(in.readNBytes(10)).startsWith(5, 0, 0, 1);
            assertThat(roundTrip(socket, "named")).isEqualTo("named");
        }
    }

    @Test
    void aClientThatDoesNotOfferNoAuthGets0xffAndIsClosed() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            socket.getOutputStream().write(new byte[] {5, 1, 2});
            assertThat(socket.getInputStream().readNBytes(2)).containsExactly(5, 0xFF);
            assertThat(peerClosed(socket)).isTrue();
            assertThat(proxy.connectCount()).isZero();
        }
    }

    @Test
    void bindGetsCommandNotSupported() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(new byte[] {5, 1, 0});
            in.readNBytes(2);
            out.write(new byte[] {5, 2, 0, 1, 127, 0, 0, 1, 0, 80});
            assertThat(in.readNBytes(2)).containsExactly(5, 7);
            in.readNBytes(8);
            assertThat(peerClosed(socket)).isTrue();
            assertThat(proxy.connectCount()).isZero();
        }
    }

    @Test
    void anUnknownAddressTypeGets0x08() throws Exception {
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(new byte[] {5, 1, 0});
            in.readNBytes(2);
            out.write(new byte[] {5, 1, 0, 9});
            assertThat(in.readNBytes(2)).containsExactly(5, 8);
        }
    }

    @Test
    void aRefusedTargetGets0x05() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = gone.getLocalPort();
        }
        try (Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = rawClient(proxy)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(new byte[] {5, 1, 0});
            in.readNBytes(2);
            out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (closedPort >>> 8), (byte) closedPort});
            assertThat(in.readNBytes(2)).containsExactly(5, 5);
            assertThat(proxy.connectCount()).isEqualTo(1);
            assertThat(proxy.tunnelsOpened()).isZero();

            // And the JDK client reports it as a failed connect.
            try (Socket jdk = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()))) {
                assertThatThrownBy(() -> jdk.connect(new InetSocketAddress("127.0.0.1", closedPort), 10_000))
                        .isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aLargeTransferArrivesIntact() throws Exception {
        int size = 8 << 20;
        try (LoopbackServer blob = LoopbackServer.start(socket -> {
                 byte[] chunk = new byte[64 * 1024];
                 for (int i = 0; i < chunk.length; i++) {
                     chunk[i] = (byte) i;
                 }
                 for (int sent = 0; sent < size; sent += chunk.length) {
                     socket.getOutputStream().write(chunk);
                 }
             });
             Socks5Proxy proxy = Socks5Proxy.start();
             Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()))) {
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", blob.port()), 10_000);
            InputStream in = socket.getInputStream();
            long total = 0;
            long firstMismatch = -1;
            byte[] buffer = new byte[32 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n && firstMismatch < 0; i++) {
                    if (buffer[i] != (byte) ((total + i) % (64 * 1024))) {
                        firstMismatch = total + i;
                    }
                }
                total += n;
            }
            assertThat(total).isEqualTo(size);
            assertThat(firstMismatch).as("offset of the first wrong byte").isEqualTo(-1);
        }
    }

    @Test
    void closeEndsOpenTunnelsAndReleasesThreads() throws Exception {
        int threadsBefore = liveThreads();
        Socks5Proxy proxy = Socks5Proxy.start();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket socket = new Socket(new Proxy(Proxy.Type.SOCKS, proxy.address()));
            socket.setSoTimeout(5_000);
            socket.connect(new InetSocketAddress("127.0.0.1", echo.port()), 10_000);
            assertThat(roundTrip(socket, "open")).isEqualTo("open");
            clients.add(socket);
        }
        Socket idle = rawClient(proxy); // connected, never says anything
        assertThat(proxy.openTunnels()).isEqualTo(3);

        proxy.close();
        assertThat(anyThreadNamed("socks5-proxy-" + proxy.port() + "-")).isFalse();
        for (Socket socket : clients) {
            assertThat(peerClosed(socket)).isTrue();
            socket.close();
        }
        assertThat(peerClosed(idle)).isTrue();
        idle.close();
        assertThat(proxy.openTunnels()).isZero();
        assertThatThrownBy(() -> new Socket("127.0.0.1", proxy.port()).close()).isInstanceOf(ConnectException.class);
        await("the thread count is back to " + threadsBefore, () -> liveThreads() <= threadsBefore, WAIT);
    }

    // ---------------------------------------------------------------------------------------

    private static Socket rawClient(Socks5Proxy proxy) throws IOException {
        Socket socket = new Socket("127.0.0.1", proxy.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }
}
