package dev.laml.recordings.spring.internal;

import dev.laml.recordings.InvalidSettingException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import dev.laml.recordings.spring.RecordingsProperties;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Properties to a {@link RecordingsClient.Builder}: each property that is set goes to its builder
 * method, each one that is not leaves the builder's default alone. The client validates the
 * values; every complaint comes back as an {@link InvalidRecordingsPropertiesException} naming the
 * property, so that startup says which line of the configuration to fix. Stateless and
 * thread-safe; arguments must not be null, and nothing returned is null.
 */
public final class ClientBuilders {

    private static final String PREFIX = "laml.recordings.";
    private static final String SPACE = PREFIX + "space";
    private static final String BASE_URL = PREFIX + "base-url";
    private static final String PROJECT_ID = PREFIX + "project-id";
    private static final String API_TOKEN = PREFIX + "api-token";
    private static final String TRUSTED_CERTIFICATES = PREFIX + "trusted-certificates";
    private static final String TLS_ENGINE = PREFIX + "tls-engine";
    private static final String PROXY = PREFIX + "proxy";

    /**
     * The builder's setting names ({@link InvalidSettingException#setting()}) that a failure seen only by
     * {@code credentials(...)} or {@code build()} can carry, to the property that sets each.
     */
    private static final Map<String, String> PROPERTIES = Map.of(
            "space", SPACE,
            "baseUrl", BASE_URL,
            "projectId", PROJECT_ID,
            "apiToken", API_TOKEN,
            "trustedCertificates", TRUSTED_CERTIFICATES,
            "tlsEngine", TLS_ENGINE,
            "proxy", PROXY,
            "noProxy", PREFIX + "no-proxy");

    private ClientBuilders() {
    }

    /**
     * A builder configured from {@code properties}.
     *
     * @throws InvalidRecordingsPropertiesException if neither or both of space and base URL are
     *                                              set, only one of project id and token is, or
     *                                              the client refuses a value
     */
    public static RecordingsClient.Builder from(RecordingsProperties properties) {
        RecordingsClient.Builder builder = RecordingsClient.builder();
        endpoint(properties, builder);
        credentials(properties, builder);
        set(PREFIX + "send-credentials-to-media", properties.getSendCredentialsToMedia(), builder::sendCredentialsToMedia);
        set(PREFIX + "max-metadata-bytes", properties.getMaxMetadataBytes(), builder::maxMetadataBytes);
        set(PREFIX + "max-connections", properties.getMaxConnections(), builder::maxConnections);
        set(PREFIX + "pending-acquire-max-count", properties.getPendingAcquireMaxCount(), builder::pendingAcquireMaxCount);
        set(PREFIX + "pending-acquire-timeout", properties.getPendingAcquireTimeout(), builder::pendingAcquireTimeout);
        set(PREFIX + "max-idle-time", properties.getMaxIdleTime(), builder::maxIdleTime);
        set(PREFIX + "connect-timeout", properties.getConnectTimeout(), builder::connectTimeout);
        set(PREFIX + "response-timeout", properties.getResponseTimeout(), builder::responseTimeout);
        set(PREFIX + "idle-timeout", properties.getIdleTimeout(), builder::idleTimeout);
        retry(properties.getRetry(), builder);
        set(PREFIX + "retry-not-found-for", properties.getRetryNotFoundFor(), builder::retryNotFoundFor);
        set(PREFIX + "durable-files", properties.getDurableFiles(), builder::durableFiles);
        set(TLS_ENGINE, properties.getTlsEngine(), builder::tlsEngine);
        set(TRUSTED_CERTIFICATES, properties.getTrustedCertificates(), builder::trustedCertificates);
        set(PREFIX + "tls-handshake-timeout", properties.getTlsHandshakeTimeout(), builder::tlsHandshakeTimeout);
        set(PROXY, properties.getProxy(), proxy -> builder.proxy(proxyUri(proxy)));
        List<String> noProxy = properties.getNoProxy();
        set(PREFIX + "no-proxy", noProxy, patterns -> builder.noProxy(patterns.toArray(String[]::new)));
        set(PREFIX + "media-hosts", properties.getMediaHosts(), patterns -> builder.mediaHosts(patterns.toArray(String[]::new)));
        return builder;
    }

