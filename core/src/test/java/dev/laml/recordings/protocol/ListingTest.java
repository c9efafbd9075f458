package dev.laml.recordings.protocol;

import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.LocalDate;
import java.time.OffsetDateTime;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixture;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.noHeaders;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listing and deleting: what goes on the wire, how pages continue, what answers mean. */
class ListingTest {

    private static final String ORIGIN = "https://example.signalwire.com";
    private static final String LIST = "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings.json";

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).build();

    @Test
    void aListRequestCarriesTheFiltersInRfc2822AndCredentials() {
        ApiRequest r = protocol.list(ACCOUNT_SID, RecordingQuery.all().pageSize(1000)
                .createdOn(LocalDate.parse("2026-03-04"))
                .createdAfter(OffsetDateTime.parse("2026-03-04T08:00:00+02:00"))
                .conferenceSid("8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d"));

        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.uri()).isEqualTo(URI.create(ORIGIN + LIST + "?PageSize=1000&DateCreated=2026-03-04"
                + "&DateCreated%3E=Wed%2C%204%20Mar%202026%2006%3A00%3A00%20%2B0000"
                + "&ConferenceSid=8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d"));
        assertThat(r.headers()).containsEntry("Authorization", "Basic " + BASIC_B64);
    }

    @Test
    void queriesValidateAtCallTime() {
        assertThatThrownBy(() -> RecordingQuery.all().pageSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingQuery.all().pageSize(1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordingQuery.all().callSid("../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callSid");
        assertThatThrownBy(() -> protocol.list("nope", RecordingQuery.all())).isInstanceOf(IllegalArgumentException.class);
        assertThat(RecordingQuery.all().pageSize(10)).isEqualTo(RecordingQuery.all().pageSize(10))
                .isNotEqualTo(RecordingQuery.all());
    }

    @Test
    void theFixturePageDecodesAndContinuesOnTheConfiguredBase() {
        ApiRequest first = protocol.list(ACCOUNT_SID, RecordingQuery.all().pageSize(2));
        RecordingPage page = protocol.decodePage(first, 200, "OK", json(), fixture("recordings-page.json"));

        assertThat(page.recordings()).hasSize(2);
        assertThat(page.page()).isZero();
        assertThat(page.pageSize()).isEqualTo(2);
        assertThat(page.hasNext()).isTrue();

        ApiRequest next = protocol.nextPage(first, page.nextPageUri());
        assertThat(next.uri()).isEqualTo(URI.create(ORIGIN + LIST
                + "?Page=1&PageSize=2&PageToken=PA19e436af-5688-4307-b03b-bdb2b42b8142"));
        assertThat(next.headers()).isEqualTo(first.headers());
    }

    @Test
    void aNextPageUriWithoutTheApiPrefixOrJsonSuffixIsRestored() {
        ApiRequest first = protocol.list(ACCOUNT_SID, RecordingQuery.all());
        assertThat(protocol.nextPage(first, "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings.json?Page=2").uri())
                .isEqualTo(URI.create(ORIGIN + LIST + "?Page=2"));
        assertThat(protocol.nextPage(first, ORIGIN + "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings?Page=2").uri())
                .isEqualTo(URI.create(ORIGIN + LIST + "?Page=2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://evil.example.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings.json?Page=1",
            "http://example.signalwire.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings.json",
            "/api/laml/2010-04-01/Accounts/5d0d1b3e-6c8a-4f0e-9a51-2f7c1e0b9d44/Recordings.json?Page=1",
            "/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Calls.json?Page=1",
            "/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/../Calls.json",
            "not a uri at all",
            "/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings.json?a=%0d%0aX:1 b"})
    void aNextPageUriElsewhereIsRefused(String nextPageUri) {
        ApiRequest first = protocol.list(ACCOUNT_SID, RecordingQuery.all());
        assertThatThrownBy(() -> protocol.nextPage(first, nextPageUri))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("paging stopped");
    }

    @Test
    void aPageThatIsNotAnEnvelopeOrAnErrorIsTyped() {
        ApiRequest first = protocol.list(ACCOUNT_SID, RecordingQuery.all());
        assertThatThrownBy(() -> protocol.decodePage(first, 200, "OK", json(), utf8("{\"page\": 0}")))
                .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("not a recordings list");
        assertThatThrownBy(() -> protocol.decodePage(first, 404, "Not Found", json(), fixture("error-404.json")))
                .isInstanceOf(NotFoundException.class);
        assertThat(protocol.decodePage(first, 200, "OK", json(), utf8("{\"recordings\": [], \"next_page_uri\": null}"))
                .hasNext()).isFalse();
    }

    @Test
    void deleteIsADeleteOnTheJsonResourceWithCredentials() {
        ApiRequest d = protocol.delete(ACCOUNT_SID, RECORDING_SID);
        assertThat(d.method()).isEqualTo("DELETE");
        assertThat(d.uri().getPath()).isEqualTo("/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/" + RECORDING_SID + ".json");
        assertThat(d.isAuthenticated()).isTrue();

        protocol.checkDeleted(d, 204, "No Content", noHeaders(), new byte[0]);
        assertThatThrownBy(() -> protocol.checkDeleted(d, 404, "Not Found", json(), fixture("error-404.json")))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> protocol.delete(ACCOUNT_SID, "../" + RECORDING_SID)).isInstanceOf(IllegalArgumentException.class);
    }
}
