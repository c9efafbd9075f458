package dev.laml.recordings.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;

/**
 * The recording status callback endpoint, {@code laml.recordings.events.*}: configured when {@code signing-key} is set
 * and the application has WebFlux and {@code laml-recordings-events}.
 *
 * <p>A mutable properties holder for Spring's binder: not thread-safe, read once at startup. Unset properties are
 * null. {@link #toString()} shows no key.
 */
// Spring's annotations here (and the classes @ConditionalOnClass names) are for Spring, which reads them at run time;
// a module reading this one needs no access to them, so they are not made transitive (module-info.java).
@SuppressWarnings("exports")
@ConfigurationProperties(prefix = "laml.recordings.events")
public class RecordingEventsProperties {

    /** The path the endpoint serves. */
    private String path = "/recordings/events";

    /** The project's signing key, which SignalWire signs callbacks with. Turns the endpoint on. */
    private String signingKey;

    /** The previous signing key, accepted as well during a rotation. */
    private String previousSigningKey;

    /**
     * The URL SignalWire was given for the callbacks (the signature covers it). Required unless
     * trust-forwarded-headers.
     */
    private URI publicUrl;

    /** Rebuild the signed URL from X-Forwarded-* and Host: only behind a proxy you run that sets them. */
    private boolean trustForwardedHeaders;

    /** The inbox: a SQLite file, or a jdbc:postgresql: URL shared by several instances. */
    private String inbox = "recordings-inbox.db";

    /** The only account whose callbacks are accepted (on SignalWire, the project id); any when unset. */
    private String accountSid;

    /**
     * Properties at their defaults (path {@code /recordings/events}, inbox {@code recordings-inbox.db}), for Spring's
     * binder to fill.
     */
    public RecordingEventsProperties() {
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public @Nullable String getSigningKey() {
        return signingKey;
    }

    public void setSigningKey(@Nullable String signingKey) {
        this.signingKey = signingKey;
    }

    public @Nullable String getPreviousSigningKey() {
        return previousSigningKey;
    }

    public void setPreviousSigningKey(@Nullable String previousSigningKey) {
        this.previousSigningKey = previousSigningKey;
    }

    public @Nullable URI getPublicUrl() {
        return publicUrl;
    }

    public void setPublicUrl(@Nullable URI publicUrl) {
        this.publicUrl = publicUrl;
    }

    public boolean isTrustForwardedHeaders() {
        return trustForwardedHeaders;
    }

    public void setTrustForwardedHeaders(boolean trustForwardedHeaders) {
        this.trustForwardedHeaders = trustForwardedHeaders;
    }

    public String getInbox() {
        return inbox;
    }

    public void setInbox(String inbox) {
        this.inbox = inbox;
    }

    public @Nullable String getAccountSid() {
        return accountSid;
    }

    public void setAccountSid(@Nullable String accountSid) {
        this.accountSid = accountSid;
    }

    @Override
    public String toString() {
        return "RecordingEventsProperties{path=" + path + ", publicUrl=" + publicUrl + ", inbox="
                + (inbox != null && inbox.startsWith("jdbc:") ? inbox.replaceAll("\\?.*", "?...") : inbox)
                + ", signingKey=" + (signingKey == null ? "unset" : "(set)") + "}";
    }
}
