package dev.laml.recordings;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * A setting a builder refused, with the setting's name as data: {@link #setting()} is the name of the builder method
 * that took the value ({@code "space"}, {@code "projectId"}, {@code "trustedCertificates"}, {@code "maxConnections"},
 * ...), so that code mapping a failure back to its own configuration (a Spring property, a command-line option) asks
 * the exception which setting failed instead of reading its message, which is for people and may be reworded in any
 * release.
 *
 * <p>An {@link IllegalArgumentException}: thrown at once, before anything is sent, by the builders of
 * {@code RecordingsClient}, {@link RetryPolicy}, {@link Credentials} and the other modules' builders and factories.
 * The message names the setting and the reason, and never repeats a credential.
 *
 * <p>Immutable and thread-safe.
 */
public class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The setting's name, as the builder method that takes it is named. */
    private final String setting;

    /**
     * An exception for {@code setting} with this message.
     *
     * @param setting the setting's name, as the builder method that takes it is named; not null
     * @param message what is wrong with the value, in words; it should name the setting and must not repeat a
     *                credential; not null
     */
    public InvalidSettingException(String setting, String message) {
        this(setting, message, null);
    }

    /**
     * An exception for {@code setting} with this message and cause.
     *
     * @param setting the setting's name, as the builder method that takes it is named; not null
     * @param message what is wrong with the value, in words; it should name the setting and must not repeat a
     *                credential; not null
     * @param cause   the failure behind it (a file that cannot be read, say), or null
     */
    public InvalidSettingException(String setting, String message, @Nullable Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.setting = Objects.requireNonNull(setting, "setting");
    }

    /**
     * The name of the setting that was refused, as the builder method that takes it is named (for example
     * {@code "trustedCertificates"} for {@code trustedCertificates(Path)}). Stable across releases, unlike the
     * message.
     *
     * @return the setting's name; never null
     */
    public String setting() {
        return setting;
    }
}
