package dev.laml.recordings.internal;

import dev.laml.recordings.InvalidSettingException;

import java.util.regex.Pattern;

/**
 * Argument checks shared by the request side. Every failure is an
 * {@link IllegalArgumentException} that names the parameter and shows the rejected value in a
 * quoted, escaped and shortened form, so a hostile value can neither forge log lines nor flood
 * them.
 */
public final class Validation {

    // One DNS label (RFC 1123): letters, digits, inner hyphens, 1 to 63 characters.
    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private Validation() {
    }

    /**
     * Returns {@code value} if it is a UUID (8-4-4-4-12 hex digits, as the spec's
     * {@code format: uuid} declares both ids), else throws naming {@code parameter}: nothing else
     * may reach a URL path.
     */
    public static String uuid(String parameter, String value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must be a UUID, got null");
        }
        if (!isUuid(value)) {
            throw new IllegalArgumentException(parameter + " must be a UUID (8-4-4-4-12 hex digits), got " + quote(value));
        }
        return value;
    }

    /** Whether {@code v} is a UUID in the 8-4-4-4-12 form, either case; false for null. */
    // By hand rather than with the pattern: it runs twice per request on the hot path.
    public static boolean isUuid(String v) {
        if (v == null) {
            return false;
        }
        if (v.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = v.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** Returns the space name lower-cased if it is one DNS label, else throws. */
    public static String spaceName(String value) {
        if (value == null) {
            throw new InvalidSettingException("space", "space must be a single DNS label, got null");
        }
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new InvalidSettingException("space", "space must be a single DNS label (letters, digits and inner hyphens, "
                    + "1 to 63 characters; e.g. \"example\" for example.signalwire.com), got " + quote(value));
        }
        return value.toLowerCase(java.util.Locale.ROOT);
    }

    /** Throws if {@code value} is null or holds a character that could split or end a header line. */
    public static String headerSafe(String parameter, String value, boolean allowColon) {
        if (value == null) {
            throw new InvalidSettingException(parameter, parameter + " must not be null");
        }
        if (value.isEmpty()) {
            throw new InvalidSettingException(parameter, parameter + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidSettingException(parameter, parameter + " must not contain control characters (CR, LF, ...)");
            }
            if (c == ':' && !allowColon) {
                throw new InvalidSettingException(parameter, parameter + " must not contain ':' (it separates id and token in Basic auth)");
            }
        }
        return value;
    }

    /** Quotes a value for a message: control characters escaped, at most 64 characters shown. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), 64) + 8).append('"');
        int shown = Math.min(value.length(), 64);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
        if (value.length() > shown) {
            out.append("… (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
