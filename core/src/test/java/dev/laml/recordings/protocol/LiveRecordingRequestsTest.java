package dev.laml.recordings.protocol;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.BadRequestException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingOwner;
import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.StartRecording;
import dev.laml.recordings.StartRecording.CallbackEvent;
import dev.laml.recordings.StartRecording.CallbackMethod;
import dev.laml.recordings.StartRecording.Channels;
import dev.laml.recordings.StartRecording.Track;
import dev.laml.recordings.UpdateRecording;
import dev.laml.recordings.UpdateRecording.Action;
import dev.laml.recordings.UpdateRecording.PauseBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.PROJECT;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixture;
import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LiveRecordingsProtocol: the requests that start, pause, resume and stop a recording, and what their answers mean. */
class LiveRecordingRequestsTest {

    private static final String CALL = "43bb71ee-553f-4074-bb20-8e2747647cce";
    private static final String CONFERENCE = "b3877c40-da60-4998-90ad-b792e98472af";
    private static final String ACCOUNT = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID;
    private static final String AUTHORIZATION = "Basic " + java.util.Base64.getEncoder()
            .encodeToString((PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));

    private final RecordingsProtocol recordings = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).build();
    private final LiveRecordingsProtocol live = LiveRecordingsProtocol.of(recordings);

    @Test
    void startIsAPostOfAnEmptyFormWhenNothingIsSet() {
        ApiRequest request = live.start(StartRecording.of(ACCOUNT_SID, CALL));

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.isWrite()).isTrue();
        assertThat(request.uri()).isEqualTo(URI.create(ACCOUNT + "/Calls/" + CALL + "/Recordings.json"));
        assertThat(request.headers()).containsEntry("Content-Type", "application/x-www-form-urlencoded")
                .containsEntry("Content-Length", "0").containsEntry("Authorization", AUTHORIZATION)
                .containsEntry("Accept", "application/json");
        assertThat(request.hasBody()).isFalse();
        assertThat(request.body()).isEmpty();
    }

    @Test
    void startSendsEveryFieldUnderSignalWiresNamesInTheSpecsOrder() {
        ApiRequest request = live.start(StartRecording.of(ACCOUNT_SID, CALL)
                .trim(true)
                .track(Track.INBOUND)
                .statusCallbackMethod(CallbackMethod.GET)
                .statusCallbackEvents(CallbackEvent.ABSENT, CallbackEvent.IN_PROGRESS, CallbackEvent.COMPLETED)
                .statusCallback(URI.create("https://hooks.example.com/recordings"))
                .channels(Channels.DUAL));

        String form = LiveRecordingsProtocol.formOf(request);
        assertThat(form).isEqualTo("RecordingChannels=dual"
                + "&RecordingStatusCallback=https%3A%2F%2Fhooks.example.com%2Frecordings"
                + "&RecordingStatusCallbackEvent=in-progress+completed+absent"
                + "&RecordingStatusCallbackMethod=GET"
                + "&RecordingTrack=inbound"
                + "&Trim=trim-silence");
        assertThat(request.headers()).containsEntry("Content-Length", String.valueOf(form.length()));
    }

    @Test
    void eachEnumSendsItsWireValue() {
        assertThat(form(StartRecording.of(ACCOUNT_SID, CALL).channels(Channels.MONO).track(Track.OUTBOUND).trim(false)))
                .isEqualTo("RecordingChannels=mono&RecordingTrack=outbound&Trim=do-not-trim");
        assertThat(form(StartRecording.of(ACCOUNT_SID, CALL).track(Track.BOTH)
                .statusCallback(URI.create("http://127.0.0.1:8080/cb")).statusCallbackMethod(CallbackMethod.POST)
                .statusCallbackEvents(CallbackEvent.COMPLETED)))
                .isEqualTo("RecordingStatusCallback=http%3A%2F%2F127.0.0.1%3A8080%2Fcb"
                        + "&RecordingStatusCallbackEvent=completed&RecordingStatusCallbackMethod=POST&RecordingTrack=both");
    }

    @Test
    void aCallbackUrlWithNonAsciiAndReservedCharactersIsEncodedExactlyAsUtf8() {
        URI callback = URI.create("https://hooks.example.com/r\u00fcckruf/\u65e5\u672c?a=1&b=x+y%20z&c=~*'!#frag");
        String form = form(StartRecording.of(ACCOUNT_SID, CALL).statusCallback(callback));

        assertThat(form).isEqualTo("RecordingStatusCallback=https%3A%2F%2Fhooks.example.com%2Fr%C3%BCckruf%2F"
                + "%E6%97%A5%E6%9C%AC%3Fa%3D1%26b%3Dx%2By%2520z%26c%3D%7E*%27%21%23frag");
        assertThat(form).matches("\\p{ASCII}*");
        // What a server's form decoder reads back is the URL exactly as given.
        String value = form.substring("RecordingStatusCallback=".length());
        assertThat(URLDecoder.decode(value, StandardCharsets.UTF_8)).isEqualTo(callback.toString());
    }

    @Test
    void aCallbackUrlKeepsItsUserInfoOnTheWireButNotInToString() {
        StartRecording start = StartRecording.of(ACCOUNT_SID, CALL)
                .statusCallback(URI.create("https://hook:s3cret@hooks.example.com/cb?token=abc"));

        assertThat(form(start)).isEqualTo("RecordingStatusCallback=https%3A%2F%2Fhook%3As3cret%40hooks.example.com"
                + "%2Fcb%3Ftoken%3Dabc");
        assertThat(start.toString()).doesNotContain("s3cret").doesNotContain("abc")
                .contains("https://hooks.example.com/cb?…");
    }

    @Test
    void callbackMethodOrEventsWithoutACallbackUrlAreRefusedBeforeAnythingIsBuilt() {
        assertThatIllegalArgumentException().isThrownBy(() -> live.start(StartRecording.of(ACCOUNT_SID, CALL)
                .statusCallbackEvents(CallbackEvent.COMPLETED))).withMessageContaining("statusCallback");
        assertThatIllegalArgumentException().isThrownBy(() -> live.start(StartRecording.of(ACCOUNT_SID, CALL)
                .statusCallbackMethod(CallbackMethod.GET))).withMessageContaining("statusCallback");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/cb", "/relative/cb", "mailto:a@example.com", "https:///nohost"})
    void aCallbackThatIsNotAnAbsoluteHttpUrlIsRefused(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> StartRecording.of(ACCOUNT_SID, CALL)
                .statusCallback(URI.create(url))).withMessageContaining("statusCallback");
    }

    @Test
    void emptyEventsLeaveTheFieldUnsetAndDuplicatesAreSentOnce() {
        StartRecording start = StartRecording.of(ACCOUNT_SID, CALL).statusCallback(URI.create("https://h.example/c"));
        assertThat(form(start.statusCallbackEvents(List.of()))).doesNotContain("RecordingStatusCallbackEvent");
        assertThat(form(start.statusCallbackEvents(List.of(CallbackEvent.ABSENT, CallbackEvent.ABSENT))))
                .endsWith("&RecordingStatusCallbackEvent=absent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-uuid", "../../Accounts", "43bb71ee-553f-4074-bb20-8e2747647cce/x", ""})
    void idsThatAreNotUuidsAreRefusedNamingTheParameter(String bad) {
        assertThatIllegalArgumentException().isThrownBy(() -> StartRecording.of(bad, CALL)).withMessageContaining("accountSid");
        assertThatIllegalArgumentException().isThrownBy(() -> StartRecording.of(ACCOUNT_SID, bad)).withMessageContaining("callSid");
        assertThatIllegalArgumentException().isThrownBy(() -> RecordingOwner.call(bad)).withMessageContaining("callSid");
        assertThatIllegalArgumentException().isThrownBy(() -> RecordingOwner.conference(bad))
                .withMessageContaining("conferenceSid");
        assertThatIllegalArgumentException().isThrownBy(() -> UpdateRecording.stop(ACCOUNT_SID, RecordingOwner.call(CALL), bad))
                .withMessageContaining("recordingSid");
        assertThatIllegalArgumentException().isThrownBy(() -> live.conferenceList(ACCOUNT_SID, bad))
                .withMessageContaining("conferenceSid");
        assertThatIllegalArgumentException().isThrownBy(() -> live.conferenceFetch(ACCOUNT_SID, CONFERENCE, bad))
                .withMessageContaining("recordingSid");
        assertThatIllegalArgumentException().isThrownBy(() -> live.conferenceDelete(bad, CONFERENCE, RECORDING_SID))
                .withMessageContaining("accountSid");
    }

    @Test
    void pauseResumeAndStopAreValuesThatSendTheirStatus() {
        RecordingOwner call = RecordingOwner.call(CALL);
        ApiRequest pause = live.update(UpdateRecording.pause(ACCOUNT_SID, call, RECORDING_SID));

        assertThat(pause.method()).isEqualTo("POST");
        assertThat(pause.uri()).isEqualTo(URI.create(ACCOUNT + "/Calls/" + CALL + "/Recordings/" + RECORDING_SID + ".json"));
        assertThat(LiveRecordingsProtocol.formOf(pause)).isEqualTo("Status=paused");
        assertThat(LiveRecordingsProtocol.formOf(live.update(UpdateRecording.pause(ACCOUNT_SID, call, RECORDING_SID)
                .pauseBehavior(PauseBehavior.SKIP)))).isEqualTo("Status=paused&PauseBehavior=skip");
        assertThat(LiveRecordingsProtocol.formOf(live.update(UpdateRecording.of(ACCOUNT_SID, call, RECORDING_SID,
                Action.PAUSE).pauseBehavior(PauseBehavior.SILENCE)))).isEqualTo("Status=paused&PauseBehavior=silence");
        assertThat(LiveRecordingsProtocol.formOf(live.update(UpdateRecording.resume(ACCOUNT_SID, call, RECORDING_SID))))
                .isEqualTo("Status=in-progress");
        assertThat(LiveRecordingsProtocol.formOf(live.update(UpdateRecording.stop(ACCOUNT_SID, call, RECORDING_SID))))
                .isEqualTo("Status=stopped");
    }

    @Test
    void aPauseBehaviorIsRefusedOnAResumeOrAStop() {
        assertThatIllegalArgumentException().isThrownBy(() -> UpdateRecording.resume(ACCOUNT_SID, RecordingOwner.call(CALL),
                RECORDING_SID).pauseBehavior(PauseBehavior.SKIP)).withMessageContaining("pause only");
        assertThatIllegalArgumentException().isThrownBy(() -> UpdateRecording.stop(ACCOUNT_SID, RecordingOwner.call(CALL),
                RECORDING_SID).pauseBehavior(PauseBehavior.SILENCE)).withMessageContaining("pause only");
    }

    @Test
    void aConferenceOwnerAddressesTheConferencesRecordings() {
        RecordingOwner conference = RecordingOwner.conference(CONFERENCE);
        String path = ACCOUNT + "/Conferences/" + CONFERENCE + "/Recordings";

        assertThat(live.update(UpdateRecording.stop(ACCOUNT_SID, conference, RECORDING_SID)).uri())
                .isEqualTo(URI.create(path + "/" + RECORDING_SID + ".json"));
        ApiRequest list = live.conferenceList(ACCOUNT_SID, CONFERENCE);
        assertThat(list.method()).isEqualTo("GET");
        assertThat(list.uri()).isEqualTo(URI.create(path + ".json"));
        assertThat(list.isWrite()).isFalse();
        ApiRequest fetch = live.conferenceFetch(ACCOUNT_SID, CONFERENCE, RECORDING_SID);
        assertThat(fetch.method()).isEqualTo("GET");
        assertThat(fetch.uri()).isEqualTo(URI.create(path + "/" + RECORDING_SID + ".json"));
        ApiRequest delete = live.conferenceDelete(ACCOUNT_SID, CONFERENCE, RECORDING_SID);
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.isWrite()).isFalse();
        for (ApiRequest r : List.of(list, fetch, delete)) {
            assertThat(r.hasBody()).isFalse();
            assertThat(r.headers()).containsEntry("Authorization", AUTHORIZATION).doesNotContainKey("Content-Type");
        }
    }

    @Test
    void aConferenceListFollowsItsNextPageOnTheConfiguredHostOnly() {
        ApiRequest first = live.conferenceList(ACCOUNT_SID, CONFERENCE);
        String path = "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Conferences/" + CONFERENCE + "/Recordings";

        assertThat(live.nextPage(first, path + "?Page=1&PageToken=PA5678").uri())
                .isEqualTo(URI.create("https://example.signalwire.com" + path + ".json?Page=1&PageToken=PA5678"));
        assertThatThrownBy(() -> live.nextPage(first, "https://evil.example" + path + ".json?Page=1"))
                .isInstanceOf(dev.laml.recordings.UnexpectedResponseException.class).hasMessageContaining("another host");
        assertThatThrownBy(() -> live.nextPage(first, "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings.json"))
                .isInstanceOf(dev.laml.recordings.UnexpectedResponseException.class);
    }

    @Test
    void withoutCredentialsNothingCarriesAuthorization() {
        LiveRecordingsProtocol anonymous = LiveRecordingsProtocol.of(RecordingsProtocol.builder(
                ApiEndpoint.forSpace("example")).build());
        assertThat(anonymous.start(StartRecording.of(ACCOUNT_SID, CALL)).isAuthenticated()).isFalse();
        assertThat(live.start(StartRecording.of(ACCOUNT_SID, CALL)).isAuthenticated()).isTrue();
        assertThat(live.toString()).doesNotContain(TOKEN);
        assertThat(live.start(StartRecording.of(ACCOUNT_SID, CALL)).toString()).doesNotContain(TOKEN);
    }

    @Test
    void theAnswerIsReadLooselyAsARecordingWithUnknownValuesKeptRaw() {
        ApiRequest request = live.update(UpdateRecording.resume(ACCOUNT_SID, RecordingOwner.conference(CONFERENCE),
                RECORDING_SID));
        Recording r = live.decodeRecording(request, 200, "OK", json(), fixture("conference-recording-paused.json"));

        assertThat(r.sid()).isEqualTo(RECORDING_SID);
        assertThat(r.conferenceSid()).isEqualTo("43bb71ee-553f-4074-bb20-8e2747647cce");
        assertThat(r.callSid()).isNull();
        assertThat(r.status()).isEqualTo(RecordingStatus.UNKNOWN);
        assertThat(r.rawStatus()).isEqualTo("resumed");
        assertThat(r.source()).isEqualTo(RecordingSource.UNKNOWN);
        assertThat(r.rawSource()).isEqualTo("StartConferenceRecording");
        assertThat(r.channels()).isEqualTo(1);
        assertThat(r.duration()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void errorAnswersAreTypedAsForMetadataAndNameTheWrite() {
        ApiRequest start = live.start(StartRecording.of(ACCOUNT_SID, CALL));

        assertThatThrownBy(() -> live.decodeRecording(start, 404, "Not Found", json(),
                utf8("{\"code\":20404,\"message\":\"The requested resource was not found\",\"status\":404}")))
                .isInstanceOf(NotFoundException.class)
                .hasMessageStartingWith("POST /api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Calls/" + CALL
                        + "/Recordings.json failed: HTTP 404");
        assertThatThrownBy(() -> live.decodeRecording(start, 400, "Bad Request", json(),
                utf8("{\"code\":21220,\"message\":\"Invalid call state\",\"status\":400}")))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("Invalid call state");
    }

    @Test
    void aValidationErrorAsAnArrayOfStringsKeepsItsMessage() {
        ApiRequest update = live.update(UpdateRecording.stop(ACCOUNT_SID, RecordingOwner.conference(CONFERENCE),
                RECORDING_SID));

        assertThatThrownBy(() -> live.decodeRecording(update, 422, "Unprocessable Entity", json(),
                utf8("{\"errors\":[\"Recording is already stopped\",\"second\"]}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(422);
                    assertThat(e.serverMessage()).isEqualTo("Recording is already stopped");
                    assertThat(e.code()).isNull();
                })
                .hasMessageContaining("HTTP 422").hasMessageContaining("Recording is already stopped");
    }

    @Test
    void aDeleteIsConfirmedByAny2xx() {
        ApiRequest delete = live.conferenceDelete(ACCOUNT_SID, CONFERENCE, RECORDING_SID);
        live.checkDeleted(delete, 204, "No Content", headers(), new byte[0]);
        assertThatThrownBy(() -> live.checkDeleted(delete, 404, "Not Found", json(), new byte[0]))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void theBodyHandedOutIsACopy() {
        ApiRequest request = live.update(UpdateRecording.stop(ACCOUNT_SID, RecordingOwner.call(CALL), RECORDING_SID));
        byte[] body = request.body();
        body[0] = 'X';
        assertThat(LiveRecordingsProtocol.formOf(request)).isEqualTo("Status=stopped");
    }

    private String form(StartRecording start) {
        return LiveRecordingsProtocol.formOf(live.start(start));
    }
}
