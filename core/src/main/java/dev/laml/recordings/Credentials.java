package dev.laml.recordings;

import dev.laml.recordings.internal.Validation;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A SignalWire project id and API token, used as HTTP Basic credentials for the metadata
 * endpoints.
 *
 * <p>The token is never shown: {@link #toString()} prints the project id and a redaction
 * marker, and the encoded header value is only handed to the transport. The project id may not
 * contain {@code ':'} (Basic auth joins id and token with it), and neither part may contain CR,
 * LF or other control characters, which could split the header.
 *
 * <p>Immutable and thread-safe; never holds null.
 */
public final class Credentials {

    private final String projectId;
    private final String authorization;

    private Credentials(String projectId, String apiToken) {
        this.projectId = projectId;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((projectId + ':' + apiToken).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws InvalidSettingException if either part is null, empty or holds a forbidden character; its
     *                                  {@link InvalidSettingException#setting() setting} is {@code "projectId"} or
     *                                  {@code "apiToken"}, and the message never shows the value
     */
    public static Credentials of(String projectId, String apiToken) {
        Validation.headerSafe("projectId", projectId, false);
        Validation.headerSafe("apiToken", apiToken, true);
        return new Credentials(projectId, apiToken);
    }

    /** The project id (the Basic auth user name); not secret. */
    public String projectId() {
        return projectId;
    }

    /** The {@code Authorization} header value. Secret: send it, never log it. */
    public String authorizationHeader() {
        return authorization;
    }

    @Override
    public String toString() {
        return "Credentials[projectId=" + projectId + ", apiToken=<redacted>]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials other && other.authorization.equals(authorization);
    }

    @Override
    public int hashCode() {
        return authorization.hashCode();
    }
}