    /**
     * Builds the client, naming the property behind a failure that only {@code build()} can see: a
     * trusted-certificates file that cannot be read, OpenSSL asked for where it is not available.
     *
     * @throws InvalidRecordingsPropertiesException if the client cannot be built
     */
    public static RecordingsClient build(RecordingsClient.Builder builder, RecordingsProperties properties) {
        try {
            return builder.build();
        } catch (InvalidSettingException e) {
            // The builder names the setting it refused; the message is for people and may be reworded.
            throw invalid(PROPERTIES.getOrDefault(e.setting(), PREFIX + "*"), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // Not one value's fault (an IllegalStateException): OpenSSL asked for where it does not load, or a
            // customizer set a trust manager factory beside trusted certificates.
            throw invalid(properties.getTlsEngine() == TlsEngine.OPENSSL ? TLS_ENGINE : PREFIX + "*", e);
        }
    }

    private static void endpoint(RecordingsProperties properties, RecordingsClient.Builder builder) {
        String space = properties.getSpace();
        URI baseUrl = properties.getBaseUrl();
        if (space == null && baseUrl == null) {
            throw new InvalidRecordingsPropertiesException(SPACE,
                    "neither " + SPACE + " nor " + BASE_URL + " is set, so the client does not know where the API is.",
                    "Set " + SPACE + " to your SignalWire space (\"example\" for https://example.signalwire.com), or "
                            + BASE_URL + " to an emulator's or the testkit's URL. Or define a RecordingsClient bean "
                            + "of your own.", null);
        }
        if (space != null && baseUrl != null) {
            throw new InvalidRecordingsPropertiesException(BASE_URL,
                    "both " + SPACE + " and " + BASE_URL + " are set; the client needs exactly one.",
                    "Remove one of " + SPACE + " and " + BASE_URL + ".", null);
        }
        boolean insecure = Boolean.TRUE.equals(properties.getAllowInsecureHttp());
        if (insecure) {
            builder.allowInsecureHttp();
        }
        if (space != null) {
            set(SPACE, space, builder::space);
        } else {
            // The builder checks a base URL only in build(); checked here, the failure names the property.
            set(BASE_URL, baseUrl, url -> {
                ApiEndpoint.of(url, insecure);
                builder.baseUrl(url);
            });
        }
    }

    private static void credentials(RecordingsProperties properties, RecordingsClient.Builder builder) {
        String projectId = properties.getProjectId();
        String apiToken = properties.getApiToken();
        if (projectId == null && apiToken == null) {
            return; // media downloads need no credentials
        }
        if (projectId == null || apiToken == null) {
            String set = projectId == null ? API_TOKEN : PROJECT_ID;
            String missing = projectId == null ? PROJECT_ID : API_TOKEN;
            throw new InvalidRecordingsPropertiesException(missing, set + " is set but " + missing + " is not.",
                    "Set both " + PROJECT_ID + " and " + API_TOKEN + " (metadata, list and delete requests need "
                            + "them), or neither (media downloads do not).", null);
        }
        try {
            builder.credentials(projectId, apiToken);
        } catch (InvalidSettingException e) {
            // The setting is "projectId" or "apiToken"; the message never shows a value.
            throw invalid(PROPERTIES.getOrDefault(e.setting(), API_TOKEN), e);
        }
    }

    private static void retry(RecordingsProperties.Retry retry, RecordingsClient.Builder builder) {
        RetryPolicy defaults = RetryPolicy.defaults();
        RetryPolicy policy = defaults;
        policy = retrySetting(PREFIX + "retry.max-attempts", retry.getMaxAttempts(), policy, RetryPolicy::maxAttempts);
        policy = retrySetting(PREFIX + "retry.base-delay", retry.getBaseDelay(), policy, RetryPolicy::baseDelay);
        policy = retrySetting(PREFIX + "retry.max-delay", retry.getMaxDelay(), policy, RetryPolicy::maxDelay);
        policy = retrySetting(PREFIX + "retry.max-retry-after", retry.getMaxRetryAfter(), policy, RetryPolicy::maxRetryAfter);
        policy = retrySetting(PREFIX + "retry.resume-without-progress-for", retry.getResumeWithoutProgressFor(), policy,
                RetryPolicy::resumeWithoutProgressFor);
        policy = retrySetting(PREFIX + "retry.max-resume-delay", retry.getMaxResumeDelay(), policy,
                RetryPolicy::maxResumeDelay);
        if (policy != defaults) { // every setter returns a new policy: identity tells whether any was set
            builder.retryPolicy(policy);
        }
    }

    private static <T> RetryPolicy retrySetting(String property, T value, RetryPolicy policy,
            BiFunction<RetryPolicy, T, RetryPolicy> setter) {
        if (value == null) {
            return policy;
        }
        try {
            return setter.apply(policy, value);
        } catch (IllegalArgumentException e) {
            throw invalid(property, e);
        }
    }

    private static URI proxyUri(String proxy) {
        try {
            return new URI(proxy);
        } catch (URISyntaxException e) {
            // The reason and position only: the exception's own message repeats the value, password included.
            throw new IllegalArgumentException("not a URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
    }

    /** Hands a set value to the builder; a value the client refuses fails naming the property. */
    private static <T> void set(String property, T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            throw invalid(property, e);
        }
    }

    private static InvalidRecordingsPropertiesException invalid(String property, RuntimeException e) {
        return new InvalidRecordingsPropertiesException(property, property + ": " + e.getMessage(),
                "Update " + property + " in your application's configuration.", e);
    }
}
