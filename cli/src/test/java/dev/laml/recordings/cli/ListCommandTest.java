package dev.laml.recordings.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code recordings list} against the testkit: the table, JSON lines, filters on the wire, paging and exit codes. */
class ListCommandTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";
    static final String CONFERENCE = "0b6f3c1e-8a2d-4c5b-9e7f-1a2b3c4d5e6f";
    static final OffsetDateTime DAY1 = OffsetDateTime.of(2026, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().credentials(PROJECT, TOKEN));

    /** Ten, twelve hours apart from March 1 09:00 UTC; #4 is a conference recording. Oldest first. */
    static final List<TestRecording> recordings = new ArrayList<>();
    /** Their call sids (null for #4). */
    static final List<String> calls = new ArrayList<>();

    @BeforeAll
    static void addRecordings() {
        for (int i = 0; i < 10; i++) {
            RecordingSpec spec = RecordingSpec.create().seed(900 + i).durationSeconds(1 + i).channels(i % 3 == 0 ? 2 : 1)
                    .dateCreated(DAY1.plusHours(12L * i));
            String call = i == 4 ? null : UUID.nameUUIDFromBytes(("call " + i).getBytes(StandardCharsets.UTF_8))
                    .toString();
            spec = i == 4 ? spec.callSid(null).conferenceSid(CONFERENCE) : spec.callSid(call);
            recordings.add(testkit.server().addRecording(spec));
            calls.add(call);
        }
    }

    static Map<String, String> env() {
        return CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN);
    }

    static CliRun list(String... more) {
        return list(testkit.server(), more);
    }

    static CliRun list(RecordingsServer server, String... more) {
        List<String> a = new ArrayList<>(List.of("list", "--base-url", server.baseUrl().toString()));
        a.addAll(List.of(more));
        return CliRun.run(env(), a.toArray(String[]::new));
    }

    /** The sids of {@link #recordings} {@code from} to {@code to} (inclusive), newest first, as the API lists them. */
    static List<String> newestFirst(int from, int to) {
        List<String> sids = new ArrayList<>();
        for (int i = to; i >= from; i--) {
            sids.add(recordings.get(i).sid());
        }
        return sids;
    }

    static List<String> tableSids(CliRun r) {
        return r.stdout().lines().skip(1).map(l -> l.substring(0, 36)).toList();
    }

    static List<String> jsonSids(CliRun r) throws IOException {
        List<String> sids = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : r.stdout().lines().toList()) {
            sids.add(mapper.readTree(line).get("sid").asText());
        }
        return sids;
    }

    /** The list requests the server received, oldest first. */
    static List<RecordedRequest> listRequests(RecordingsServer server) {
        return server.recordedRequests().stream().filter(r -> r.path().endsWith("/Recordings.json")).toList();
    }

    /** A request's query parameters, names and values percent-decoded ({@code DateCreated%3E} is DateCreated>). */
    static Map<String, String> params(RecordedRequest request) {
        Map<String, String> params = new LinkedHashMap<>();
        String target = request.target();
        for (String pair : target.substring(target.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    // --------------------------------------------------------------------------------------------------- output

    @Test
    void theTableHasAHeaderThenOneAlignedRowPerRecordingNewestFirst() {
        CliRun r = list();

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).isEmpty();
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).hasSize(11);
        String header = lines.get(0);
        assertThat(header).containsPattern("^SID +CREATED \\(UTC\\) +DURATION +CH +STATUS +CALL / CONFERENCE$");
        assertThat(tableSids(r)).containsExactlyElementsOf(newestFirst(0, 9));
        for (String row : lines.subList(1, lines.size())) {
            // Every column starts where its heading does, whatever the values.
            assertThat(row.substring(header.indexOf("CREATED"))).matches("2026-03-0\\d \\d\\d:00:00 .*");
            assertThat(row.charAt(header.indexOf("DURATION") + "DURATION".length() - 1)).isBetween('0', '9');
            assertThat(row.substring(header.indexOf("STATUS"))).startsWith("completed ");
        }
        // #9: created March 5 21:00, 10 s, dual-channel, its call; #8: mono
        assertThat(lines.get(1)).isEqualTo(String.format("%-36s  2026-03-05 21:00:00      0:10   2  completed    %s",
                recordings.get(9).sid(), calls.get(9)));
        assertThat(lines.get(2)).contains(" 0:09   1  completed ");
        assertThat(lines.get(6)).startsWith(recordings.get(4).sid()).endsWith(CONFERENCE + " (conference)");
    }

    @Test
    void jsonLinesParseOneRecordingPerLineWithTypedFields() throws IOException {
        CliRun r = list("--json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(jsonSids(r)).containsExactlyElementsOf(newestFirst(0, 9));
        JsonNode first = new ObjectMapper().readTree(r.stdout().lines().findFirst().orElseThrow());
        assertThat(first.get("account_sid").asText()).isEqualTo(PROJECT);
        assertThat(first.get("duration").isIntegralNumber()).isTrue();
        assertThat(first.get("duration").asLong()).isEqualTo(10);
        assertThat(first.get("channels").asInt()).isEqualTo(2);
        assertThat(first.get("date_created").asText()).isEqualTo("2026-03-05T21:00:00Z");
        assertThat(first.get("status").asText()).isEqualTo("completed");
        assertThat(first.has("call_sid") && first.has("source") && first.has("uri") && first.has("price")).isTrue();
    }

    @Test
    void anEmptyListingPrintsNothingOnStdoutAndSaysSoOnStderr() {
        CliRun r = list("--since", "2027-01-01");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo("recordings: no recordings match" + System.lineSeparator());

        assertThat(list("--since", "2027-01-01", "--json").all()).isEmpty();
    }

    // -------------------------------------------------------------------------------------------------- filters

    @Test
    void filtersAreSentAsTheApisQueryParameters() {
        String call = UUID.randomUUID().toString();
        CliRun r = list("--since", "2026-03-02", "--until", "2026-03-03T12:00:00+02:00", "--call", call,
                "--conference", CONFERENCE);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<RecordedRequest> requests = listRequests(testkit.server());
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).method()).isEqualTo("GET");
        assertThat(params(requests.get(0))).containsOnly(
                Map.entry("PageSize", "100"),
                Map.entry("DateCreated>", "Mon, 2 Mar 2026 00:00:00 +0000"),
                Map.entry("DateCreated<", "Tue, 3 Mar 2026 10:00:00 +0000"),
                Map.entry("CallSid", call),
                Map.entry("ConferenceSid", CONFERENCE));
    }

    @Test
    void sinceAndUntilIncludeTheirBoundsAndADateMeansTheWholeDay() {
        // #2 and #3 were created on March 2, at 09:00 and 21:00.
        CliRun day = list("--since", "2026-03-02", "--until", "2026-03-02");
        assertThat(day.exitCode()).as(day.toString()).isZero();
        assertThat(tableSids(day)).containsExactlyElementsOf(newestFirst(2, 3));

        CliRun exact = list("--since", "2026-03-02T09:00:00Z", "--until", "2026-03-02T21:00:00Z", "--json");
        assertThat(exact.exitCode()).as(exact.toString()).isZero();
        assertThat(exact.stdout().lines()).hasSize(2);

        CliRun noOffset = list("--until", "2026-03-01T21:00"); // UTC
        assertThat(tableSids(noOffset)).containsExactlyElementsOf(newestFirst(0, 1));
    }

    @Test
    void theCallAndConferenceFiltersSelectTheirRecordings() throws IOException {
        CliRun call = list("--call", calls.get(7), "--json");
        assertThat(jsonSids(call)).containsExactly(recordings.get(7).sid());

        CliRun conference = list("--conference", CONFERENCE, "--json");
        assertThat(jsonSids(conference)).containsExactly(recordings.get(4).sid());
    }

    @Test
    void aTimeAgoIsNowMinusThatToTheSecond() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC);
        CliRun r = list("--since", "7d", "--until", "90m");
        OffsetDateTime after = OffsetDateTime.now(ZoneOffset.UTC);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        Map<String, String> params = params(listRequests(testkit.server()).get(0));
        OffsetDateTime since = ZonedDateTime.parse(params.get("DateCreated>"), DateTimeFormatter.RFC_1123_DATE_TIME)
                .toOffsetDateTime();
        OffsetDateTime until = ZonedDateTime.parse(params.get("DateCreated<"), DateTimeFormatter.RFC_1123_DATE_TIME)
                .toOffsetDateTime();
        assertThat(since).isBetween(before.minusDays(7).minusSeconds(1), after.minusDays(7));
        assertThat(until).isBetween(before.minusMinutes(90).minusSeconds(1), after.minusMinutes(90));
        assertThat(Duration.between(since, until).toMinutes()).isCloseTo(7 * 24 * 60 - 90, within(1L));
    }

    // ---------------------------------------------------------------------------------------------------- paging

    /** Lets a request sent at the last moment reach the log: the paging tests count what was sent. */
    static void settle() throws InterruptedException {
        Thread.sleep(200);
    }

    @Test
    void limit3AsksForOnePageOfThree() throws InterruptedException {
        CliRun r = list("--limit", "3");
        settle();

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(tableSids(r)).containsExactlyElementsOf(newestFirst(7, 9));
        List<RecordedRequest> requests = listRequests(testkit.server());
        assertThat(requests).hasSize(1);
        assertThat(params(requests.get(0))).containsEntry("PageSize", "3");
        assertThat(testkit.server().requestCount()).isEqualTo(1);
    }

    @Test
    void pagesOfAHundredAreFollowedOnlyAsFarAsTheLimit() throws IOException, InterruptedException {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            List<String> sids = addShortRecordings(server, 250);

            CliRun limited = list(server, "--limit", "120", "--json");
            settle();
            assertThat(limited.exitCode()).as(limited.toString()).isZero();
            assertThat(jsonSids(limited)).containsExactlyElementsOf(sids.subList(0, 120));
            assertThat(listRequests(server)).hasSize(2)
                    .allSatisfy(request -> assertThat(params(request)).containsEntry("PageSize", "100"));
            assertThat(server.requestCount()).isEqualTo(2);

            server.resetCounters();
            CliRun all = list(server, "--json");
            settle();
            assertThat(jsonSids(all)).containsExactlyElementsOf(sids);
            assertThat(server.requestCount()).isEqualTo(3);

            server.resetCounters();
            CliRun exactlyAPage = list(server, "--limit", "100");
            settle();
            assertThat(tableSids(exactlyAPage)).hasSize(100);
            assertThat(server.requestCount()).as("the limit is reached with the first page").isEqualTo(1);
        }
    }

    @Test
    void rowsArePrintedAsTheirPageArrivesNotAfterTheWholeListing() throws Exception {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            addShortRecordings(server, 150);
            server.enqueueFault(Fault.latency(Duration.ZERO));
            server.enqueueFault(Fault.latency(Duration.ofSeconds(5))); // the second page is slow
            ByteArrayOutputStream out = new ByteArrayOutputStream(); // synchronized: read while written
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] args = {"list", "--base-url", server.baseUrl().toString()};
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> RecordingsCli.run(args,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                            StandardCharsets.UTF_8), env()));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (out.toString(StandardCharsets.UTF_8).lines().count() < 101 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(out.toString(StandardCharsets.UTF_8).lines()).as("the header and the first page").hasSize(101);
            assertThat(run).as("still waiting for the second page").isNotDone();

            assertThat(run.get(30, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(151);
        }
    }

    @Test
    void aFailingPageEndsTheListingWithItsExitCodeAfterTheRowsAlreadyPrinted() {
        try (RecordingsServer server = RecordingsServer.builder().credentials(PROJECT, TOKEN).start()) {
            addShortRecordings(server, 150);
            server.enqueueFault(Fault.latency(Duration.ZERO));
            server.enqueueFault(Fault.status(400));

            CliRun r = list(server, "--json");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
            assertThat(r.stdout().lines()).hasSize(100);
            assertThat(r.stderr()).startsWith("recordings: error: ").contains("400").hasLineCount(1);
        }
    }

    /** {@code n} one-second recordings a minute apart; their sids newest first. */
    static List<String> addShortRecordings(RecordingsServer server, int n) {
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sids.add(0, server.addRecording(RecordingSpec.create().seed(i).durationSeconds(1)
                    .dateCreated(DAY1.plusMinutes(i))).sid());
        }
        return sids;
    }

    // ----------------------------------------------------------------------------------------------- exit codes

    @Test
    void exit2ForInvalidInputAndNothingIsSent() {
        List<CliRun> runs = List.of(
                list("--since", "yesterday"),
                list("--until", "2026-13-01"),
                list("--since", "7x"),
                list("--since", "2026-03-04", "--until", "2026-03-01"),
                list("--since", "999999w"),
                list("--limit", "0"),
                list("--limit", "many"),
                list("--call", "not-a-uuid"),
                list("--conference", "x"),
                list("--account", "nope"));

        for (CliRun r : runs) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ").hasLineCount(1);
            assertThat(r.stdout()).isEmpty();
        }
        assertThat(runs.get(0).stderr()).contains("--since yesterday is not a date (2026-03-01)", "time ago (12h, 7d)");
        assertThat(runs.get(3).stderr()).contains("--since 2026-03-04 is after --until 2026-03-01");
        assertThat(runs.get(4).stderr()).contains("out of range");
        assertThat(runs.get(5).stderr()).contains("--limit must be at least 1");
        assertThat(runs.get(7).stderr()).contains("--call must be a UUID");
        assertThat(runs.get(8).stderr()).contains("--conference must be a UUID");
        assertThat(testkit.server().requestCount()).isZero();
    }

    @Test
    void exit4ForAWrongTokenAnd2WithoutOne() {
        CliRun wrong = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", "PTwrong"),
                "list", "--base-url", testkit.baseUrl().toString());
        assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(4);
        assertThat(wrong.stdout()).isEmpty();
        assertThat(wrong.stderr()).contains("401").hasLineCount(1);

        CliRun none = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT),
                "list", "--base-url", testkit.baseUrl().toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("SIGNALWIRE_API_TOKEN");
    }
}
