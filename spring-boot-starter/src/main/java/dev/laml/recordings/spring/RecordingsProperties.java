package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import dev.laml.recordings.spring.internal.AccountSids;
import dev.laml.recordings.spring.internal.ProxyUris;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;

/**
 * The {@code laml.recordings.*} properties: where the API is, the credentials, and the
 * {@link RecordingsClient.Builder} settings that make sense in a configuration file.
 *
 * <pre>{@code
 * laml:
 *   recordings:
 *     space: example                 # https://example.signalwire.com
 *     project-id: ${SIGNALWIRE_PROJECT_ID}
 *     api-token: ${SIGNALWIRE_API_TOKEN}
 *     account-sid: ${SIGNALWIRE_ACCOUNT_SID}
 *     response-timeout: 10s
 *     retry:
 *       max-attempts: 6
 * }</pre>
 *
 * <p><b>Null means "not set".</b> Every property is null until configured, and an unset property
 * leaves the builder's own default in place: the defaults live in one place, the client, and are
 * documented on each {@link RecordingsClient.Builder} method. Every getter may therefore return
 * null (the {@code retry} group itself never is; its values may be). An empty string counts as not
 * set for the text properties (so that {@code ${VARIABLE:}} placeholders work) and so does an
 * empty base URL.
 *
 * <p><b>Secrets.</b> {@link #toString()} never shows the API token, nor the password of a proxy
 * URI; with the actuator present the auto-configuration masks both in the {@code configprops}
 * and {@code env} endpoints, whatever {@code show-values} says.
 *
 * <p><b>Thread-safety.</b> A mutable JavaBean, as Spring's binder needs: not safe to modify
 * concurrently. Spring binds it once, before it is published to other beans; treat it as read-only
 * after that, when any thread may read it.
 */
// Spring's annotations here (and the classes @ConditionalOnClass names) are for Spring, which reads them at run time;
// a module reading this one needs no access to them, so they are not made transitive (module-info.java).
@SuppressWarnings("exports")
@ConfigurationProperties(prefix = "laml.recordings")
public class RecordingsProperties {

    /**
     * SignalWire space name: "example" means https://example.signalwire.com. Set this or base-url,
     * not both.
     */
    private String space;

    /**
     * Explicit base URL instead of a space: an emulator, a proxy in front of the API, the testkit.
     * Must be https; plain http is accepted for loopback hosts, or anywhere with
     * allow-insecure-http.
     */
    private URI baseUrl;

    /** Project id for HTTP Basic auth on metadata, list and delete requests; set with api-token. */
    private String projectId;

    /**
     * API token for HTTP Basic auth on metadata, list and delete requests; set with project-id.
     * Never logged, never shown by toString, and masked in the actuator's configprops and env.
     */
    private String apiToken;

    /**
     * Account SID (a UUID) for applications to use in their calls; not a client setting. Checked at
     * startup: anything but a UUID fails there.
     */
    private String accountSid;

    /**
     * Whether to accept plain http base and media URLs on any host (credentials then travel
     * unencrypted). Unset: the client's default, https only except on loopback.
     */
    private Boolean allowInsecureHttp;

    /**
     * Whether to send the credentials with media requests too, to the configured origin only, for
     * spaces that enforce auth on media. Unset: the client's default.
     */
    private Boolean sendCredentialsToMedia;

    /** Largest metadata body accepted, in bytes (at least 1024). Unset: the client's default. */
    private Integer maxMetadataBytes;

    /** Most connections open at once. Unset: the client's default. */
    private Integer maxConnections;

    /**
     * Most requests waiting for a connection when all are busy; beyond it a request fails at once.
     * Unset: the client's default.
     */
    private Integer pendingAcquireMaxCount;

    /** How long a request may wait for a free connection. Unset: the client's default. */
    private Duration pendingAcquireTimeout;

    /** How long an idle pooled connection is kept. Unset: the client's default. */
    private Duration maxIdleTime;

    /** TCP connect timeout. Unset: the client's default. */
    private Duration connectTimeout;

    /**
     * Longest wait from sending a request to the response headers; does not limit the body. Unset:
     * the client's default.
     */
    private Duration responseTimeout;

    /**
     * Longest silence between body chunks while the subscriber is waiting for data; an audio body
     * that goes idle is resumed. Unset: the client's default.
     */
    private Duration idleTimeout;

    /** When to retry and resume failed requests. */
    private final Retry retry = new Retry();

    /**
     * Keep retrying a media 404 for this long after a download starts (a recording is often not
     * there yet right after a call ends). Unset: the client's default, a 404 fails at once.
     */
    private Duration retryNotFoundFor;

