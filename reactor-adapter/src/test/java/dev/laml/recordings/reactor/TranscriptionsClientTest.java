package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.ServerException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionQuery;
import dev.laml.recordings.TranscriptionStatus;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.time.OffsetDateTime;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transcriptions through the client: lazy paged lists, a recording's list, fetch and delete, their errors. */
class TranscriptionsClientTest extends AgainstWireMock {

    private static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    private static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";
    private static final String SID = "b3877c40-da60-4998-90ad-b792e98472f1";
    private static final String ROOT = "/api/laml/2010-04-01/Accounts/" + ACCOUNT;
    private static final String LIST = ROOT + "/Transcriptions.json";
    private static final String ONE = ROOT + "/Transcriptions/" + SID + ".json";
    private static final String OF_RECORDING = ROOT + "/Recordings/" + RECORDING + "/Transcriptions.json";
    private static final String BASIC = "Basic " + java.util.Base64.getEncoder().encodeToString(
            (TestData.PROJECT + ":" + TestData.TOKEN).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    private static final String PAGE_2 = LIST + "?Page=1&PageSize=2&PageToken=PAx";

    @BeforeEach
    void stubTwoPages() {
        // The next page's uri as the specification shows it: without .json.
        wm.stubFor(get(urlEqualTo(LIST + "?PageSize=2")).willReturn(json(page(0, ROOT + "/Transcriptions?Page=1"
                + "&PageSize=2&PageToken=PAx", sid(1), sid(2)))));
        wm.stubFor(get(urlEqualTo(PAGE_2)).willReturn(json(page(1, null, sid(3)))));
    }

    @Test
    void anAccountListFollowsItsPagesOnTheConfiguredBaseWithCredentials() {
        StepVerifier.create(client.transcriptions(ACCOUNT, TranscriptionQuery.all().pageSize(2)).map(Transcription::sid))
                .expectNext(sid(1), sid(2), sid(3))
                .verifyComplete();

        wm.verify(1, getRequestedFor(urlEqualTo(LIST + "?PageSize=2"))
                .withHeader("Authorization", equalTo(BASIC)));
        wm.verify(1, getRequestedFor(urlEqualTo(PAGE_2)).withHeader("Authorization", equalTo(BASIC)));
    }

    @Test
    void pagesAreRequestedOnlyWhenDemandReachesThem() {
        assertPagesAreRequestedOnlyOnDemand(client.transcriptions(ACCOUNT, TranscriptionQuery.all().pageSize(2)));
    }

    @Test
    void cancellingAfterAPageNeverAsksForTheNext() throws InterruptedException {
        StepVerifier.create(client.transcriptions(ACCOUNT, TranscriptionQuery.all().pageSize(2)))
                .expectNextCount(1)
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        Thread.sleep(300); // a stray request would be sent after the cancel
        wm.verify(0, getRequestedFor(urlEqualTo(PAGE_2)));
    }

    @Test
    void dateFiltersGoOnTheWireInRfc2822() {
        wm.stubFor(get(urlPathEqualTo(LIST)).willReturn(json(page(0, null))));

        StepVerifier.create(client.transcriptions(ACCOUNT, TranscriptionQuery.all()
                        .createdAfter(OffsetDateTime.parse("2026-01-01T00:00:00Z"))))
                .verifyComplete();

        wm.verify(getRequestedFor(urlPathEqualTo(LIST))
                .withQueryParam("DateCreated>", equalTo("Thu, 1 Jan 2026 00:00:00 +0000"))
                .withQueryParam("PageSize", equalTo("50")));
    }

    @Test
    void aRecordingsTranscriptionsAreItsSubresourceAndNoneIsEmpty() {
        wm.stubFor(get(urlEqualTo(OF_RECORDING + "?PageSize=50")).willReturn(json(page(0, null, SID))));
        String bare = "00000000-0000-4000-8000-000000000001";
        wm.stubFor(get(urlEqualTo(ROOT + "/Recordings/" + bare + "/Transcriptions.json?PageSize=50"))
                .willReturn(json(page(0, null))));

        StepVerifier.create(client.recordingTranscriptions(ACCOUNT, RECORDING).map(Transcription::sid))
                .expectNext(SID)
                .verifyComplete();
        StepVerifier.create(client.recordingTranscriptions(ACCOUNT, bare)).verifyComplete();
    }

    @Test
    void fetchDecodesALooseDocument() {
        wm.stubFor(get(urlEqualTo(ONE)).willReturn(json("{\"sid\": \"" + SID + "\", \"recording_sid\": \"" + RECORDING
                + "\", \"duration\": \"12\", \"price\": -0.05, \"status\": \"processing\", \"transcription_text\": "
                + "\"Gr\\u00fc\\u00dfe\", \"extra\": {\"a\": [1]}}")));

        StepVerifier.create(client.fetchTranscription(ACCOUNT, SID))
                .assertNext(t -> {
                    assertThat(t.recordingSid()).isEqualTo(RECORDING);
                    assertThat(t.duration()).isEqualTo(Duration.ofSeconds(12));
                    assertThat(t.price()).isEqualByComparingTo("-0.05");
                    assertThat(t.status()).isEqualTo(TranscriptionStatus.UNKNOWN);
                    assertThat(t.rawStatus()).isEqualTo("processing");
                    assertThat(t.transcriptionText()).isEqualTo("Grüße");
                })
                .verifyComplete();
    }

    @Test
    void errorsAreTyped() {
        wm.stubFor(get(urlEqualTo(ONE)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody(TestData.fixture("error-404.json"))));
        String unauthorized = "00000000-0000-4000-8000-000000000002";
        wm.stubFor(get(urlEqualTo(ROOT + "/Transcriptions/" + unauthorized + ".json")).willReturn(aResponse()
                .withStatus(401).withHeader("Content-Type", "application/json")
                .withBody(TestData.fixture("error-401.json"))));
        String notJson = "00000000-0000-4000-8000-000000000003";
        wm.stubFor(get(urlEqualTo(ROOT + "/Transcriptions/" + notJson + ".json")).willReturn(json("{\"sid\": \"x\"}")));

        StepVerifier.create(client.fetchTranscription(ACCOUNT, SID)).verifyError(NotFoundException.class);
        StepVerifier.create(client.fetchTranscription(ACCOUNT, unauthorized)).verifyError(AuthenticationException.class);
        StepVerifier.create(client.fetchTranscription(ACCOUNT, notJson)).verifyError(UnexpectedResponseException.class);
    }

    @Test
    void aListThatBreaksOffFailsAfterWhatItDelivered() {
        wm.stubFor(get(urlEqualTo(PAGE_2)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        StepVerifier.create(client.transcriptions(ACCOUNT, TranscriptionQuery.all().pageSize(2)))
                .expectNextCount(2)
                .verifyError(TransferException.class);
    }

    @Test
    void aPageOnAnotherHostIsRefusedAndNothingIsSentThere() {
        wm.stubFor(get(urlEqualTo(LIST + "?PageSize=3")).willReturn(json(page(0,
                "https://evil.example.com" + ROOT + "/Transcriptions.json?Page=1", sid(1)))));

        StepVerifier.create(client.transcriptions(ACCOUNT, TranscriptionQuery.all().pageSize(3)))
                .expectNextCount(1)
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("another host"));
    }

    @Test
    void deleteCompletesOn204AndIsNeverRetried() {
        wm.stubFor(delete(urlEqualTo(ONE)).willReturn(aResponse().withStatus(204)));
        String failing = "00000000-0000-4000-8000-000000000004";
        wm.stubFor(delete(urlEqualTo(ROOT + "/Transcriptions/" + failing + ".json"))
                .willReturn(aResponse().withStatus(503)));

        StepVerifier.create(client.deleteTranscription(ACCOUNT, SID)).verifyComplete();
        StepVerifier.create(client.deleteTranscription(ACCOUNT, failing)).verifyError(ServerException.class);

        wm.verify(1, deleteRequestedFor(urlEqualTo(ONE)).withHeader("Authorization", equalTo(BASIC)));
        wm.verify(1, deleteRequestedFor(urlEqualTo(ROOT + "/Transcriptions/" + failing + ".json")));
    }

    @Test
    void fetchIsRetriedOnAServerErrorAsMetadataIs() {
        wm.stubFor(get(urlEqualTo(ONE)).inScenario("flaky").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wm.stubFor(get(urlEqualTo(ONE)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(json("{\"sid\": \"" + SID + "\", \"status\": \"completed\"}")));

        StepVerifier.create(client.fetchTranscription(ACCOUNT, SID).map(Transcription::isCompleted))
                .expectNext(true)
                .verifyComplete();
        wm.verify(2, getRequestedFor(urlEqualTo(ONE)));
    }

    @Test
    void idsAreValidatedAtCallTimeAndNothingIsSent() {
        assertThatThrownBy(() -> client.fetchTranscription(ACCOUNT, "../Recordings/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transcriptionSid");
        assertThatThrownBy(() -> client.deleteTranscription("nope", SID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accountSid");
        assertThatThrownBy(() -> client.recordingTranscriptions(ACCOUNT, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recordingSid");
        assertThatThrownBy(() -> client.transcriptions(ACCOUNT, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void nothingIsSentBeforeSubscription() throws InterruptedException {
        client.fetchTranscription(ACCOUNT, SID);
        client.deleteTranscription(ACCOUNT, SID);
        client.transcriptions(ACCOUNT, TranscriptionQuery.all());
        Thread.sleep(200);
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    private static String sid(int n) {
        return String.format("00000000-0000-4000-8000-%012d", n);
    }

    private static String page(int page, String next, String... sids) {
        StringBuilder out = new StringBuilder("{\"page\": " + page + ", \"page_size\": 2, \"next_page_uri\": "
                + (next == null ? "null" : "\"" + next + "\"") + ", \"transcriptions\": [");
        for (int i = 0; i < sids.length; i++) {
            out.append(i == 0 ? "" : ", ").append("{\"sid\": \"").append(sids[i])
                    .append("\", \"status\": \"completed\", \"transcription_text\": \"text ").append(i).append("\"}");
        }
        return out.append("]}").toString();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body);
    }
}
