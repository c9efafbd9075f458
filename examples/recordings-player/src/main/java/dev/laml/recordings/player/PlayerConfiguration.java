package dev.laml.recordings.player;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.reactor.RecordingsClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.net.URI;

/**
 * The player's beans: the account it serves and, until the Spring Boot starter provides it, the client.
 *
 * <p>Spring creates it once at start; thread-safe (stateless).
 */
@Configuration(proxyBeanMethods = false)
public class PlayerConfiguration {

    /**
     * The account from {@code laml.recordings.account-sid}, checked now.
     *
     * @throws IllegalStateException if the property is missing or not an id the client accepts
     */
    @Bean
    public PlayerAccount playerAccount(RecordingsClient client,
                                       @Value("${laml.recordings.account-sid:}") String accountSid) {
        if (accountSid.isBlank()) {
            throw new IllegalStateException("laml.recordings.account-sid is not set: give the account (on SignalWire, "
                    + "the project id) whose recordings to serve");
        }
        try {
            // The client validates ids when a call is made, before anything is sent; nothing is subscribed here.
            client.list(accountSid, RecordingQuery.all());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("laml.recordings.account-sid is invalid: " + e.getMessage(), e);
        }
        return new PlayerAccount(accountSid);
    }

    /** Temporary: the client from {@code laml.recordings.*}, until the starter's auto-configuration is merged. */
    @Bean(destroyMethod = "close")
    public RecordingsClient recordingsClient(Environment env) {
        RecordingsClient.Builder builder = RecordingsClient.builder();
        String baseUrl = env.getProperty("laml.recordings.base-url");
        if (baseUrl != null) {
            builder.baseUrl(URI.create(baseUrl));
        } else {
            builder.space(env.getRequiredProperty("laml.recordings.space"));
        }
        String projectId = env.getProperty("laml.recordings.project-id");
        if (projectId != null) {
            builder.credentials(projectId, env.getRequiredProperty("laml.recordings.api-token"));
        }
        return builder.build();
    }
}
