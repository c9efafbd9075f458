package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ProxyException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.TlsException;
import dev.laml.recordings.ConnectFailedException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which transport failure becomes which type, without a socket: only a failed handshake is a
 * {@link TlsException}, a proxy's refusal is a {@link ProxyException} even when Netty reports it
 * inside a TLS exception, and everything after the handshake stays an ordinary, retryable
 * {@link TransferException}.
 */
class TransportTest {

    private static final RecordingsProtocol PROTOCOL =
            RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build();
    private static final ApiRequest MEDIA = PROTOCOL.media("720796a0-8ee9-4350-83bd-2d07a3121f1e",
            "19e436af-5688-4307-b03b-bdb2b42b8142", AudioFormat.MP3);
    private static final ProxySettings PROXY =
            ProxySettings.parse(URI.create("http://user:secret@proxy.corp:3128"), List.of("*.internal"));

    private static Throwable translate(ProxySettings proxy, Throwable t) {
        return new Transport(PROTOCOL, Duration.ofSeconds(30), proxy).translate(MEDIA, t);
    }

    private static HttpProxyHandler.HttpProxyConnectException status(String status) {
        return new HttpProxyHandler.HttpProxyConnectException(
                "http, basic, proxy.corp/10.0.0.1:3128 => example.signalwire.com:443, status: " + status, null);
    }

    @Test
    void aProxyRefusalReportedInsideATlsExceptionIsStillAProxyException() {
        SSLException wrapped = new SSLHandshakeException("handshake failed");
        wrapped.initCause(status("407 Proxy Authentication Required"));

        Throwable t = translate(PROXY, new DecoderException(wrapped));

        assertThat(t).isInstanceOf(ProxyException.class)
                .hasMessageContaining("proxy proxy.corp:3128 rejected the proxy credentials (407 Proxy Authentication Required)")
                .hasMessageContaining("target example.signalwire.com:443")
                .hasMessageNotContaining("secret").hasMessageNotContaining("user");
        assertThat(RetryPolicy.defaults().isRetryable(t)).isFalse();
    }

