package dev.laml.recordings.reactor.internal;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * Wraps the trust manager that decides, so that a rejected server certificate says in plain words
 * why: the JDK's own messages ("PKIX path building failed: ...SunCertPathBuilderException...")
 * and OpenSSL's ("General OpenSslEngine problem") tell a user nothing they can act on.
 *
 * <p>The decision stays the delegate's. What this adds: a {@link Rejected} exception whose message
 * names the host and port and the reason (untrusted issuer, expired, not yet valid, wrong host),
 * with the delegate's exception as its cause; and, for a delegate that is not an
 * {@link X509ExtendedTrustManager} (which cannot see the engine and so cannot check the host
 * name), the host-name check itself, so that hostname verification is on whatever trust manager a
 * user brings.
 *
 * <p>Immutable and thread-safe, as the JDK requires of trust managers.
 */
final class DiagnosingTrustManager extends X509ExtendedTrustManager {

    /** A certificate rejected for the reason its message gives in plain words. */
    static final class Rejected extends CertificateException {
        private static final long serialVersionUID = 1L;

        Rejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final X509TrustManager delegate;

    DiagnosingTrustManager(X509TrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        String host = engine == null ? null : engine.getPeerHost();
        try {
            if (delegate instanceof X509ExtendedTrustManager extended) {
                extended.checkServerTrusted(chain, authType, engine);
            } else {
                delegate.checkServerTrusted(chain, authType);
                if (host != null && verifiesHostname(engine) && !matchesHost(chain[0], host)) {
                    throw new CertificateException("no subject alternative name matches " + host);
                }
            }
        } catch (CertificateException e) {
            throw new Rejected(explain(chain, host, e, Instant.now()), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        // This client runs on SSLEngines only; a socket-based caller gets the plain delegate's check.
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw new Rejected(explain(chain, null, e, Instant.now()), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServerTrusted(chain, authType, (Socket) null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private static boolean verifiesHostname(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        return parameters != null && "HTTPS".equalsIgnoreCase(parameters.getEndpointIdentificationAlgorithm());
    }

    // ------------------------------------------------------------------ plain words

    /**
     * Why {@code chain} was rejected, in words a user can act on. The delegate's exception decides
     * the kind (the JDK checks the path, validity included, before the host name); the chain
     * supplies the names and dates.
     */
    static String explain(X509Certificate[] chain, String host, CertificateException e, Instant now) {
        if (chain == null || chain.length == 0) {
            return "the server sent no certificate";
        }
        X509Certificate leaf = chain[0];
        for (X509Certificate c : chain) {
            Date notAfter = c.getNotAfter();
            Date notBefore = c.getNotBefore();
            if (notAfter != null && now.isAfter(notAfter.toInstant())) {
                return (c == leaf ? "certificate for " + names(leaf) : "certificate " + principal(c.getSubjectX500Principal())
                        + " in the chain of " + names(leaf)) + " expired on " + notAfter.toInstant();
            }
            if (notBefore != null && now.isBefore(notBefore.toInstant())) {
                return (c == leaf ? "certificate for " + names(leaf) : "certificate " + principal(c.getSubjectX500Principal())
                        + " in the chain of " + names(leaf)) + " is not valid before " + notBefore.toInstant();
            }
        }
        if (has(e, CertificateExpiredException.class)) {
            return "certificate for " + names(leaf) + " has expired";
        }
        if (has(e, CertificateNotYetValidException.class)) {
            return "certificate for " + names(leaf) + " is not yet valid";
        }
        if (has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)) {
            X509Certificate top = chain[chain.length - 1];
            return "issuer " + principal(top.getIssuerX500Principal()) + " is not trusted (certificate for "
                    + names(leaf) + ")";
        }
        if (host != null && !matchesHost(leaf, host)) {
            return "certificate for " + names(leaf) + " does not match " + host;
        }
        return "certificate for " + names(leaf) + " was rejected" + ": " + clean(e.getMessage());
    }

    private static boolean has(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** The names a certificate is for: its DNS and IP subject alternative names, else its subject's CN. */
    static String names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        for (List<?> san : sans(cert)) {
            Object type = san.get(0);
            if ((Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) && san.get(1) instanceof String s) {
                names.add(s);
            }
        }
        if (names.isEmpty()) {
            return principal(cert.getSubjectX500Principal());
        }
        String joined = String.join(", ", names.size() > 4 ? names.subList(0, 4) : names);
        return clean(names.size() > 4 ? joined + " and " + (names.size() - 4) + " more" : joined);
    }

    private static String principal(X500Principal p) {
        return p == null ? "(none)" : clean(p.getName(X500Principal.RFC2253));
    }

    /**
     * Certificate fields and TLS alerts are the server's words: no control characters (nothing
     * that could forge a log line), bounded length.
     */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        String c = s.replaceAll("\\p{Cc}", " ");
        return c.length() > 300 ? c.substring(0, 300) + "…" : c;
    }

    private static Collection<List<?>> sans(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /**
     * RFC 6125 matching: an IP literal against the iPAddress names, a host name against the DNS
     * names (a wildcard only as the whole left-most label, matching one label). No fallback to
     * the subject's CN, which browsers and the CA/Browser Forum abandoned.
     */
    static boolean matchesHost(X509Certificate cert, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ip = isIpLiteral(h);
        for (List<?> san : sans(cert)) {
            if (!(san.get(1) instanceof String name)) {
                continue;
            }
            if (ip && Integer.valueOf(7).equals(san.get(0)) && sameAddress(h, name)) {
                return true;
            }
            if (!ip && Integer.valueOf(2).equals(san.get(0)) && dnsMatches(name, h)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv6 literal (has a colon) or a dotted-quad IPv4 one; InetAddress never looks either up. */
    static boolean isIpLiteral(String h) {
        if (h.indexOf(':') >= 0) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameAddress(String a, String b) {
        if (!isIpLiteral(a) || !isIpLiteral(b)) {
            return false;
        }
        try {
            // Both are literals, so no lookup happens.
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean dnsMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot).equals(p.substring(1)) && p.indexOf('.', 2) > 0;
    }
}
