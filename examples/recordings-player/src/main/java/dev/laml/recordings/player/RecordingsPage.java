package dev.laml.recordings.player;

import dev.laml.recordings.Recording;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders the player's HTML page: one table row per recording, with its date, duration, status and an
 * {@code <audio controls preload="metadata">} element whose source is this app's {@code /recordings/{sid}.mp3}.
 *
 * <p>A plain string built by hand rather than a template engine: the page is one table, and a template engine would
 * be the largest dependency of the app. Everything that comes from the API is escaped, because a recording's fields
 * are data from a server, not markup: text with {@link #html(String)}, and a sid in a URL percent-encoded first and
 * then escaped as an attribute.
 *
 * <p>Stateless and thread-safe; not instantiable. Arguments must not be null; a recording's nullable fields
 * ({@code dateCreated}, {@code duration}) render as a dash.
 */
public final class RecordingsPage {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final String DASH = "\u2014";

    private RecordingsPage() {
    }

    /**
     * The whole page for {@code recordings} of {@code accountSid}, newest first as given.
     *
     * @param limit the configured page size, only to say "the N newest" in the heading
     */
    public static String render(String accountSid, List<Recording> recordings, int limit) {
        StringBuilder out = new StringBuilder(2048 + recordings.size() * 512);
        out.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Recordings</title>
                <style>
                  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
                  table { border-collapse: collapse; }
                  th, td { padding: .4rem .8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: middle; }
                  th { background: #f4f4f4; }
                  td.duration { text-align: right; font-variant-numeric: tabular-nums; }
                  code { font-size: .85em; }
                  td.listen { white-space: nowrap; }
                  audio { width: 20rem; vertical-align: middle; }
                </style>
                </head>
                <body>
                <h1>Recordings</h1>
                """);
        out.append("<p>Account <code>").append(html(accountSid)).append("</code>: ");
        if (recordings.isEmpty()) {
            out.append("no recordings yet.</p>\n</body>\n</html>\n");
            return out.toString();
        }
        out.append(recordings.size() < limit ? "all " + recordings.size() + " recordings"
                        : "the " + limit + " newest recordings")
                .append(", newest first.</p>\n");
        out.append("""
                <table id="recordings">
                <thead><tr><th>Date (UTC)</th><th>Duration</th><th>Status</th><th>Recording</th><th>Listen</th></tr></thead>
                <tbody>
                """);
        for (Recording r : recordings) {
            String path = "/recordings/" + pathSegment(r.sid());
            out.append("<tr data-sid=\"").append(html(r.sid())).append("\">");
            out.append("<td>").append(date(r.dateCreated())).append("</td>");
            out.append("<td class=\"duration\">").append(duration(r.duration())).append("</td>");
            out.append("<td>").append(html(r.rawStatus() != null ? r.rawStatus() : r.status().toString()))
                    .append("</td>");
            out.append("<td><code>").append(html(r.sid())).append("</code></td>");
            out.append("<td class=\"listen\">");
            if (r.isCompleted()) {
                // preload="metadata": the browser fetches only enough to learn the duration, with a Range request.
                out.append("<audio controls preload=\"metadata\" src=\"").append(html(path)).append(".mp3\"></audio> ")
                        .append("<a href=\"").append(html(path)).append(".wav\" download>WAV</a>");
            } else {
                out.append("not available yet");
            }
            out.append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</body>\n</html>\n");
        return out.toString();
    }

    /** Text or a double-quoted attribute value with the five characters that can end either replaced. */
    static String html(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String entity = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (entity != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (entity != null) {
                    out.append(entity);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * {@code value} as one URL path segment: RFC 3986 unreserved characters as they are, every other UTF-8 byte
     * percent-encoded. Sids are UUIDs, so this changes nothing for a well-behaved server; it is here so that no sid a
     * server sends can add a path segment or a query to the link.
     */
    static String pathSegment(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static String date(OffsetDateTime date) {
        if (date == null) {
            return DASH;
        }
        OffsetDateTime utc = date.withOffsetSameInstant(ZoneOffset.UTC);
        return "<time datetime=\"" + utc.toInstant() + "\">" + DATE.format(utc) + "</time>";
    }

    /** {@code m:ss} or {@code h:mm:ss}; a dash for no duration or the API's {@code -1} of a recording in progress. */
    private static String duration(Duration duration) {
        if (duration == null || duration.isNegative()) {
            return DASH;
        }
        long s = duration.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
