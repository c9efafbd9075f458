package dev.laml.recordings.player;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.spring.RecordingsProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The player's one bean of its own: the account it serves. The {@link RecordingsClient} comes from the starter's
 * auto-configuration ({@code laml.recordings.*}).
 *
 * <p>Spring creates it once at start; thread-safe (stateless). Its bean method takes and returns non-null values.
 */
@Configuration(proxyBeanMethods = false)
public class PlayerConfiguration {

    /**
     * The account from {@code laml.recordings.account-sid}, or, when that is not set, {@code laml.recordings.project-id}:
     * on SignalWire the account sid is the project id, so one setting is enough.
     *
     * @throws IllegalStateException if neither is set, or the id is not one the client accepts (a UUID)
     */
    @Bean
    public PlayerAccount playerAccount(RecordingsClient client, RecordingsProperties properties) {
        String accountSid = properties.getAccountSid() != null ? properties.getAccountSid() : properties.getProjectId();
        if (accountSid == null) {
            throw new IllegalStateException("set laml.recordings.account-sid (or laml.recordings.project-id, which is "
                    + "the account sid on SignalWire): the player serves that account's recordings");
        }
        try {
            // The client checks ids when a call is made, before anything is sent; nothing is subscribed here.
            client.list(accountSid, RecordingQuery.all());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the account sid (laml.recordings.account-sid, else project-id) is not "
                    + "valid: " + e.getMessage(), e);
        }
        return new PlayerAccount(accountSid);
    }
}
