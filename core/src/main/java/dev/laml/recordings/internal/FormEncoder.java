package dev.laml.recordings.internal;

import java.nio.charset.StandardCharsets;

/**
 * {@code application/x-www-form-urlencoded} exactly as the URL Standard's serializer writes it:
 * names and values in UTF-8, every byte percent-encoded (upper-case hex) except ASCII letters,
 * digits and {@code * - . _}, and a space as {@code +}; pairs joined by {@code &}. The result is
 * pure ASCII, so no charset question arises on the server's side.
 *
 * <p>By hand rather than with {@link java.net.URLEncoder}: that one silently turns an unpaired
 * surrogate into {@code ?}, changing what is sent; here such a string is refused instead.
 *
 * <p>Not thread-safe (one per body); build, then {@link #toBytes()}.
 */
public final class FormEncoder {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out = new StringBuilder(128);

    /**
     * Appends one field.
     *
     * @throws IllegalArgumentException if the name or value holds an unpaired surrogate (not text)
     */
    public FormEncoder add(String name, String value) {
        if (out.length() > 0) {
            out.append('&');
        }
        encode(name, name);
        out.append('=');
        encode(name, value);
        return this;
    }

    /** The encoded body. */
    public byte[] toBytes() {
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void encode(String field, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '*' || c == '-' || c == '.' || c == '_') {
                out.append(c);
            } else if (c == ' ') {
                out.append('+');
            } else {
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, s.charAt(++i));
                } else if (Character.isSurrogate(c)) {
                    throw new IllegalArgumentException(field + " is not valid text (an unpaired surrogate at index " + i + ")");
                }
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
        }
    }
}