    /**
     * Whether downloadTo forces each file to disk (fsync) before moving it into place. Unset: the
     * client's default.
     */
    private Boolean durableFiles;

    /**
     * TLS implementation: AUTO (OpenSSL where the bundled native library loads, else the JDK's),
     * OPENSSL (fail at startup where it is not available) or JDK. Unset: the client's default.
     */
    private TlsEngine tlsEngine;

    /**
     * PEM file of certificates to trust instead of the JDK's default trust store, for this client
     * only: a private CA, a TLS-inspecting company proxy, the testkit's certificate. Unset: the JDK's
     * default trust.
     */
    private Path trustedCertificates;

    /** Longest a TLS handshake may take once connected. Unset: the client's default. */
    private Duration tlsHandshakeTimeout;

    /**
     * Proxy URI for every connection: http://[user:password@]host:port (a CONNECT tunnel) or
     * socks5://host:port. The password is masked in the actuator. Unset: no proxy (system
     * properties and environment variables are not consulted).
     */
    // A String, not a URI: a value java.net.URI rejects would fail in Spring's converter, and Boot's
    // failure report repeats such a value whole, password included. The client parses it instead,
    // with messages that never show the user info.
    private String proxy;

    /**
     * Hosts reached directly even with a proxy, as curl's NO_PROXY: "*", "example.com" (and every
     * name under it), "*.example.com", IP addresses and CIDR ranges ("10.0.0.0/8"). Unset: none.
     */
    private List<String> noProxy;

    /**
     * Hosts a media URL passed to the client may name besides the configured origin (the space's
     * host or the base URL's), the guard against server-side request forgery: exact hosts
     * ("media.example.com", "10.0.0.5") or "*.suffix" ("*.signalwire.com": every name under that
     * domain, not the domain itself). Unset: only the configured origin.
     */
    private List<String> mediaHosts;

    /** Properties with nothing set (and an empty {@code retry} group), for Spring's binder to fill. */
    public RecordingsProperties() {
    }

    /** The space name, or null if not set. */
    public @Nullable String getSpace() {
        return space;
    }

    public void setSpace(@Nullable String space) {
        this.space = emptyToNull(space);
    }

    /** The base URL, or null if not set. */
    public @Nullable URI getBaseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(@Nullable URI baseUrl) {
        this.baseUrl = baseUrl == null || baseUrl.toString().isEmpty() ? null : baseUrl;
    }

    /** The project id, or null if not set. */
    public @Nullable String getProjectId() {
        return projectId;
    }

    public void setProjectId(@Nullable String projectId) {
        this.projectId = emptyToNull(projectId);
    }

    /** The API token, or null if not set. A secret: never log it. */
    public @Nullable String getApiToken() {
        return apiToken;
    }

    public void setApiToken(@Nullable String apiToken) {
        this.apiToken = emptyToNull(apiToken);
    }

    /** The account SID, a UUID, or null if not set. */
    public @Nullable String getAccountSid() {
        return accountSid;
    }

    /**
     * @param accountSid a UUID, or null for none
     * @throws IllegalArgumentException if it is not a UUID (Spring reports it against
     *                                  {@code laml.recordings.account-sid})
     */
    public void setAccountSid(@Nullable String accountSid) {
        // Checked here, at binding, so that a bad value fails startup even when the application
        // defines its own RecordingsClient and never hands this one to the builder.
        this.accountSid = emptyToNull(accountSid) == null ? null : AccountSids.check(accountSid);
    }

    /** Whether plain http is allowed everywhere, or null if not set. */
    public @Nullable Boolean getAllowInsecureHttp() {
        return allowInsecureHttp;
    }

    public void setAllowInsecureHttp(@Nullable Boolean allowInsecureHttp) {
        this.allowInsecureHttp = allowInsecureHttp;
    }

    /** Whether credentials go with media requests, or null if not set. */
    public @Nullable Boolean getSendCredentialsToMedia() {
        return sendCredentialsToMedia;
    }

    public void setSendCredentialsToMedia(@Nullable Boolean sendCredentialsToMedia) {
        this.sendCredentialsToMedia = sendCredentialsToMedia;
    }

    /** The largest metadata body in bytes, or null if not set. */
    public @Nullable Integer getMaxMetadataBytes() {
        return maxMetadataBytes;
    }

    public void setMaxMetadataBytes(@Nullable Integer maxMetadataBytes) {
        this.maxMetadataBytes = maxMetadataBytes;
    }

