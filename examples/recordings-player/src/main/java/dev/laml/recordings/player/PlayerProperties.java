package dev.laml.recordings.player;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The player's own settings, under {@code player}.
 *
 * <p>Immutable and thread-safe. Bound once at start.
 *
 * @param pageSize how many of the newest recordings {@code GET /} lists ({@code player.page-size}, 1 to 1000,
 *                 default 20): one API page of exactly this size is requested, so the page costs one call however
 *                 many recordings the account has
 */
@ConfigurationProperties("player")
public record PlayerProperties(Integer pageSize) {

    /** The default {@link #pageSize()}. */
    public static final int DEFAULT_PAGE_SIZE = 20;
    /** The API's largest page, so that the listing stays one request. */
    public static final int MAX_PAGE_SIZE = 1000;

    /**
     * @throws IllegalArgumentException if {@code pageSize} is outside 1 to 1000; null means the default
     */
    public PlayerProperties {
        if (pageSize == null) {
            pageSize = DEFAULT_PAGE_SIZE;
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("player.page-size must be between 1 and " + MAX_PAGE_SIZE + ", got "
                    + pageSize);
        }
    }
}
