package dev.laml.recordings.webhooks;

import dev.laml.recordings.internal.SignedUrls;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body into the map that
 * {@link WebhookSignature#validForm} and {@link RecordingStatusCallback#fromForm} take.
 *
 * <p>Why here and not in each receiver: the signature covers the <em>decoded</em> names and values,
 * so how {@code +}, {@code %XX} and repeated names are read decides whether a genuine callback is
 * accepted. The rules: pairs are separated by {@code &} (empty pairs skipped), a pair without
 * {@code =} is a name with an empty value, {@code +} is a space, {@code %XX} is one byte, and the
 * bytes are UTF-8. Names are case-sensitive ({@code RecordingSid} and {@code recordingsid} are two
 * fields). A repeated name keeps its values in the order they were sent, and names keep the order
 * of their first appearance.
 *
 * <p>Stateless and thread-safe.
 */
public final class FormFields {

    private FormFields() {
    }

    /**
     * Decodes a form body.
     *
     * @param body the raw body; not null; empty gives an empty map
     * @return an unmodifiable map of unmodifiable lists, never null
     * @throws MalformedCallbackException if the body is not UTF-8, or a {@code %} is not followed by
     *                                    two hex digits, or a decoded part is not UTF-8
     */
    public static Map<String, List<String>> parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw new MalformedCallbackException("the form body is not UTF-8 text");
        }
        return parse(text);
    }

    /**
     * Decodes form text, such as a body or a URL's query (without the {@code ?}).
     *
     * @param form the encoded text; not null
     * @return an unmodifiable map of unmodifiable lists, never null
     * @throws MalformedCallbackException if a {@code %} is not followed by two hex digits or a
     *                                    decoded part is not UTF-8
     */
    public static Map<String, List<String>> parse(String form) {
        List<String[]> pairs = SignedUrls.pairs(form);
        if (pairs == null) {
            throw new MalformedCallbackException("the form body is not valid application/x-www-form-urlencoded text "
                    + "(a '%' without two hex digits after it, or escapes that are not UTF-8)");
        }
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String[] pair : pairs) {
            fields.computeIfAbsent(pair[0], k -> new ArrayList<>(1)).add(pair[1]);
        }
        fields.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(fields);
    }
}