    /** The connection limit, or null if not set. */
    public @Nullable Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(@Nullable Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** The limit of requests waiting for a connection, or null if not set. */
    public @Nullable Integer getPendingAcquireMaxCount() {
        return pendingAcquireMaxCount;
    }

    public void setPendingAcquireMaxCount(@Nullable Integer pendingAcquireMaxCount) {
        this.pendingAcquireMaxCount = pendingAcquireMaxCount;
    }

    /** The wait for a free connection, or null if not set. */
    public @Nullable Duration getPendingAcquireTimeout() {
        return pendingAcquireTimeout;
    }

    public void setPendingAcquireTimeout(@Nullable Duration pendingAcquireTimeout) {
        this.pendingAcquireTimeout = pendingAcquireTimeout;
    }

    /** How long idle connections are kept, or null if not set. */
    public @Nullable Duration getMaxIdleTime() {
        return maxIdleTime;
    }

    public void setMaxIdleTime(@Nullable Duration maxIdleTime) {
        this.maxIdleTime = maxIdleTime;
    }

    /** The connect timeout, or null if not set. */
    public @Nullable Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(@Nullable Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** The response (headers) timeout, or null if not set. */
    public @Nullable Duration getResponseTimeout() {
        return responseTimeout;
    }

    public void setResponseTimeout(@Nullable Duration responseTimeout) {
        this.responseTimeout = responseTimeout;
    }

    /** The body idle timeout, or null if not set. */
    public @Nullable Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(@Nullable Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    /** The retry settings; never null, its values may be. */
    public Retry getRetry() {
        return retry;
    }

    /** The media 404 retry window, or null if not set. */
    public @Nullable Duration getRetryNotFoundFor() {
        return retryNotFoundFor;
    }

    public void setRetryNotFoundFor(@Nullable Duration retryNotFoundFor) {
        this.retryNotFoundFor = retryNotFoundFor;
    }

    /** Whether downloaded files are forced to disk, or null if not set. */
    public @Nullable Boolean getDurableFiles() {
        return durableFiles;
    }

    public void setDurableFiles(@Nullable Boolean durableFiles) {
        this.durableFiles = durableFiles;
    }

    /** The TLS engine, or null if not set. */
    public @Nullable TlsEngine getTlsEngine() {
        return tlsEngine;
    }

    public void setTlsEngine(@Nullable TlsEngine tlsEngine) {
        this.tlsEngine = tlsEngine;
    }

    /** The PEM file of trusted certificates, or null if not set. */
    public @Nullable Path getTrustedCertificates() {
        return trustedCertificates;
    }

    public void setTrustedCertificates(@Nullable Path trustedCertificates) {
        this.trustedCertificates = trustedCertificates;
    }

    /** The TLS handshake timeout, or null if not set. */
    public @Nullable Duration getTlsHandshakeTimeout() {
        return tlsHandshakeTimeout;
    }

    public void setTlsHandshakeTimeout(@Nullable Duration tlsHandshakeTimeout) {
        this.tlsHandshakeTimeout = tlsHandshakeTimeout;
    }

    /** The proxy URI as configured, or null if not set. May hold a password: never log it. */
    public @Nullable String getProxy() {
        return proxy;
    }

    public void setProxy(@Nullable String proxy) {
        this.proxy = emptyToNull(proxy);
    }

    /** The hosts reached without the proxy, or null if not set. */
    public @Nullable List<String> getNoProxy() {
        return noProxy;
    }

    public void setNoProxy(@Nullable List<String> noProxy) {
        this.noProxy = noProxy;
    }

    /** The hosts media URLs may name besides the configured origin, or null if not set. */
    public List<String> getMediaHosts() {
        return mediaHosts;
    }

    public void setMediaHosts(List<String> mediaHosts) {
        this.mediaHosts = mediaHosts;
    }

    /**
     * The properties that are set; the API token only as {@code <redacted>} and a proxy's password
     * as {@code ******}.
     */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "RecordingsProperties[", "]");
        add(out, "space", space);
        add(out, "baseUrl", baseUrl);
        add(out, "projectId", projectId);
        add(out, "apiToken", apiToken == null ? null : "<redacted>");
        add(out, "accountSid", accountSid);
        add(out, "allowInsecureHttp", allowInsecureHttp);
        add(out, "sendCredentialsToMedia", sendCredentialsToMedia);
        add(out, "maxMetadataBytes", maxMetadataBytes);
        add(out, "maxConnections", maxConnections);
        add(out, "pendingAcquireMaxCount", pendingAcquireMaxCount);
        add(out, "pendingAcquireTimeout", pendingAcquireTimeout);
        add(out, "maxIdleTime", maxIdleTime);
        add(out, "connectTimeout", connectTimeout);
        add(out, "responseTimeout", responseTimeout);
        add(out, "idleTimeout", idleTimeout);
        if (retry.anySet()) {
            add(out, "retry", retry);
        }
        add(out, "retryNotFoundFor", retryNotFoundFor);
        add(out, "durableFiles", durableFiles);
        add(out, "tlsEngine", tlsEngine);
        add(out, "trustedCertificates", trustedCertificates);
        add(out, "tlsHandshakeTimeout", tlsHandshakeTimeout);
        add(out, "proxy", proxy == null ? null : ProxyUris.maskPassword(proxy));
        add(out, "noProxy", noProxy);
        add(out, "mediaHosts", mediaHosts);
        return out.toString();
    }

    // "${SIGNALWIRE_SPACE:}" with the variable unset binds "": that is "not set", not a value to refuse.
    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static void add(StringJoiner out, String name, Object value) {
        if (value != null) {
            out.add(name + "=" + value);
        }
    }

    /**
     * {@code laml.recordings.retry.*}: the knobs of {@link dev.laml.recordings.RetryPolicy}. Set
     * values replace those of {@link dev.laml.recordings.RetryPolicy#defaults()}; unset ones keep
     * them. {@code max-attempts: 1} turns retries and resumes off.
     *
     * <p>Every getter returns null when its property is not set. A mutable JavaBean bound once at
     * startup, like its enclosing class: read-only (and then safe to read from any thread) after
     * that.
     */
    public static class Retry {

        /** Attempts in all, the first included (at least 1; 1 means no retries). Unset: the client's default. */
        private Integer maxAttempts;

        /** The backoff's first ceiling (exponential backoff with full jitter). Unset: the client's default. */
        private Duration baseDelay;

        /** The backoff's largest ceiling. Unset: the client's default. */
        private Duration maxDelay;

        /** The longest Retry-After honoured on a 429; a longer one is shortened to it. Unset: the client's default. */
        private Duration maxRetryAfter;

        /**
         * How long a download that has made progress keeps being resumed without further progress (the clock
         * restarts whenever bytes arrive); 0 counts resumes against max-attempts instead, and max-attempts 1 turns
         * resumes off too. Unset: the client's default (30 s).
         */
        private Duration resumeWithoutProgressFor;

        /** The backoff's largest ceiling between resumes of a download that made progress. Unset: the client's default (2 s). */
        private Duration maxResumeDelay;

        /** A group with nothing set, for Spring's binder to fill. */
        public Retry() {
        }

        /** Attempts in all, or null if not set. */
        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** The first backoff ceiling, or null if not set. */
        public @Nullable Duration getBaseDelay() {
            return baseDelay;
        }

        public void setBaseDelay(@Nullable Duration baseDelay) {
            this.baseDelay = baseDelay;
        }

        /** The largest backoff ceiling, or null if not set. */
        public @Nullable Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(@Nullable Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        /** The longest Retry-After honoured, or null if not set. */
        public @Nullable Duration getMaxRetryAfter() {
            return maxRetryAfter;
        }

        public void setMaxRetryAfter(@Nullable Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
        }

        /** How long a download that made progress is resumed without more, or null if not set. */
        public @Nullable Duration getResumeWithoutProgressFor() {
            return resumeWithoutProgressFor;
        }

        public void setResumeWithoutProgressFor(@Nullable Duration resumeWithoutProgressFor) {
            this.resumeWithoutProgressFor = resumeWithoutProgressFor;
        }

        /** The largest backoff ceiling between resumes, or null if not set. */
        public @Nullable Duration getMaxResumeDelay() {
            return maxResumeDelay;
        }

        public void setMaxResumeDelay(@Nullable Duration maxResumeDelay) {
            this.maxResumeDelay = maxResumeDelay;
        }

        /** Whether any retry property is set. */
        boolean anySet() {
            return maxAttempts != null || baseDelay != null || maxDelay != null || maxRetryAfter != null
                    || resumeWithoutProgressFor != null || maxResumeDelay != null;
        }

        /** The retry properties that are set. */
        @Override
        public String toString() {
            StringJoiner out = new StringJoiner(", ", "Retry[", "]");
            add(out, "maxAttempts", maxAttempts);
            add(out, "baseDelay", baseDelay);
            add(out, "maxDelay", maxDelay);
            add(out, "maxRetryAfter", maxRetryAfter);
            add(out, "resumeWithoutProgressFor", resumeWithoutProgressFor);
            add(out, "maxResumeDelay", maxResumeDelay);
            return out.toString();
        }
    }
}
