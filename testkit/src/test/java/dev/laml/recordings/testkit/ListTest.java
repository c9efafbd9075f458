package dev.laml.recordings.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The list endpoint: envelope, order, paging, filters, validation and auth. */
@Timeout(60)
class ListTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MORE_INFO = "https://signalwire.com/docs/compatibility-api/reference/errors";

    @RegisterExtension
    final RecordingsServerExtension extension = new RecordingsServerExtension();
    private final HttpClient client = Http.client();
    private RecordingsServer server;
    private String path;

    @BeforeEach
    void setUp() {
        server = extension.server();
        path = "/api/laml/2010-04-01/Accounts/" + server.accountSid() + "/Recordings";
    }

    // ------------------------------------------------------------------------------------------------ paging

    @Test
    void pagesSevenRecordingsThreeAtATimeNewestFirstTiesBySid() {
        OffsetDateTime t = OffsetDateTime.parse("2024-03-01T12:00:00Z");
        // Added out of order; two pairs share a date_created second (sub-second parts are not rendered).
        add("e0000000-0000-4000-8000-000000000000", t.minusHours(4));
        add("a0000000-0000-4000-8000-000000000000", t);
        add("d0000000-0000-4000-8000-000000000000", t.minusHours(2).plusNanos(900_000_000));
        add("c0000000-0000-4000-8000-000000000000", t.minusHours(2));
        add("f0000000-0000-4000-8000-000000000000", t.minusHours(1));
        add("B0000000-0000-4000-8000-000000000000", t.minusHours(1));
        add("10000000-0000-4000-8000-000000000000", t.minusDays(30));
        List<String> expected = List.of(
                "a0000000-0000-4000-8000-000000000000",
                "B0000000-0000-4000-8000-000000000000",
                "f0000000-0000-4000-8000-000000000000",
                "c0000000-0000-4000-8000-000000000000",
                "d0000000-0000-4000-8000-000000000000",
                "e0000000-0000-4000-8000-000000000000",
                "10000000-0000-4000-8000-000000000000");

        List<JsonNode> pages = new ArrayList<>();
        String next = path + ".json?PageSize=3";
        while (next != null) {
            JsonNode page = ok(next);
            pages.add(page);
            next = page.get("next_page_uri").isNull() ? null : page.get("next_page_uri").asText();
        }

        assertThat(pages).extracting(p -> p.get("recordings").size()).containsExactly(3, 3, 1);
        assertThat(pages).extracting(p -> p.get("page").asInt()).containsExactly(0, 1, 2);
        assertThat(pages).extracting(p -> p.get("page_size").asInt()).containsExactly(3, 3, 3);
        List<String> seen = new ArrayList<>();
        pages.forEach(p -> p.get("recordings").forEach(r -> seen.add(r.get("sid").asText())));
        assertThat(seen).containsExactlyElementsOf(expected); // no duplicates, no gaps, in order

        assertThat(pages.get(0).get("uri").asText()).isEqualTo(path + "?Page=0&PageSize=3");
        assertThat(pages.get(0).get("first_page_uri").asText()).isEqualTo(path + "?Page=0&PageSize=3");
        assertThat(pages.get(0).get("previous_page_uri").isNull()).isTrue();
        assertThat(pages.get(0).get("next_page_uri").asText())
                .isEqualTo(path + "?Page=1&PageSize=3&PageToken=PA" + expected.get(2));
        assertThat(pages.get(1).get("uri").asText()).isEqualTo(pages.get(0).get("next_page_uri").asText());
        assertThat(pages.get(1).get("next_page_uri").asText())
                .isEqualTo(path + "?Page=2&PageSize=3&PageToken=PA" + expected.get(5));
        assertThat(pages.get(2).get("next_page_uri").isNull()).isTrue();
        assertThat(pages).allSatisfy(p ->
                assertThat(p.get("first_page_uri").asText()).isEqualTo(path + "?Page=0&PageSize=3"));

        // previous_page_uri leads back to exactly the page before.
        JsonNode back = ok(pages.get(2).get("previous_page_uri").asText());
        assertThat(sids(back)).containsExactlyElementsOf(expected.subList(3, 6));
        assertThat(back.get("page").asInt()).isEqualTo(1);
        JsonNode first = ok(back.get("previous_page_uri").asText());
        assertThat(sids(first)).containsExactlyElementsOf(expected.subList(0, 3));
        assertThat(first.get("previous_page_uri").isNull()).isTrue();

        // Page without a token is an offset, as on the API.
        assertThat(sids(ok(path + ".json?PageSize=3&Page=1"))).containsExactlyElementsOf(expected.subList(3, 6));
        assertThat(sids(ok(path + ".json?PageSize=3&Page=7"))).isEmpty();
        // Each element is exactly the single-recording JSON.
        JsonNode all = ok(path + ".json");
        assertThat(all.get("page_size").asInt()).isEqualTo(50);
        for (JsonNode r : all.get("recordings")) {
            assertThat(r).isEqualTo(parse(server.recording(r.get("sid").asText()).json()));
        }
    }

    @Test
    void aTokenStaysValidWhenItsRecordingIsDeletedBetweenPages() {
        OffsetDateTime t = OffsetDateTime.parse("2024-03-01T12:00:00Z");
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sids.add(add("0000000" + i + "-0000-4000-8000-000000000000", t.minusMinutes(i)).sid());
        }
        JsonNode page0 = ok(path + ".json?PageSize=2");
        assertThat(sids(page0)).containsExactlyElementsOf(sids.subList(0, 2));
        // The recording the token names, and a recording not yet listed, disappear.
        assertThat(server.removeRecording(sids.get(1))).isTrue();
        assertThat(server.removeRecording(sids.get(3))).isTrue();
        // Another one appears before the cursor: it is not listed again on later pages.
        add("ffffffff-0000-4000-8000-000000000000", t.plusHours(1));

        JsonNode page1 = ok(page0.get("next_page_uri").asText());
        assertThat(sids(page1)).containsExactly(sids.get(2), sids.get(4));
        JsonNode page2 = ok(page1.get("next_page_uri").asText());
        assertThat(sids(page2)).containsExactly(sids.get(5));
        assertThat(page2.get("next_page_uri").isNull()).isTrue();
    }

    // ----------------------------------------------------------------------------------------------- filters

    @Test
    void dateCreatedSelectsOneUtcDay() {
        add("00000000-0000-4000-8000-000000000001", OffsetDateTime.parse("2018-09-24T23:59:59Z"));
        add("00000000-0000-4000-8000-000000000002", OffsetDateTime.parse("2018-09-25T00:00:00Z"));
        add("00000000-0000-4000-8000-000000000003", OffsetDateTime.parse("2018-09-26T01:30:00+02:00")); // 25th UTC
        add("00000000-0000-4000-8000-000000000004", OffsetDateTime.parse("2018-09-25T23:59:59Z"));
        add("00000000-0000-4000-8000-000000000005", OffsetDateTime.parse("2018-09-26T00:00:00Z"));

        JsonNode day = ok(path + ".json?DateCreated=2018-09-25");
        assertThat(sids(day)).containsExactly("00000000-0000-4000-8000-000000000004",
                "00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000002");
        assertThat(day.get("uri").asText()).isEqualTo(path + "?Page=0&PageSize=50&DateCreated=2018-09-25");
        // An exact date-time selects that second.
        assertThat(sids(ok(path + ".json?DateCreated=Tue%2C%2025%20Sep%202018%2023%3A59%3A59%20%2B0000")))
                .containsExactly("00000000-0000-4000-8000-000000000004");
        assertThat(sids(ok(path + ".json?DateCreated=2018-09-27"))).isEmpty();
    }

    @Test
    void beforeAndAfterAreInclusiveInEverySpellingAndEncoding() {
        add("00000000-0000-4000-8000-000000000001", OffsetDateTime.parse("2018-09-24T12:00:00Z"));
        add("00000000-0000-4000-8000-000000000002", OffsetDateTime.parse("2018-09-25T22:00:00Z"));
        add("00000000-0000-4000-8000-000000000003", OffsetDateTime.parse("2018-09-25T23:00:00Z"));
        add("00000000-0000-4000-8000-000000000004", OffsetDateTime.parse("2018-09-26T00:00:00Z"));
        String s1 = "00000000-0000-4000-8000-000000000001";
        String s2 = "00000000-0000-4000-8000-000000000002";
        String s3 = "00000000-0000-4000-8000-000000000003";
        String s4 = "00000000-0000-4000-8000-000000000004";
        String rfc2822 = "Tue%2C%2025%20Sep%202018%2022%3A00%3A00%20%2B0000"; // Tue, 25 Sep 2018 22:00:00 +0000

        for (String before : List.of("DateCreated%3C", "DateCreated%3C%3D", "DateCreated<")) {
            String name = before.equals("DateCreated<") ? "DateCreated%3C" : before; // URI needs '<' encoded
            assertThat(sids(ok(path + ".json?" + name + "=2018-09-25"))).as(before).containsExactly(s3, s2, s1);
            assertThat(sids(ok(path + ".json?" + name + "=" + rfc2822))).as(before).containsExactly(s2, s1);
        }
        for (String after : List.of("DateCreated%3E", "DateCreated%3E%3D")) {
            assertThat(sids(ok(path + ".json?" + after + "=2018-09-25"))).as(after).containsExactly(s4, s3, s2);
            assertThat(sids(ok(path + ".json?" + after + "=" + rfc2822))).as(after).containsExactly(s4, s3, s2);
        }
        // A range, form-encoded ('+' for spaces, %2B for the offset's plus sign).
        assertThat(sids(ok(path + ".json?DateCreated%3E=2018-09-25&DateCreated%3C="
                + "Tue,+25+Sep+2018+23:00:00+%2B0000"))).containsExactly(s3, s2);
        // A client that left the offset's '+' unencoded (it decodes as a space) is understood too.
        assertThat(sids(ok(path + ".json?DateCreated%3E=Tue,%2025%20Sep%202018%2022:30:00%20+0000")))
                .containsExactly(s4, s3);
        // ISO 8601 is accepted as well.
        assertThat(sids(ok(path + ".json?DateCreated%3E%3D=2018-09-25T23:00:00Z"))).containsExactly(s4, s3);
    }

    @Test
    void rawUnencodedComparisonsAreAcceptedToo() {
        add("00000000-0000-4000-8000-000000000001", OffsetDateTime.parse("2018-09-24T12:00:00Z"));
        add("00000000-0000-4000-8000-000000000002", OffsetDateTime.parse("2018-09-25T22:00:00Z"));
        add("00000000-0000-4000-8000-000000000003", OffsetDateTime.parse("2018-09-26T00:00:00Z"));

        // The JDK client cannot send '<' unencoded (java.net.URI rejects it), so write the request line by hand.
        RawResponse before = rawGet(path + ".json?DateCreated<=2018-09-25&PageSize=1");
        assertThat(before.status).isEqualTo(200);
        JsonNode page = parse(before.body);
        assertThat(sids(page)).containsExactly("00000000-0000-4000-8000-000000000002");
        // The next page carries the filter, encoded.
        assertThat(page.get("next_page_uri").asText()).isEqualTo(path
                + "?Page=1&PageSize=1&DateCreated%3C=2018-09-25&PageToken=PA00000000-0000-4000-8000-000000000002");
        assertThat(sids(ok(page.get("next_page_uri").asText())))
                .containsExactly("00000000-0000-4000-8000-000000000001");

        assertThat(sids(parse(rawGet(path + ".json?DateCreated>=2018-09-25").body)))
                .containsExactly("00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000002");
        // "DateCreated>=" followed by its own '=': the name is "DateCreated>", the value "=2018-09-26".
        assertThat(sids(parse(rawGet(path + ".json?DateCreated>==2018-09-26").body)))
                .containsExactly("00000000-0000-4000-8000-000000000003");
        assertThat(sids(parse(rawGet(path + ".json?DateCreated<==2018-09-24").body)))
                .containsExactly("00000000-0000-4000-8000-000000000001");
        assertThat(sids(parse(rawGet(path + ".json?DateCreated<=Tue,%2025%20Sep%202018%2022:00:00%20+0000").body)))
                .containsExactly("00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000001");
        // A malformed escape is a 400, not a 500.
        RawResponse malformed = rawGet(path + ".json?DateCreated=%zz");
        assertThat(malformed.status).isEqualTo(400);
        assertThat(parse(malformed.body).get("code").asInt()).isEqualTo(20001);
    }

    @Test
    void callSidAndConferenceSidFilterAndTravelWithThePages() {
        String call = "aaaaaaaa-0000-4000-8000-000000000000";
        String conference = "cccccccc-0000-4000-8000-000000000000";
        OffsetDateTime t = OffsetDateTime.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < 3; i++) {
            server.addRecording(RecordingSpec.create().sid("0000000" + i + "-0000-4000-8000-00000000000a")
                    .callSid(call).dateCreated(t.minusMinutes(i)));
        }
        server.addRecording(RecordingSpec.create().sid("00000000-0000-4000-8000-00000000000b")
                .callSid(null).conferenceSid(conference).dateCreated(t));
        server.addRecording(RecordingSpec.create().sid("00000000-0000-4000-8000-00000000000c").dateCreated(t));

        JsonNode byCall = ok(path + ".json?CallSid=" + call.toUpperCase() + "&PageSize=2");
        assertThat(sids(byCall)).containsExactly("00000000-0000-4000-8000-00000000000a",
                "00000001-0000-4000-8000-00000000000a");
        assertThat(byCall.get("next_page_uri").asText()).isEqualTo(path + "?Page=1&PageSize=2&CallSid="
                + call.toUpperCase() + "&PageToken=PA00000001-0000-4000-8000-00000000000a");
        assertThat(sids(ok(byCall.get("next_page_uri").asText())))
                .containsExactly("00000002-0000-4000-8000-00000000000a");

        JsonNode byConference = ok(path + ".json?ConferenceSid=" + conference);
        assertThat(sids(byConference)).containsExactly("00000000-0000-4000-8000-00000000000b");
        assertThat(byConference.get("recordings").get(0).get("conference_sid").asText()).isEqualTo(conference);
        assertThat(byConference.get("recordings").get(0).get("call_sid").isNull()).isTrue();

        assertThat(sids(ok(path + ".json?CallSid=" + call + "&ConferenceSid=" + conference))).isEmpty();
        assertThat(sids(ok(path + ".json?CallSid=nobody"))).isEmpty();
        // Unknown parameters are ignored, as the API does.
        assertThat(sids(ok(path + ".json?Foo=bar"))).hasSize(5);
    }

    @Test
    void onlyTheAccountInThePathIsListed() {
        server.addRecording();
        server.addRecording(RecordingSpec.create().accountSid("11111111-1111-4111-8111-111111111111"));
        assertThat(sids(ok(path + ".json"))).hasSize(1);
        assertThat(sids(ok("/api/laml/2010-04-01/Accounts/11111111-1111-4111-8111-111111111111/Recordings.json")))
                .hasSize(1);
        assertThat(sids(ok("/api/laml/2010-04-01/Accounts/22222222-1111-4111-8111-111111111111/Recordings.json")))
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------ validation, auth

    @Test
    void pageSizeMustBeOneToAThousand() {
        server.addRecordings(3, 42);
        HttpResponse<byte[]> tooLarge = get(path + ".json?PageSize=1001", true);
        assertThat(tooLarge.statusCode()).isEqualTo(400);
        assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Http.text(tooLarge)).isEqualTo("{\"code\": 30010, \"message\": \"Page size is too large\", "
                + "\"more_info\": \"" + MORE_INFO + "\", \"status\": 400}");
        assertThat(get(path + ".json?PageSize=99999999999999999999999", true).statusCode()).isEqualTo(400);

        for (String bad : List.of("PageSize=0", "PageSize=-1", "PageSize=ten", "Page=-1", "Page=x",
                "PageToken=nonsense", "PageToken=PA00000000-0000-4000-8000-00000000dead", "DateCreated=yesterday",
                "DateCreated%3C=2018-13-01")) {
            HttpResponse<byte[]> response = get(path + ".json?" + bad, true);
            assertThat(response.statusCode()).as(bad + Http.text(response)).isEqualTo(400);
            JsonNode error = parse(Http.text(response));
            assertThat(error.get("code").asInt()).as(bad).isEqualTo(20001);
            assertThat(error.get("status").asInt()).as(bad).isEqualTo(400);
        }

        assertThat(ok(path + ".json?PageSize=1000").get("page_size").asInt()).isEqualTo(1000);
        JsonNode one = ok(path + ".json?PageSize=1");
        assertThat(one.get("page_size").asInt()).isEqualTo(1);
        assertThat(one.get("recordings").size()).isEqualTo(1);
    }

    @Test
    void listingRequiresBasicAuthOnBothSpellings() {
        server.addRecording();
        for (String p : List.of(path + ".json", path, path + ".json?PageSize=1001")) {
            HttpResponse<byte[]> missing = get(p, false);
            assertThat(missing.statusCode()).as(p).isEqualTo(401);
            assertThat(Http.text(missing)).isEqualTo(ServingTest.AUTH_FAILED);
            HttpResponse<byte[]> wrong = Http.get(client, server.baseUrl().resolve(p),
                    "Authorization", Http.basic(server.projectId(), "wrong"));
            assertThat(wrong.statusCode()).as(p).isEqualTo(401);
        }
        assertThat(sids(ok(path))).hasSize(1); // the extension-less form of the *_uri fields lists too
        HttpResponse<byte[]> head = Http.send(client, Http.request(server.baseUrl().resolve(path + ".json"),
                "Authorization", Http.basic(server)).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void queuedFaultsApplyToTheList() {
        server.addRecording();
        server.enqueueFault(Fault.rateLimited(java.time.Duration.ofSeconds(2)));
        HttpResponse<byte[]> limited = get(path + ".json", true);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(sids(ok(path + ".json"))).hasSize(1);
        assertThat(server.requestCount(path + ".json")).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------- fixture

    @Test
    void theEnvelopeMatchesTheApiFixture() throws IOException {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/recordings-page.json")) {
            fixture = MAPPER.readTree(in);
        }
        String account = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
        // The fixture's two recordings, and an older third so that there is a next page.
        server.addRecording(RecordingSpec.create().accountSid(account).sid("19e436af-5688-4307-b03b-bdb2b42b8142")
                .callSid("b3877c40-da60-4998-90ad-b792e98472af").durationSeconds(4).source("DialVerb")
                .dateCreated(OffsetDateTime.parse("2018-09-25T23:00:00Z"))
                .dateUpdated(OffsetDateTime.parse("2018-09-26T23:00:04Z"))
                .startTime(null).endTime(null).price(new BigDecimal("-0.0025")));
        server.addRecording(RecordingSpec.create().accountSid(account).sid("2a7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d")
                .callSid("c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f").durationSeconds(9).channels(2)
                .dateCreated(OffsetDateTime.parse("2018-09-25T22:00:00Z"))
                .dateUpdated(OffsetDateTime.parse("2018-09-25T22:00:09Z"))
                .price(new BigDecimal("-0.0050")));
        server.addRecording(RecordingSpec.create().accountSid(account)
                .dateCreated(OffsetDateTime.parse("2018-09-25T21:00:00Z")));

        String listPath = "/api/laml/2010-04-01/Accounts/" + account + "/Recordings";
        JsonNode page = ok(listPath + ".json?PageSize=2");

        assertThat(fieldNames(page)).containsExactlyElementsOf(fieldNames(fixture));
        assertSameTypes(page, fixture, "");
        for (String field : List.of("uri", "first_page_uri", "previous_page_uri", "page", "page_size")) {
            assertThat(page.get(field)).as(field).isEqualTo(fixture.get(field));
        }
        // Same layout; the token names the last recording of the page (the fixture's is opaque to clients).
        assertThat(page.get("next_page_uri").asText())
                .isEqualTo(listPath + "?Page=1&PageSize=2&PageToken=PA2a7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d");
        assertThat(fixture.get("next_page_uri").asText()).startsWith(listPath + "?Page=1&PageSize=2&PageToken=PA");

        assertThat(page.get("recordings").size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            JsonNode ours = page.get("recordings").get(i);
            JsonNode theirs = fixture.get("recordings").get(i);
            assertThat(fieldNames(ours)).containsExactlyElementsOf(fieldNames(theirs));
            for (Map.Entry<String, JsonNode> field : theirs.properties()) {
                if (field.getKey().equals("trim")) {
                    continue; // the testkit always renders "do-not-trim"
                }
                assertThat(ours.get(field.getKey())).as(i + "." + field.getKey()).isEqualTo(field.getValue());
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private TestRecording add(String sid, OffsetDateTime created) {
        return server.addRecording(RecordingSpec.create().sid(sid).dateCreated(created).durationSeconds(1));
    }

    private HttpResponse<byte[]> get(String pathAndQuery, boolean auth) {
        URI uri = URI.create(server.baseUrl() + pathAndQuery);
        return auth ? Http.get(client, uri, "Authorization", Http.basic(server)) : Http.get(client, uri);
    }

    private JsonNode ok(String pathAndQuery) {
        HttpResponse<byte[]> response = get(pathAndQuery, true);
        assertThat(response.statusCode()).as(pathAndQuery + ": " + Http.text(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return parse(Http.text(response));
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> sids(JsonNode page) {
        List<String> sids = new ArrayList<>();
        page.get("recordings").forEach(r -> sids.add(r.get("sid").asText()));
        return sids;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every field of {@code expected} has the same JSON type in {@code actual} (nulls and arrays' first elements). */
    private static void assertSameTypes(JsonNode actual, JsonNode expected, String where) {
        assertThat(actual.getNodeType()).as(where).isEqualTo(expected.getNodeType());
        if (expected.isObject()) {
            expected.properties().forEach(f ->
                    assertSameTypes(actual.get(f.getKey()), f.getValue(), where + "." + f.getKey()));
        } else if (expected.isArray() && expected.size() > 0 && actual.size() > 0) {
            assertSameTypes(actual.get(0), expected.get(0), where + "[0]");
        }
    }

    private record RawResponse(int status, String body) {
    }

    /** A GET written byte for byte, so that the target can hold characters {@link URI} would reject. */
    private RawResponse rawGet(String target) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nAuthorization: "
                    + Http.basic(server) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(received);
            String text = received.toString(StandardCharsets.UTF_8);
            int headersEnd = text.indexOf("\r\n\r\n");
            int status = Integer.parseInt(text.substring(9, 12));
            return new RawResponse(status, text.substring(headersEnd + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
