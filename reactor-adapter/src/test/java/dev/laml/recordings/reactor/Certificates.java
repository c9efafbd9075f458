package dev.laml.recordings.reactor;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Certificates generated in the test, good and bad: a private CA and leaves it issues for the
 * right host, the wrong host, expired or not yet valid, and a self-signed one nobody trusts.
 */
final class Certificates {

    static final Instant NOW = Instant.now();

    /** A private root CA, as a company or a staging space would run. */
    static final X509Bundle CA = build(new CertificateBuilder().subject("CN=laml test root CA, O=laml")
            .setIsCertificateAuthority(true).ecp256()
            .notBefore(NOW.minus(Duration.ofDays(2))).notAfter(NOW.plus(Duration.ofDays(30))), null);

    private Certificates() {
    }

    /** A server certificate from {@link #CA} for 127.0.0.1, ::1 and localhost, valid now. */
    static X509Bundle loopback() {
        return leaf(CA, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), "localhost");
    }

    /** Issued by {@code issuer} for DNS name {@code dns} (plus the loopback IPs when dns is localhost). */
    static X509Bundle leaf(X509Bundle issuer, Instant notBefore, Instant notAfter, String dns) {
        CertificateBuilder b = new CertificateBuilder().subject("CN=" + dns).ecp256()
                .notBefore(notBefore).notAfter(notAfter)
                .addSanDnsName(dns).addExtendedKeyUsageServerAuth();
        if (dns.equals("localhost")) {
            b.addSanIpAddress("127.0.0.1").addSanIpAddress("::1");
        }
        return build(b, issuer);
    }

    /** A self-signed certificate for the loopback names: valid, but trusted by no one. */
    static X509Bundle selfSigned(String cn) {
        // A CA flag, as pkitesting requires of anything self-signed; the server presents it as its own.
        return build(new CertificateBuilder().subject("CN=" + cn).ecp256().setIsCertificateAuthority(true)
                .notBefore(NOW.minus(Duration.ofDays(1))).notAfter(NOW.plus(Duration.ofDays(7)))
                .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth(), null);
    }

    static Path pem(Path dir, X509Bundle bundle) {
        try {
            return Files.writeString(dir.resolve("trusted-" + System.nanoTime() + ".pem"), bundle.getCertificatePEM());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509Bundle build(CertificateBuilder b, X509Bundle issuer) {
        try {
            return issuer == null ? b.buildSelfSigned() : b.buildIssuedBy(issuer);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
