package dev.laml.recordings.testkit.internal;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Encodes and signs a status callback's form as SignalWire does, computed here rather than borrowed from the client's
 * core so that the testkit stays an independent rendering of the protocol: a bug shared by both sides would
 * otherwise pass every test.
 *
 * <p>The signature: Base64 of HMAC-SHA1, keyed with the signing key's UTF-8 bytes, over the callback URL exactly as
 * configured followed by each field sorted by name ({@link String#compareTo}, case-sensitive), name then value, a
 * repeated name's values in the order sent. Stateless and thread-safe.
 */
public final class CallbackForms {

    private CallbackForms() {
    }

    /** The {@code X-SignalWire-Signature} value for a form POSTed to {@code url}. */
    public static String sign(String signingKey, String url, Map<String, List<String>> fields) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(signingKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            mac.update(url.getBytes(StandardCharsets.UTF_8));
            List<String> names = new ArrayList<>(fields.keySet());
            names.sort(null);
            for (String name : names) {
                for (String value : fields.get(name)) {
                    mac.update(name.getBytes(StandardCharsets.UTF_8));
                    mac.update(value.getBytes(StandardCharsets.UTF_8));
                }
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA1", e);
        }
    }

    /** {@code application/x-www-form-urlencoded} UTF-8, fields in map order, a repeated name once per value. */
    public static String encode(Map<String, List<String>> fields) {
        StringBuilder out = new StringBuilder(512);
        for (Map.Entry<String, List<String>> field : fields.entrySet()) {
            for (String value : field.getValue()) {
                if (!out.isEmpty()) {
                    out.append('&');
                }
                out.append(URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }
}
