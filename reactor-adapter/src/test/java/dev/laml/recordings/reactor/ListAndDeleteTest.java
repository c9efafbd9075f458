package dev.laml.recordings.reactor;

import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** Listing as a lazy paged Flux, page by page, and deleting. */
class ListAndDeleteTest extends AgainstWireMock {

    private static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    private static final String LIST = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings.json";
    private static final String PAGE_2 = LIST + "?Page=1&PageSize=2&PageToken=PA19e436af-5688-4307-b03b-bdb2b42b8142";
    private static final String LAST_PAGE = "{\"page\": 1, \"page_size\": 2, \"next_page_uri\": null, \"recordings\": ["
            + "{\"sid\": \"3b7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d\", \"status\": \"completed\", \"duration\": \"7\"}]}";

    @BeforeEach
    void stubTwoPages() {
        wm.stubFor(get(urlEqualTo(LIST + "?PageSize=2")).willReturn(json(new String(TestData.fixture("recordings-page.json"),
                StandardCharsets.UTF_8))));
        wm.stubFor(get(urlEqualTo(PAGE_2)).willReturn(json(LAST_PAGE)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body);
    }

    @Test
    void listFollowsNextPageUriOnTheConfiguredBase() {
        List<Recording> all = client.list(ACCOUNT, RecordingQuery.all().pageSize(2)).collectList().block(Duration.ofSeconds(10));

        assertThat(all).extracting(Recording::sid).containsExactly("19e436af-5688-4307-b03b-bdb2b42b8142",
                "2a7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d", "3b7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d");
        wm.verify(1, getRequestedFor(urlEqualTo(LIST + "?PageSize=2")));
        wm.verify(1, getRequestedFor(urlEqualTo(PAGE_2)));
    }

    @Test
    void pagesAreRequestedOnlyWhenDemandReachesThem() throws InterruptedException {
        assertPagesAreRequestedOnlyOnDemand(client.list(ACCOUNT, RecordingQuery.all().pageSize(2)));
    }

    @Test
    void takeThreeFromBigPagesSendsOneRequest() {
        StringBuilder page = new StringBuilder("{\"page\": 0, \"page_size\": 50, \"next_page_uri\": \"" + LIST
                + "?Page=1&PageSize=50&PageToken=PAx\", \"recordings\": [");
        for (int i = 0; i < 50; i++) {
            page.append(i == 0 ? "" : ",").append(String.format("{\"sid\": \"00000000-0000-4000-8000-%012d\"}", i));
        }
        wm.stubFor(get(urlEqualTo(LIST + "?PageSize=50")).willReturn(json(page.append("]}").toString())));

        assertThat(client.list(ACCOUNT, RecordingQuery.all()).take(3).collectList().block(Duration.ofSeconds(10))).hasSize(3);
        assertThat(wm.getAllServeEvents()).hasSize(1);
    }

    @Test
    void takingExactlyAPageNeverAsksForTheNext() throws InterruptedException {
        // take(2) cancels from inside onNext of the page's last recording, with the next page known.
        assertThat(client.list(ACCOUNT, RecordingQuery.all().pageSize(2)).take(2).collectList()
                .block(Duration.ofSeconds(10))).hasSize(2);
        Thread.sleep(300); // a stray request would be sent after the take completed
        assertThat(wm.getAllServeEvents()).hasSize(1);
        wm.verify(0, getRequestedFor(urlEqualTo(PAGE_2)));
    }

    @Test
    void filtersGoOnTheWireInRfc2822() {
        wm.stubFor(get(urlPathEqualTo(LIST)).willReturn(json("{\"recordings\": [], \"next_page_uri\": null}")));

        client.list(ACCOUNT, RecordingQuery.all().pageSize(100)
                        .createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z"))
                        .createdBefore(OffsetDateTime.parse("2026-02-01T12:30:00+01:00"))
                        .callSid("b3877c40-da60-4998-90ad-b792e98472af"))
                .blockLast(Duration.ofSeconds(10));

        String url = wm.getAllServeEvents().get(0).getRequest().getUrl();
        assertThat(url).isEqualTo(LIST + "?PageSize=100"
                + "&DateCreated%3C=Sun%2C%201%20Feb%202026%2011%3A30%3A00%20%2B0000"
                + "&DateCreated%3E=Thu%2C%201%20Jan%202026%2000%3A00%3A00%20%2B0000"
                + "&CallSid=b3877c40-da60-4998-90ad-b792e98472af");
    }

    @Test
    void aNextPageUriOnAnotherHostIsRefused() {
        wm.stubFor(get(urlEqualTo(LIST + "?PageSize=2")).willReturn(json("{\"recordings\": [], \"next_page_uri\": "
                + "\"https://evil.example.com/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings.json?Page=1\"}")));

        StepVerifier.create(client.list(ACCOUNT, RecordingQuery.all().pageSize(2)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("another host"))
                .verify(Duration.ofSeconds(10));
        assertThat(wm.getAllServeEvents()).hasSize(1);
    }

    @Test
    void callersCanPageThemselves() {
        RecordingPage first = client.listPage(ACCOUNT, RecordingQuery.all().pageSize(2)).block(Duration.ofSeconds(10));
        assertThat(first.recordings()).hasSize(2);
        assertThat(first.hasNext()).isTrue();

        RecordingPage second = client.nextPage(ACCOUNT, first).block(Duration.ofSeconds(10));
        assertThat(second.recordings()).hasSize(1);
        assertThat(second.hasNext()).isFalse();
        assertThat(client.nextPage(ACCOUNT, second).blockOptional(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void deleteCompletesOn204AndIsNeverRetried() {
        String path = "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + TestData.RECORDING + ".json";
        wm.stubFor(delete(urlEqualTo(path)).willReturn(aResponse().withStatus(204)));
        StepVerifier.create(client.delete(ACCOUNT, TestData.RECORDING)).verifyComplete();

        wm.stubFor(delete(urlEqualTo(path)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture("error-404.json"))));
        StepVerifier.create(client.delete(ACCOUNT, TestData.RECORDING)).expectError(NotFoundException.class).verify(Duration.ofSeconds(5));

        wm.stubFor(delete(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        StepVerifier.create(client.delete(ACCOUNT, TestData.RECORDING)).expectError(ServerException.class).verify(Duration.ofSeconds(5));
        wm.verify(3, deleteRequestedFor(urlEqualTo(path)));
    }
}
