package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.laml.recordings.ApiException;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.UnexpectedResponseException;
import dev.laml.recordings.UpdateRecording;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Starting, pausing, resuming and stopping live recordings, and a conference's recordings, against WireMock. */
class LiveRecordingsTest extends AgainstWireMock {

    static final String ACCOUNT = TestData.ACCOUNT;
    static final String CALL = "43bb71ee-553f-4074-bb20-8e2747647cce";
    static final String CONFERENCE = "b3877c40-da60-4998-90ad-b792e98472af";
    static final String RECORDING = TestData.RECORDING;
    static final String ROOT = "/api/laml/2010-04-01/Accounts/" + ACCOUNT;
    static final String CALL_RECORDINGS = ROOT + "/Calls/" + CALL + "/Recordings.json";
    static final String CALL_RECORDING = ROOT + "/Calls/" + CALL + "/Recordings/" + RECORDING + ".json";
    static final String CONFERENCE_RECORDINGS = ROOT + "/Conferences/" + CONFERENCE + "/Recordings";
    static final String CONFERENCE_RECORDING = CONFERENCE_RECORDINGS + "/" + RECORDING + ".json";

    static String recording(String status, String callSid, String conferenceSid) {
        return "{\"sid\": \"" + RECORDING + "\", \"account_sid\": \"" + ACCOUNT + "\", \"api_version\": \"2010-04-01\","
                + " \"call_sid\": " + (callSid == null ? "null" : "\"" + callSid + "\"") + ","
                + " \"conference_sid\": " + (conferenceSid == null ? "null" : "\"" + conferenceSid + "\"") + ","
                + " \"channel\": \"2\", \"channels\": \"2\", \"date_created\": \"Tue, 25 Sep 2018 23:00:00 +0000\","
                + " \"date_updated\": \"Tue, 25 Sep 2018 23:00:00 +0000\", \"start_time\": \"Tue, 25 Sep 2018 23:00:00 +0000\","
                + " \"end_time\": null, \"duration\": 0, \"price\": null, \"price_unit\": \"USD\","
                + " \"source\": \"StartCallRecordingAPI\", \"status\": \"" + status + "\", \"error_code\": null,"
                + " \"uri\": \"" + ROOT + "/Recordings/" + RECORDING + ".json\", \"trim\": \"do-not-trim\"}";
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private LoggedRequest onlyRequest() {
        List<LoggedRequest> all = wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void startRecordingPostsTheFormAndEmitsTheNewRecording() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(201, recording("in-progress", CALL, null))));

        StepVerifier.create(client.startRecording(StartRecording.of(ACCOUNT, CALL)
                        .channels(StartRecording.Channels.DUAL)
                        .track(StartRecording.Track.INBOUND)
                        .statusCallback(URI.create("https://hooks.example.com/r\u00fcck?a=1&b=2"))
                        .statusCallbackEvents(StartRecording.CallbackEvent.IN_PROGRESS, StartRecording.CallbackEvent.COMPLETED)
                        .statusCallbackMethod(StartRecording.CallbackMethod.POST)
                        .trim(true)))
                .assertNext(r -> {
                    assertThat(r.sid()).isEqualTo(RECORDING);
                    assertThat(r.callSid()).isEqualTo(CALL);
                    assertThat(r.status()).isEqualTo(RecordingStatus.IN_PROGRESS);
                    assertThat(r.channels()).isEqualTo(2);
                })
                .verifyComplete();

