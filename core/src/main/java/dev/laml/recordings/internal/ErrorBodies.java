package dev.laml.recordings.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the error code, message and documentation link out of whatever error body a server
 * sent: the documented {@code {code, message, more_info, status}}, the {@code {"errors":[…]}}
 * variant, Twilio-style XML ({@code <TwilioResponse><RestException>…}) or nothing useful (HTML,
 * empty, garbage). Never throws: an unreadable body yields an empty result and the status alone
 * still types the exception.
 */
public final class ErrorBodies {

    /** What an error body said; any part may be null. */
    public record ErrorInfo(Integer code, String message, String moreInfo) {
        static final ErrorInfo NONE = new ErrorInfo(null, null, null);
    }

    // XML is read with bounded patterns, never with an XML parser: no entity expansion, no XXE.
    private static final Pattern XML_CODE = Pattern.compile("<Code>\\s*(\\d{1,9})\\s*</Code>");
    private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]{0,2000})</Message>");
    private static final Pattern XML_MORE_INFO = Pattern.compile("<MoreInfo>([^<]{0,2000})</MoreInfo>");

    private static final int MAX_MESSAGE = 300;

    private ErrorBodies() {
    }

    public static ErrorInfo read(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return ErrorInfo.NONE;
        }
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        int first = firstNonSpace(body);
        if (first < 0) {
            return ErrorInfo.NONE;
        }
        try {
            if (type.contains("json") || body[first] == '{') {
                return json(body);
            }
            if (type.contains("xml") || body[first] == '<') {
                return xml(new String(body, StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException unreadable) {
            // A broken error body must not hide the error itself.
        }
        return ErrorInfo.NONE;
    }

    private static ErrorInfo json(byte[] body) throws IOException {
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return ErrorInfo.NONE;
            }
            ErrorInfo top = object(p, true);
            return top;
        }
    }

    // Reads a flat error object; with `nested`, an "errors" array contributes its first element
    // wherever the top level itself said nothing.
    private static ErrorInfo object(JsonParser p, boolean nested) throws IOException {
        Integer code = null;
        String message = null, moreInfo = null;
        ErrorInfo inner = ErrorInfo.NONE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "code" -> code = codeOf(Json.text(p));
                case "message", "detail" -> message = message == null ? Json.text(p) : skip(p, message);
                case "more_info" -> moreInfo = Json.text(p);
                case "errors" -> {
                    if (nested && value == JsonToken.START_ARRAY) {
                        inner = firstOf(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new ErrorInfo(code != null ? code : inner.code(),
                clean(message != null ? message : inner.message()),
                clean(moreInfo != null ? moreInfo : inner.moreInfo()));
    }

    private static ErrorInfo firstOf(JsonParser p) throws IOException {
        ErrorInfo first = ErrorInfo.NONE;
        boolean seen = false;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (!seen && t == JsonToken.START_OBJECT) {
                first = object(p, false);
                seen = true;
            } else if (!seen && t == JsonToken.VALUE_STRING) {
                // {"errors": ["Status is not included in the list"]}: the API's 422 for a bad form field.
                first = new ErrorInfo(null, p.getText(), null);
                seen = true;
            } else {
                p.skipChildren();
            }
        }
        return first;
    }

    private static String skip(JsonParser p, String keep) throws IOException {
        p.skipChildren();
        return keep;
    }

    private static ErrorInfo xml(String body) {
        Matcher code = XML_CODE.matcher(body);
        Matcher message = XML_MESSAGE.matcher(body);
        Matcher moreInfo = XML_MORE_INFO.matcher(body);
        return new ErrorInfo(code.find() ? codeOf(code.group(1)) : null,
                clean(message.find() ? message.group(1) : null),
                clean(moreInfo.find() ? moreInfo.group(1) : null));
    }

    private static Integer codeOf(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException notNumeric) {
            return null;
        }
    }

    /** Keeps a server-supplied string printable and short: it ends up in exception messages. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_MESSAGE));
        for (int i = 0; i < s.length() && out.length() < MAX_MESSAGE; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        String r = out.toString().trim();
        return r.isEmpty() ? null : r;
    }

    private static int firstNonSpace(byte[] body) {
        int i = 0;
        // Skip a UTF-8 byte order mark and leading whitespace.
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            i = 3;
        }
        for (; i < body.length; i++) {
            if (!Character.isWhitespace(body[i])) {
                return i;
            }
        }
        return -1;
    }
}