    @Test
    void aConnectFailureThroughTheProxyIsTheProxys() {
        Throwable t = translate(PROXY, new ConnectException("Connection refused: proxy.corp/10.0.0.1:3128"));

        assertThat(t).isInstanceOf(ProxyException.class).hasMessageContaining("cannot connect to proxy proxy.corp:3128");

        Throwable nettys = translate(PROXY, new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: proxy.corp/10.0.0.1:3128"));
        assertThat(nettys.getMessage()).as("without the system call's name")
                .endsWith("cannot connect to proxy proxy.corp:3128 (Connection refused: proxy.corp/10.0.0.1:3128)");
    }

    @Test
    void withoutAProxyOrForAHostItSkipsTheSameFailuresAreOrdinary() {
        ConnectException refused = new ConnectException("Connection refused");
        // A connection that never opened: typed apart, as nothing was sent (a write may repeat it).
        assertThat(translate(null, refused)).isExactlyInstanceOf(ConnectFailedException.class);

        ProxySettings bypassed = ProxySettings.parse(URI.create("http://proxy.corp:3128"), List.of("signalwire.com"));
        assertThat(translate(bypassed, refused)).isExactlyInstanceOf(ConnectFailedException.class);
        assertThat(translate(bypassed, new ProxyConnectException("odd"))).isExactlyInstanceOf(ConnectFailedException.class);
    }

    @Test
    void aHandshakeFailureIsTlsAndNeverRetried() {
        Throwable t = translate(null, new DecoderException(new SSLHandshakeException("Received fatal alert: protocol_version")));

        assertThat(t).isInstanceOf(TlsException.class)
                .hasMessageContaining("TLS handshake with example.signalwire.com:443 failed")
                .hasMessageContaining("no TLS protocol version in common");
        assertThat(RetryPolicy.defaults().isRetryable(t)).isFalse();
        assertThat(translate(null, new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
                .isInstanceOf(TlsException.class).hasMessageContaining("did not complete in time");
    }

    @Test
    void tlsFailuresAfterTheHandshakeAreOrdinaryBrokenTransfers() {
        Throwable badRecord = translate(null, new DecoderException(new SSLException("bad record MAC")));
        assertThat(badRecord).isExactlyInstanceOf(TransferException.class);
        assertThat(RetryPolicy.defaults().isRetryable(badRecord)).isTrue();

        // Netty's report of a connection closed during the handshake: the channel's closing, not a verdict on TLS.
        ClosedChannelException closed = new ClosedChannelException();
        closed.addSuppressed(new SSLHandshakeException("Connection closed while SSL/TLS handshake was in progress"));
        Throwable t = translate(null, closed);
        assertThat(t).isExactlyInstanceOf(TransferException.class);
        assertThat(RetryPolicy.defaults().isRetryable(t)).isTrue();
    }

    @Test
    void theServersWordsAreCleanedOfControlCharacters() {
        Throwable t = translate(null, new SSLHandshakeException("weird\r\nInjected: header\u0007"));

        assertThat(t.getMessage()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0007");
    }

    // ------------------------------------------------------------------ plain words

    /** What a user reads: the reason and where, never a Java class name. */
    private static void assertPlainWords(Throwable t) {
        assertThat(t.getMessage()).doesNotContainPattern("[A-Za-z]*(Exception|Error)\\b")
                .doesNotContain("io.netty").doesNotContain("(..)").doesNotContain("error(-");
    }

    @Test
    void aConnectTimeoutSaysTimedOutConnectingToHostAndPort() {
        // Not met for real: whether a connection to an unroutable address times out or fails at once depends on
        // the network, so the mapping is tested with the exception Netty raises when CONNECT_TIMEOUT_MILLIS passes.
        ConnectTimeoutException netty = new ConnectTimeoutException(
                "connection timed out after 10000 ms: example.signalwire.com/203.0.113.7:443");

        Throwable t = translate(null, netty);

        assertThat(t).isExactlyInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("timed out connecting to example.signalwire.com:443 (after 10000 ms)")
                .hasCause(netty);
        assertPlainWords(t);
        assertThat(RetryPolicy.defaults().isRetryable(t)).isTrue();
    }

    @Test
    void theKernelsWordsForAFailedConnectBecomePlainOnes() {
        assertThat(translate(null, new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:18444")).getMessage())
                .endsWith(": connection refused by example.signalwire.com:443");
        assertThat(translate(null, new ConnectException("connect(..) failed: No route to host")).getMessage())
                .endsWith(": no route to example.signalwire.com:443");
        assertThat(translate(null, new ConnectException("connect(..) failed: Network is unreachable")).getMessage())
                .endsWith(": network unreachable for example.signalwire.com:443");
        assertThat(translate(null, new ConnectException("connect(..) failed: Connection timed out")).getMessage())
                .endsWith(": timed out connecting to example.signalwire.com:443");
    }

    @Test
    void aResetABrokenPipeAndAnUnknownFailureNameTheServer() {
        Throwable reset = translate(null, new IOException("recvAddress(..) failed with error(-104): Connection reset by peer"));
        assertThat(reset).isExactlyInstanceOf(TransferException.class)
                .hasMessageEndingWith(": connection reset by example.signalwire.com:443");
        assertPlainWords(reset);

        Throwable pipe = translate(null, new IOException("writevAddresses(..) failed: Broken pipe"));
        assertThat(pipe.getMessage()).contains("connection closed by example.signalwire.com:443 while the request was sent");
        assertPlainWords(pipe);

        Throwable closed = translate(null, new ClosedChannelException());
        assertThat(closed.getMessage()).endsWith(": the connection to example.signalwire.com:443 was closed");

        Throwable other = translate(null, new IOException("something odd"));
        assertThat(other.getMessage()).endsWith(": the connection to example.signalwire.com:443 failed (something odd)");
        assertPlainWords(other);
    }

    @Test
    void aBodyThatWentSilentSaysWhichServerSentNothing() {
        String why = Transport.reason(URI.create("http://127.0.0.1:8080/x"),
                new java.util.concurrent.TimeoutException("no data for PT0.4S while the subscriber was waiting"));

        assertThat(why).isEqualTo("127.0.0.1:8080 sent no data for PT0.4S while the subscriber was waiting");
    }

    @Test
    void anUnknownHostNamesTheHostAndThePort() {
        UnknownHostException unknown = new UnknownHostException("Failed to resolve 'example.signalwire.com' [A(1)]");

        Throwable t = translate(null, new ConnectException("resolve failed") {
            { initCause(unknown); }
        });

        assertThat(t.getMessage()).endsWith(
                ": unknown host example.signalwire.com (no address found for example.signalwire.com:443)");
        assertPlainWords(t);
    }

    @Test
    void plainBytesWhereTlsWasExpectedSayTheServerSpeaksPlainHttpAndAreNeverRetried() {
        NotSslRecordException netty = new NotSslRecordException("not an SSL/TLS record: 485454502f312e3020343030");

        Throwable t = translate(null, new DecoderException(netty));

        assertThat(t).isInstanceOf(TlsException.class)
                .hasMessageContaining("the server at example.signalwire.com:443 does not speak TLS")
                .hasMessageContaining("use http://")
                .hasRootCause(netty);
        assertPlainWords(t);
        assertThat(RetryPolicy.defaults().isRetryable(t)).isFalse();
    }
}
