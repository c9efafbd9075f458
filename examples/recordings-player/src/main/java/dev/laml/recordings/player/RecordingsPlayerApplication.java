package dev.laml.recordings.player;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The player's entry point: {@code java -jar recordings-player.jar --laml.recordings.base-url=... ...}.
 *
 * <p>Configuration: the client comes from the {@code laml.recordings.*} properties ({@code space} or
 * {@code base-url}, {@code project-id}, {@code api-token}, {@code account-sid}); the page from
 * {@code player.*} ({@link PlayerProperties}).
 *
 * <p>Not instantiated by application code; Spring creates it once. Thread-safe (stateless). {@code main} takes a
 * non-null array.
 */
@SpringBootApplication
@EnableConfigurationProperties(PlayerProperties.class)
public class RecordingsPlayerApplication {

    /** Starts the app; the arguments are Spring Boot's ({@code --name=value} properties). */
    public static void main(String[] args) {
        SpringApplication.run(RecordingsPlayerApplication.class, args);
    }
}
