package dev.laml.recordings.testkit.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;

import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * The HTTPS side of one server: its key and certificate chain, the certificate a client should trust, and the TLS
 * engine that serves them. Immutable and thread-safe; nothing here accepts or returns null.
 */
public final class ServerTls {

    private static final String DROP_HANDLER = "laml.testkit.dropCloseNotify";
    /**
     * How long a close waits for its close_notify to reach the socket. Reactor Netty's default (3 s) would make every
     * close of a connection whose client stopped reading (a backpressure test) take 3 s; a loopback peer that reads
     * at all takes microseconds.
     */
    private static final Duration CLOSE_NOTIFY_FLUSH_TIMEOUT = Duration.ofSeconds(1);

    private final PrivateKey key;
    private final X509Certificate[] chain;
    private final X509Certificate trusted;
    private final SslProvider engine;

    private ServerTls(PrivateKey key, X509Certificate[] chain, X509Certificate trusted, boolean preferOpenSsl) {
        this.key = key;
        this.chain = chain;
        this.trusted = trusted;
        // OpenSSL (BoringSSL) where its native build loads, as production servers run; the JDK's engine elsewhere.
        this.engine = preferOpenSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * A fresh certificate authority that exists only for this server, and a leaf it issued for 127.0.0.1, ::1 and
     * localhost, both EC P-256 (the cheapest handshake), valid from a day ago for 30 days. The server presents the
     * leaf; clients trust the authority, whose private key is dropped here, so that it can never vouch for anything
     * else.
     */
    public static ServerTls generated(boolean preferOpenSsl) {
        Instant now = Instant.now();
        CertificateBuilder template = new CertificateBuilder()
                .ecp256()
                .notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(30, ChronoUnit.DAYS));
        try {
            X509Bundle authority = template.copy()
                    // A name of its own: trust stores index anchors by subject, and every server has another CA.
                    .subject("CN=laml-recordings testkit CA " + UUID.randomUUID())
                    .setIsCertificateAuthority(true)
                    .setKeyUsage(true, CertificateBuilder.KeyUsage.keyCertSign, CertificateBuilder.KeyUsage.cRLSign)
                    .buildSelfSigned();
            X509Bundle leaf = template.copy()
                    .subject("CN=localhost")
                    .addSanIpAddress("127.0.0.1")
                    .addSanIpAddress("::1")
                    .addSanDnsName("localhost")
                    .setKeyUsage(true, CertificateBuilder.KeyUsage.digitalSignature)
                    .addExtendedKeyUsageServerAuth()
                    .buildIssuedBy(authority);
            return new ServerTls(leaf.getKeyPair().getPrivate(), new X509Certificate[] {leaf.getCertificate()},
                    authority.getCertificate(), preferOpenSsl);
        } catch (Exception e) {
            throw new IllegalStateException("could not generate the server's certificate", e);
        }
    }

    /**
     * The caller's key and chain, served as given (expired, for another host, untrusted: whatever a test needs).
     * Clients are told to trust the chain's last certificate, the one nearest a root.
     */
    public static ServerTls given(PrivateKey key, X509Certificate[] chain, boolean preferOpenSsl) {
        return new ServerTls(key, chain.clone(), chain[chain.length - 1], preferOpenSsl);
    }

    /** {@code server} serving HTTP/1.1 over TLS with this key and chain. */
    public HttpServer secure(HttpServer server) {
        // Typed as the generic spec: the ProtocolSslContextSpec overload of sslContext(...) is deprecated.
        reactor.netty.tcp.SslProvider.GenericSslContextSpec<?> context = Http11SslContextSpec.forServer(key, chain)
                .configure(builder -> builder.sslProvider(engine));
        return server.secure(spec -> spec.sslContext(context).closeNotifyFlushTimeout(CLOSE_NOTIFY_FLUSH_TIMEOUT));
    }

    /** "OpenSSL" or "JDK". */
    public String engine() {
        return engine == SslProvider.OPENSSL ? "OpenSSL" : "JDK";
    }

    /** The certificate a client should trust. */
    public X509Certificate trustedCertificate() {
        return trusted;
    }

    /** {@link #trustedCertificate()} as PEM: base64 at 64 columns between the BEGIN/END lines, '\n' line ends. */
    public String trustedCertificatePem() {
        try {
            String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(trusted.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /**
     * Closes {@code channel} the way a crashed server or a load balancer dropping a connection does: TCP FIN (or
     * RST, with SO_LINGER 0 set before) and no TLS close_notify, so that the peer can tell the end of the stream
     * from a completed transfer only by counting. A plain channel simply closes.
     *
     * <p>A closing {@link SslHandler} always wraps a close_notify and writes it towards the socket before it closes;
     * a handler put between it and the socket drops that write. Removing the {@code SslHandler} instead would also
     * suppress it, but removal hands any undecrypted inbound bytes to the HTTP codec as if they were plaintext.
     */
    public static ChannelFuture closeWithoutCloseNotify(Channel channel) {
        if (channel.pipeline().get(SslHandler.class) != null && channel.pipeline().get(DROP_HANDLER) == null) {
            channel.pipeline().addFirst(DROP_HANDLER, DropWrites.INSTANCE);
        }
        return channel.close();
    }

    /** Drops (and releases) every write, reporting success so that the close proceeds at once. */
    @ChannelHandler.Sharable
    private static final class DropWrites extends ChannelOutboundHandlerAdapter {
        static final DropWrites INSTANCE = new DropWrites();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
        }
    }

    @Override
    public String toString() {
        return "ServerTls[" + engine() + ", trusts " + trusted.getSubjectX500Principal().getName() + "]";
    }
}
