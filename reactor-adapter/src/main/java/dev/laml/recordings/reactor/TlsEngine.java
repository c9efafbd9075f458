package dev.laml.recordings.reactor;

/**
 * Which TLS implementation a {@link RecordingsClient} runs its HTTPS connections on.
 *
 * <p>Both engines give the same security: the same protocol versions (TLS 1.2 and 1.3), the same
 * trust decisions (made by the client's trust manager, see
 * {@link RecordingsClient.Builder#trustedCertificates(java.nio.file.Path)}), hostname
 * verification always on. They differ in speed: OpenSSL (BoringSSL, bundled with the library as
 * {@code netty-tcnative-boringssl-static}) moves about twice the bytes per CPU second of the
 * JDK's engine, so the default uses it wherever a native build exists (Linux, macOS and Windows
 * on x86-64, Linux and macOS on ARM64).
 *
 * <p>An enum: immutable and thread-safe.
 */
public enum TlsEngine {

    /** OpenSSL where the bundled native library loads, the JDK's engine elsewhere. The default. */
    AUTO,

    /**
     * OpenSSL (BoringSSL) only: {@link RecordingsClient.Builder#build()} fails with an
     * {@link IllegalStateException} naming the reason when the native library is not available on
     * this platform, rather than silently running slower.
     */
    OPENSSL,

    /** The JDK's own {@code SSLEngine}: no native code, for platforms or policies that exclude it. */
    JDK
}
