package dev.laml.recordings.spring.internal;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

import java.util.Locale;

/**
 * Masks {@code laml.recordings.api-token} whole and the password of {@code laml.recordings.proxy}
 * in the actuator's {@code configprops} and {@code env} endpoints, even with
 * {@code show-values: always}.
 *
 * <p>Needed because Boot 4 has no built-in key rules: with {@code show-values: always} only
 * sanitizing functions mask anything, and a key named {@code api-token} would be shown in clear.
 * The endpoints name the same property in several forms ({@code laml.recordings.apiToken} for the
 * bound bean, {@code laml.recordings.api-token} for its input, {@code LAML_RECORDINGS_API_TOKEN}
 * in the environment), so keys are compared with case and separators ignored.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordingsSanitizingFunction implements SanitizingFunction {

    private static final String API_TOKEN = "lamlrecordingsapitoken";
    private static final String PROXY = "lamlrecordingsproxy";

    @Override
    public SanitizableData apply(SanitizableData data) {
        Object value = data.getValue();
        if (value == null) {
            return data;
        }
        String key = normalize(data.getKey());
        if (key.equals(API_TOKEN)) {
            return data.withSanitizedValue();
        }
        if (key.equals(PROXY)) {
            String shown = value.toString();
            String masked = ProxyUris.maskPassword(shown);
            return masked.equals(shown) ? data : data.withValue(masked);
        }
        return data;
    }

    /** Letters and digits only, lower case: {@code laml.recordings.api-token} is {@code lamlrecordingsapitoken}. */
    private static String normalize(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
