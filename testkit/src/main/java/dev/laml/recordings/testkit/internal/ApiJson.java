package dev.laml.recordings.testkit.internal;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Renders the API's JSON bodies by hand, in the API's own one-line layout ({@code "key": value, ...}).
 *
 * <p>Written without a JSON library on purpose: the client under test parses with Jackson, and an independent
 * renderer means a shared bug cannot make both sides agree. Stateless and thread-safe.
 */
public final class ApiJson {

    /** Base of every recording path. */
    public static final String API_PREFIX = "/api/laml/2010-04-01/Accounts/";

    /**
     * Where the account sid of an API path ends (the index of the {@code /} after it), or -1 when the path is not
     * under {@link #API_PREFIX} or names no account. One copy for every endpoint's routing; compared in place,
     * allocating nothing, as media requests come through here.
     *
     * @param path the request's path; not null
     * @return the index, greater than {@code API_PREFIX.length()}, or -1
     */
    public static int accountEnd(String path) {
        if (!path.startsWith(API_PREFIX)) {
            return -1;
        }
        int end = path.indexOf('/', API_PREFIX.length());
        return end <= API_PREFIX.length() ? -1 : end;
    }

    private static final String ERRORS_URL = "https://signalwire.com/docs/compatibility-api/reference/errors";

    /** The exact body SignalWire sends for bad or missing credentials. */
    public static final String AUTHENTICATION_FAILED = error(20003, "Authentication failed", 401);
    /** The exact body SignalWire sends for an unknown resource on a JSON endpoint. */
    public static final String NOT_FOUND = error(20404, "The requested resource was not found", 404);
    /** What a media URL answers for an unknown recording: the Twilio-style XML error. */
    public static final String NOT_FOUND_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<TwilioResponse><RestException><Code>20404</Code><Message>The requested resource was not found</Message>"
            + "<MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo><Status>404</Status></RestException>"
            + "</TwilioResponse>";

    private ApiJson() {
    }

    /** {@code {"code": C, "message": "M", "more_info": "...", "status": S}}. */
    public static String error(int code, String message, int status) {
        StringBuilder out = new StringBuilder(160).append('{');
        field(out, "code").append(code).append(", ");
        field(out, "message");
        string(out, message).append(", ");
        field(out, "more_info");
        string(out, ERRORS_URL).append(", ");
        field(out, "status").append(status);
        return out.append('}').toString();
    }

    /** A recording resource, with the field order and types of the documented example. */
    public static String recording(RecordingMetadata r) {
        return recording(r, false);
    }

    /**
     * The same recording while it is still being recorded or processed: {@code "status": "in-progress"},
     * {@code "duration": "-1"} (a string, as real in-progress payloads have it), no price and no error code yet.
     */
    public static String inProgress(RecordingMetadata r) {
        return recording(r, true);
    }

    /**
     * A page of the recordings list, in the field order of the API's envelope.
     *
     * @param next       nullable: null on the last page
     * @param previous   nullable: null on the first page
     * @param recordings each element already rendered by {@link #recording} or {@link #inProgress}
     */
    public static String page(String uri, String first, String next, String previous, long page, int pageSize,
                              List<String> recordings) {
        int size = 200 + recordings.stream().mapToInt(String::length).sum() + 2 * recordings.size();
        StringBuilder out = new StringBuilder(size).append('{');
        field(out, "uri");
        string(out, uri).append(", ");
        field(out, "first_page_uri");
        string(out, first).append(", ");
        field(out, "next_page_uri");
        string(out, next).append(", ");
        field(out, "previous_page_uri");
        string(out, previous).append(", ");
        field(out, "page").append(page).append(", ");
        field(out, "page_size").append(pageSize).append(", ");
        field(out, "recordings").append('[');
        for (int i = 0; i < recordings.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(recordings.get(i));
        }
        return out.append("]}").toString();
    }

    private static String recording(RecordingMetadata r, boolean inProgress) {
        return recording(r, API_PREFIX + r.accountSid() + "/Recordings/" + r.sid(), inProgress ? "in-progress" : null);
    }

