package dev.laml.recordings.testsupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.laml.recordings.testsupport.ProxyTestSupport.anyThreadNamed;
import static dev.laml.recordings.testsupport.ProxyTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("OutageRelay: a server that goes away and comes back on the same port")
class OutageRelayTest {

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

    private static Socket connect(OutageRelay relay) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", relay.port()), 10_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void bytesPassBothWaysUntouched() throws Exception {
        try (OutageRelay relay = OutageRelay.to(echo.port()); Socket socket = connect(relay)) {
            assertThat(roundTrip(socket, "through the relay")).isEqualTo("through the relay");
            assertThat(relay.connectionCount()).isEqualTo(1);
            await("the bytes are counted", () -> relay.bytesToClient() == 17, WAIT);
            assertThat(relay.baseUrl("https")).hasToString("https://127.0.0.1:" + relay.port());
        }
    }

    @Test
    void stoppedItCutsOpenConnectionsAndRefusesNewOnesUntilRestartedOnTheSamePort() throws Exception {
        try (OutageRelay relay = OutageRelay.to(echo.port())) {
            int port = relay.port();
            Socket open = connect(relay);
            assertThat(roundTrip(open, "before")).isEqualTo("before");

            relay.stop();
            assertThat(relay.isRunning()).isFalse();
            assertThat(relay.awaitStopped(Duration.ZERO)).isTrue();
            assertThat(open.getInputStream().read()).as("the open connection is cut").isEqualTo(-1);
            open.close();
            assertThatThrownBy(() -> connect(relay)).isInstanceOf(ConnectException.class);

            relay.restart();
            assertThat(relay.port()).isEqualTo(port);
            try (Socket again = connect(relay)) {
                assertThat(roundTrip(again, "after")).isEqualTo("after");
            }
            assertThat(relay.awaitStopped(Duration.ofMillis(10))).as("running again").isFalse();
        }
    }

    @Test
    void anArmedCutPassesExactlyThatManyBytesThenTakesTheRelayDown() throws Exception {
        try (OutageRelay relay = OutageRelay.to(echo.port())) {
            relay.stopAfterBytesToClient(5);
            try (Socket socket = connect(relay)) {
                socket.getOutputStream().write("0123456789".getBytes(StandardCharsets.UTF_8));
                InputStream in = socket.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("01234");
            }
            assertThat(relay.awaitStopped(WAIT)).isTrue();
            assertThatThrownBy(() -> connect(relay)).isInstanceOf(ConnectException.class);

            relay.restart();
            try (Socket later = connect(relay)) {
                assertThat(roundTrip(later, "0123456789")).as("the cut applied to one connection").isEqualTo("0123456789");
            }
        }
    }

    @Test
    void closeIsFinalAndLeavesNoThread() throws Exception {
        OutageRelay relay = OutageRelay.to(echo.port());
        String threads = "outage-relay-" + relay.port();
        relay.close();
        relay.close();
        assertThatThrownBy(relay::restart).isInstanceOf(IllegalStateException.class);
        await("the relay's threads end", () -> !anyThreadNamed(threads), WAIT);
    }
}
