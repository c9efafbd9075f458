package dev.laml.recordings.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.laml.recordings.Recording;
import dev.laml.recordings.reactor.RecordingsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code recordings metadata}: one recording's metadata, as a key: value listing or as JSON.
 *
 * <p>Created and run once, on one thread; not thread-safe. Option fields are null until picocli sets them.
 */
@Command(name = "metadata", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        headerHeading = "%n", header = "Show a recording's metadata (duration, status, dates, price, ...).",
        descriptionHeading = "%n",
        description = {"Needs your project id and API token (see 'Credentials' below).",
                "",
                "Examples (with the variables below set):",
                "  recordings metadata --sid SID",
                "  recordings metadata --sid SID --json | jq .duration",
                "",
                "--json prints one line, as 'list --json' prints one per recording (JSON Lines); --pretty indents "
                        + "it for reading."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%n", footer = {Cli.CREDENTIALS_HELP, "", Cli.NETWORK_HELP, "", Cli.EXIT_CODES_HELP})
final class MetadataCommand implements Callable<Integer> {

    /** Thread-safe, as it is never reconfigured: shared rather than built per object, as a listing writes many. */
    private static final JsonFactory JSON = new JsonFactory();

    private final Session session;

    @Option(names = "--sid", required = true, paramLabel = "SID", description = "The recording's id (a UUID).")
    String sid;

    @Option(names = "--json", description = "Print a JSON object, on one line, instead of a listing.")
    boolean json;

    @Option(names = "--pretty", description = "Print the JSON object indented over several lines (implies --json).")
    boolean pretty;

    @Mixin
    ApiOptions api;

    MetadataCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Recording recording;
        try (RecordingsClient client = api.client(session, true, false)) {
            recording = client.fetch(api.account(session), sid).block();
        }
        if (recording == null) {
            // fetch emits exactly one value or fails; an empty completion would be a library bug.
            throw new IllegalStateException("the client completed without a recording");
        }
        session.out.print(json || pretty ? json(recording, pretty) : listing(recording));
        session.out.flush();
        return Failures.OK;
    }

    /** Aligned {@code key: value} lines, in the order people look for them; absent values shown as {@code -}. */
    static String listing(Recording r) {
        Map<String, Object> rows = new LinkedHashMap<>();
        rows.put("sid", r.sid());
        rows.put("account", r.accountSid());
        rows.put("call", r.callSid());
        rows.put("conference", r.conferenceSid());
        rows.put("status", r.rawStatus() != null ? r.rawStatus() : r.status().wireValue());
        rows.put("source", r.rawSource() != null ? r.rawSource() : r.source().wireValue());
        rows.put("duration", r.duration() == null ? null : Units.recordingLength(r.duration()));
        rows.put("channels", r.channels() == 2 ? "2 (dual)" : r.channels() == 1 ? "1 (mono)" : r.channels());
        rows.put("created", date(r.dateCreated()));
        rows.put("updated", date(r.dateUpdated()));
        rows.put("started", date(r.startTime()));
        rows.put("ended", date(r.endTime()));
        rows.put("price", r.price() == null ? null
                : r.price().toPlainString() + (r.priceUnit() == null ? "" : " " + r.priceUnit()));
        rows.put("error code", r.errorCode());
        rows.put("trim", r.trim());
        rows.put("uri", r.uri());
        rows.put("api version", r.apiVersion());
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        StringBuilder sb = new StringBuilder();
        rows.forEach((k, v) -> sb.append(String.format("%-" + width + "s%s%n", k + ":", v == null ? "-" : v)));
        return sb.toString();
    }

    /**
     * A JSON object with the API's field names. Values are typed rather than copied from the wire: duration in
     * seconds (a number), dates in ISO-8601, price a decimal number; absent values are {@code null}. Without
     * {@code pretty}, on a single line: {@code metadata --json} and {@code list --json} (one per recording) are JSON
     * Lines alike. Ends with a line separator either way.
     */
    static String json(Recording r, boolean pretty) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            g.writeStartObject();
            g.writeStringField("sid", r.sid());
            g.writeStringField("account_sid", r.accountSid());
            g.writeStringField("call_sid", r.callSid());
            g.writeStringField("conference_sid", r.conferenceSid());
            g.writeStringField("status", r.rawStatus() != null ? r.rawStatus() : r.status().wireValue());
            g.writeStringField("source", r.rawSource() != null ? r.rawSource() : r.source().wireValue());
            writeDuration(g, r.duration());
            g.writeNumberField("channels", r.channels());
            writeDate(g, "date_created", r.dateCreated());
            writeDate(g, "date_updated", r.dateUpdated());
            writeDate(g, "start_time", r.startTime());
            writeDate(g, "end_time", r.endTime());
            g.writeFieldName("price");
            if (r.price() == null) {
                g.writeNull();
            } else {
                g.writeNumber(r.price());
            }
            g.writeStringField("price_unit", r.priceUnit());
            g.writeFieldName("error_code");
            if (r.errorCode() == null) {
                g.writeNull();
            } else {
                g.writeNumber(r.errorCode());
            }
            g.writeStringField("trim", r.trim());
            g.writeStringField("uri", r.uri());
            g.writeStringField("api_version", r.apiVersion());
            g.writeEndObject();
        }
        return w + System.lineSeparator();
    }

    private static void writeDuration(JsonGenerator g, Duration d) throws IOException {
        g.writeFieldName("duration");
        if (d == null) {
            g.writeNull();
        } else if (d.getNano() == 0) {
            g.writeNumber(d.getSeconds());
        } else {
            g.writeNumber(new BigDecimal(d.toNanos()).movePointLeft(9).stripTrailingZeros());
        }
    }

    /** ISO-8601 with seconds always shown ({@code OffsetDateTime.toString()} drops ":00"); null stays null. */
    private static String date(OffsetDateTime t) {
        return t == null ? null : t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static void writeDate(JsonGenerator g, String name, OffsetDateTime t) throws IOException {
        g.writeStringField(name, date(t));
    }
}
