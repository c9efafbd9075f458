package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.InvalidSettingException;

import dev.laml.recordings.reactor.TlsEngine;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import reactor.netty.http.client.HttpClient;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;

/**
 * The client's TLS, decided once at {@code build()}: which engine, which trust, how long a
 * handshake may take. Hostname verification is always on (Reactor Netty's {@code secure(spec)}
 * adds it, and {@link DiagnosingTrustManager} adds it for trust managers that cannot).
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsSetup {

    private final SslContext context;
    private final TlsEngine engine;
    private final Duration handshakeTimeout;

    private TlsSetup(SslContext context, TlsEngine engine, Duration handshakeTimeout) {
        this.context = context;
        this.engine = engine;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * @param trustedCertificates a PEM file whose certificates replace the default trust, or null
     * @param trustManagerFactory an initialised factory to take the trust manager from, or null
     * @throws IllegalStateException    for {@link TlsEngine#OPENSSL} where OpenSSL is not available
     * @throws InvalidSettingException when the PEM file cannot be read or holds no certificate (setting
     *                                  {@code trustedCertificates}), or the factory is not initialised
     *                                  ({@code trustManagerFactory})
     */
    public static TlsSetup create(TlsEngine engine, Path trustedCertificates, TrustManagerFactory trustManagerFactory,
            Duration handshakeTimeout) {
        SslProvider provider = provider(engine, OpenSsl.isAvailable(), OpenSsl.unavailabilityCause());
        X509TrustManager trust = trustedCertificates != null ? fromPem(trustedCertificates)
                : trustManagerFactory != null ? x509(trustManagerFactory, "the given TrustManagerFactory", "trustManagerFactory")
                : systemDefault();
        try {
            SslContext context = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .trustManager(new DiagnosingTrustManager(trust))
                    .build();
            return new TlsSetup(context, provider == SslProvider.OPENSSL ? TlsEngine.OPENSSL : TlsEngine.JDK, handshakeTimeout);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the TLS context (" + provider + "): " + e.getMessage(), e);
        }
    }

    /** True when the bundled OpenSSL (BoringSSL) loads on this platform. */
    public static boolean openSslAvailable() {
        return OpenSsl.isAvailable();
    }

    /** The engine to use, given whether OpenSSL loaded here (and why not); separate so it can be tested anywhere. */
    static SslProvider provider(TlsEngine engine, boolean openSslAvailable, Throwable why) {
        return switch (engine) {
            case JDK -> SslProvider.JDK;
            case AUTO -> openSslAvailable ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL -> {
                if (!openSslAvailable) {
                    throw new IllegalStateException("TlsEngine.OPENSSL is not available on this platform ("
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): "
                            + (why == null ? "the native library did not load" : why.toString())
                            + "; use TlsEngine.AUTO or TlsEngine.JDK", why);
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    private static X509TrustManager fromPem(Path file) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new InvalidSettingException("trustedCertificates", "trustedCertificates: cannot read " + file + ": " + e, e);
        } catch (CertificateException e) {
            throw new InvalidSettingException("trustedCertificates", "trustedCertificates: " + file + " holds no readable PEM certificate ("
                    + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new InvalidSettingException("trustedCertificates", "trustedCertificates: " + file + " holds no PEM certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return x509(factory, file.toString(), "trustedCertificates");
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidSettingException("trustedCertificates", "trustedCertificates: cannot trust the certificates in " + file + ": " + e, e);
        }
    }

    private static X509TrustManager systemDefault() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return x509(factory, "the JDK's default trust store", "trustedCertificates");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK's default trust store: " + e, e);
        }
    }

    private static X509TrustManager x509(TrustManagerFactory factory, String source, String setting) {
        TrustManager[] managers;
        try {
            managers = factory.getTrustManagers();
        } catch (IllegalStateException notInitialised) {
            throw new InvalidSettingException("trustManagerFactory", "trustManagerFactory: the factory is not initialised (call init first)",
                    notInitialised);
        }
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new InvalidSettingException(setting, source + " provides no X509TrustManager");
    }

    /** The engine in use: {@link TlsEngine#OPENSSL} or {@link TlsEngine#JDK}, never {@link TlsEngine#AUTO}. */
    public TlsEngine engine() {
        return engine;
    }

    /** The engine in use in words, for {@code toString()} and messages: "OpenSSL" or "JDK". */
    public String engineName() {
        return engine == TlsEngine.OPENSSL ? "OpenSSL" : "JDK";
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** {@code http} with this TLS for https URIs (plain http URIs stay plain), hostname verification on. */
    public HttpClient apply(HttpClient http) {
        return http.secure(spec -> spec.sslContext(context).handshakeTimeout(handshakeTimeout));
    }
}