    /**
     * A recording being made by a live call or conference, or one it made: {@code liveStatus} {@code in-progress}
     * or {@code paused} renders as {@link #inProgress} does but with that status; {@code stopped} as the final
     * recording (duration and price known) with status {@code stopped}; null as the final recording with its own
     * status.
     *
     * @param uri the resource's own URI without {@code .json}: {@code .../Recordings/{sid}} for a call's recording,
     *            {@code .../Conferences/{c}/Recordings/{sid}} for a conference's (its {@code subresource_uris} stay
     *            under {@code .../Recordings/{sid}}, as the API documents)
     */
    public static String liveRecording(RecordingMetadata r, String uri, String liveStatus) {
        return recording(r, uri, liveStatus);
    }

    /** SignalWire's other error shape, a list of messages: {@code {"errors": ["M", ...]}}. */
    public static String errors(List<String> messages) {
        StringBuilder out = new StringBuilder(64).append('{');
        field(out, "errors").append('[');
        for (int i = 0; i < messages.size(); i++) {
            string(out.append(i == 0 ? "" : ", "), messages.get(i));
        }
        return out.append("]}").toString();
    }

    /**
     * @param status null for the recording's own final status; {@code in-progress} or {@code paused} for a recording
     *               still being made (no duration, price or error code yet); another value for a final one shown
     *               with that status
     */
    private static String recording(RecordingMetadata r, String uri, String status) {
        boolean inProgress = "in-progress".equals(status) || "paused".equals(status);
        String uriBase = API_PREFIX + r.accountSid() + "/Recordings/" + r.sid();
        StringBuilder out = new StringBuilder(1024).append('{');
        field(out, "sid");
        string(out, r.sid()).append(", ");
        field(out, "account_sid");
        string(out, r.accountSid()).append(", ");
        field(out, "api_version").append("\"2010-04-01\", ");
        field(out, "call_sid");
        string(out, r.callSid()).append(", ");
        field(out, "conference_sid");
        string(out, r.conferenceSid()).append(", ");
        // Channel counts are strings in the API, not numbers.
        field(out, "channel");
        string(out, Integer.toString(r.channels())).append(", ");
        field(out, "channels");
        string(out, Integer.toString(r.channels())).append(", ");
        field(out, "date_created");
        date(out, r.dateCreated()).append(", ");
        field(out, "date_updated");
        date(out, r.dateUpdated()).append(", ");
        field(out, "start_time");
        date(out, r.startTime()).append(", ");
        field(out, "end_time");
        date(out, r.endTime()).append(", ");
        if (inProgress) {
            field(out, "duration").append("\"-1\", ");
            field(out, "price").append("null, ");
        } else {
            field(out, "duration").append(r.durationSeconds()).append(", ");
            field(out, "price");
            string(out, r.price() == null ? null : r.price().toPlainString()).append(", ");
        }
        field(out, "price_unit").append("\"USD\", ");
        field(out, "source");
        string(out, r.source()).append(", ");
        field(out, "status");
        string(out, status != null ? status : r.status()).append(", ");
        field(out, "error_code").append(inProgress || r.errorCode() == null ? "null" : r.errorCode()).append(", ");
        field(out, "uri");
        string(out, uri + ".json").append(", ");
        field(out, "subresource_uris").append('{');
        field(out, "transcriptions");
        string(out, uriBase + "/Transcriptions.json").append("}, ");
        field(out, "encryption_details").append("null, ");
        field(out, "trim");
        string(out, r.trim());
        return out.append('}').toString();
    }

    private static StringBuilder field(StringBuilder out, String name) {
        return out.append('"').append(name).append("\": ");
    }

    private static StringBuilder date(StringBuilder out, OffsetDateTime time) {
        return string(out, time == null ? null : HttpDates.rfc2822(time));
    }

    /** A JSON string literal (RFC 8259 section 7), or {@code null}. */
    static StringBuilder string(StringBuilder out, String value) {
        if (value == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Other controls must be escaped; U+2028/2029 too, so the text is also safe as JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