        LoggedRequest sent = onlyRequest();
        assertThat(sent.getMethod().getName()).isEqualTo("POST");
        assertThat(sent.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(sent.getHeader("Authorization")).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
                (TestData.PROJECT + ":" + TestData.TOKEN).getBytes(StandardCharsets.UTF_8)));
        String form = "RecordingChannels=dual&RecordingStatusCallback=https%3A%2F%2Fhooks.example.com%2Fr%C3%BCck%3Fa%3D1%26b%3D2"
                + "&RecordingStatusCallbackEvent=in-progress+completed&RecordingStatusCallbackMethod=POST"
                + "&RecordingTrack=inbound&Trim=trim-silence";
        assertThat(new String(sent.getBody(), StandardCharsets.US_ASCII)).isEqualTo(form);
        assertThat(sent.getHeader("Content-Length")).isEqualTo(String.valueOf(form.length()));
        assertThat(sent.containsHeader("Transfer-Encoding")).isFalse();
    }

    @Test
    void theShortcutStartsWithTheApiDefaultsAndAnEmptyForm() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(201, recording("in-progress", CALL, null))));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL)).expectNextCount(1).verifyComplete();

        LoggedRequest sent = onlyRequest();
        assertThat(sent.getBody()).isEmpty();
        assertThat(sent.getHeader("Content-Length")).isEqualTo("0");
        assertThat(sent.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    }

    @Test
    void pauseResumeAndStopAreSentAsTheirStatus() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(json(200, recording("paused", CALL, null))));
        RecordingOwner call = RecordingOwner.call(CALL);

        StepVerifier.create(client.updateRecording(UpdateRecording.pause(ACCOUNT, call, RECORDING)
                        .pauseBehavior(UpdateRecording.PauseBehavior.SKIP)))
                .assertNext(r -> assertThat(r.status()).isEqualTo(RecordingStatus.PAUSED))
                .verifyComplete();
        StepVerifier.create(client.updateRecording(ACCOUNT, call, RECORDING, UpdateRecording.Action.RESUME))
                .expectNextCount(1).verifyComplete();
        StepVerifier.create(client.updateRecording(ACCOUNT, call, RECORDING, UpdateRecording.Action.STOP))
                .expectNextCount(1).verifyComplete();

        assertThat(wm.findAll(postRequestedFor(urlEqualTo(CALL_RECORDING))))
                .extracting(r -> new String(r.getBody(), StandardCharsets.US_ASCII))
                .containsExactly("Status=paused&PauseBehavior=skip", "Status=in-progress", "Status=stopped");
    }

    @Test
    void aConferenceRecordingIsUpdatedFetchedAndDeletedUnderTheConference() {
        wm.stubFor(post(urlEqualTo(CONFERENCE_RECORDING)).willReturn(json(200, recording("stopped", null, CONFERENCE))));
        wm.stubFor(get(urlEqualTo(CONFERENCE_RECORDING)).willReturn(json(200, recording("completed", null, CONFERENCE))));
        wm.stubFor(delete(urlEqualTo(CONFERENCE_RECORDING)).willReturn(aResponse().withStatus(204)));

        StepVerifier.create(client.updateRecording(ACCOUNT, RecordingOwner.conference(CONFERENCE), RECORDING,
                        UpdateRecording.Action.STOP))
                .assertNext(r -> assertThat(r.conferenceSid()).isEqualTo(CONFERENCE))
                .verifyComplete();
        StepVerifier.create(client.fetchConferenceRecording(ACCOUNT, CONFERENCE, RECORDING))
                .assertNext(r -> assertThat(r.isCompleted()).isTrue())
                .verifyComplete();
        StepVerifier.create(client.deleteConferenceRecording(ACCOUNT, CONFERENCE, RECORDING)).verifyComplete();

        wm.verify(1, postRequestedFor(urlEqualTo(CONFERENCE_RECORDING)));
        wm.verify(1, getRequestedFor(urlEqualTo(CONFERENCE_RECORDING)));
        wm.verify(1, deleteRequestedFor(urlEqualTo(CONFERENCE_RECORDING)));
    }

    @Test
    void aConferencesRecordingsArePagedLazily() {
        String page1 = "{\"page\": 0, \"page_size\": 1, \"next_page_uri\": \"" + CONFERENCE_RECORDINGS
                + "?Page=1&PageToken=PA5678\", \"recordings\": [" + recording("completed", null, CONFERENCE) + "]}";
        String page2 = "{\"page\": 1, \"page_size\": 1, \"next_page_uri\": null, \"recordings\": ["
                + recording("absent", null, CONFERENCE).replace(RECORDING, TestData.OTHER_RECORDING) + "]}";
        wm.stubFor(get(urlEqualTo(CONFERENCE_RECORDINGS + ".json")).willReturn(json(200, page1)));
        wm.stubFor(get(urlEqualTo(CONFERENCE_RECORDINGS + ".json?Page=1&PageToken=PA5678")).willReturn(json(200, page2)));

        StepVerifier.create(client.conferenceRecordings(ACCOUNT, CONFERENCE), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(200))
                .then(() -> assertThat(wm.getAllServeEvents()).isEmpty())
                .thenRequest(1)
                .assertNext(r -> assertThat(r.sid()).isEqualTo(RECORDING))
                .expectNoEvent(Duration.ofMillis(200))
                .then(() -> assertThat(wm.getAllServeEvents()).hasSize(1))
                .thenRequest(1)
                .assertNext(r -> assertThat(r.rawStatus()).isEqualTo("absent"))
                .verifyComplete();
        assertThat(wm.getAllServeEvents()).hasSize(2);
    }

    @Test
    void anUnknownCallIsANotFoundException() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(404,
                "{\"code\": 20404, \"message\": \"The requested resource was not found\", \"status\": 404}")));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NotFoundException.class)
                        .hasMessageStartingWith("POST " + CALL_RECORDINGS + " failed: HTTP 404")
                        .hasMessageNotContaining(TestData.TOKEN))
                .verify(Duration.ofSeconds(10));
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }

    @Test
    void refusedFieldsAndCredentialsAreTypedErrorsSentOnce() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(json(400,
                "{\"code\": 21220, \"message\": \"Recording is not in progress\", \"status\": 400}")));
        StepVerifier.create(client.updateRecording(ACCOUNT, RecordingOwner.call(CALL), RECORDING, UpdateRecording.Action.STOP))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadRequestException.class)
                        .hasMessageContaining("Recording is not in progress"))
                .verify(Duration.ofSeconds(10));

        wm.stubFor(post(urlEqualTo(CONFERENCE_RECORDING)).willReturn(json(422, "{\"errors\": [\"Status is invalid\"]}")));
        StepVerifier.create(client.updateRecording(ACCOUNT, RecordingOwner.conference(CONFERENCE), RECORDING,
                        UpdateRecording.Action.PAUSE))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ApiException.class, api -> {
                    assertThat(api.httpStatus()).isEqualTo(422);
                    assertThat(api.serverMessage()).isEqualTo("Status is invalid");
                }))
                .verify(Duration.ofSeconds(10));

        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(401,
                "{\"code\": 20003, \"message\": \"Authentication failed\", \"status\": 401}")));
        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectError(AuthenticationException.class)
                .verify(Duration.ofSeconds(10));

        assertThat(wm.getAllServeEvents()).hasSize(3);
    }

    @Test
    void aRedirectAnswerToAWriteIsNotFollowed() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(aResponse().withStatus(307)
                .withHeader("Location", CALL_RECORDINGS + "?moved")));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(UnexpectedResponseException.class)
                        .hasMessageContaining("redirect not followed"))
                .verify(Duration.ofSeconds(10));
        assertThat(wm.getAllServeEvents()).hasSize(1);
    }

    @Test
    void aSuccessBodyThatIsNotARecordingIsAnUnexpectedResponse() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")));

        StepVerifier.create(client.startRecording(ACCOUNT, CALL))
                .expectError(UnexpectedResponseException.class)
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void invalidIdsThrowAtCallTimeAndNothingIsSent() {
        assertThatIllegalArgumentException().isThrownBy(() -> client.startRecording(ACCOUNT, "../Calls"));
        assertThatIllegalArgumentException().isThrownBy(() -> client.startRecording(null));
        assertThatIllegalArgumentException().isThrownBy(() -> client.updateRecording(null));
        assertThatIllegalArgumentException().isThrownBy(() -> client.updateRecording(ACCOUNT, null, RECORDING,
                UpdateRecording.Action.STOP));
        assertThatIllegalArgumentException().isThrownBy(() -> client.updateRecording(ACCOUNT, RecordingOwner.call(CALL),
                "x", UpdateRecording.Action.STOP));
        assertThatIllegalArgumentException().isThrownBy(() -> client.conferenceRecordings(ACCOUNT, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> client.fetchConferenceRecording(ACCOUNT, CONFERENCE, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> client.deleteConferenceRecording("x", CONFERENCE, RECORDING));
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void nothingIsSentBeforeSubscriptionAndEachSubscriptionSendsItsOwnRequest() throws InterruptedException {
        wm.stubFor(post(urlEqualTo(CALL_RECORDINGS)).willReturn(json(201, recording("in-progress", CALL, null))));
        var start = client.startRecording(ACCOUNT, CALL);
        Thread.sleep(100);
        assertThat(wm.getAllServeEvents()).isEmpty();

        Recording first = start.block(Duration.ofSeconds(10));
        Recording second = start.block(Duration.ofSeconds(10));
        assertThat(first).isEqualTo(second);
        wm.verify(2, postRequestedFor(urlEqualTo(CALL_RECORDINGS)));
    }
}
