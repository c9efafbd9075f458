package dev.laml.recordings.cli;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code recordings record start|pause|resume|stop} against WireMock: the form sent, the output, the exit codes. */
class RecordCommandTest {

    static final String PROJECT = "7c1e1b0e-3e0c-4a8e-9a55-9b1f3f3a2c11";
    static final String TOKEN = "PTsecret-canary-5f3a9c";
    static final String CALL = "43bb71ee-553f-4074-bb20-8e2747647cce";
    static final String CONFERENCE = "b3877c40-da60-4998-90ad-b792e98472af";
    static final String SID = "19e436af-5688-4307-b03b-bdb2b42b8142";
    static final String ROOT = "/api/laml/2010-04-01/Accounts/" + PROJECT;
    static final String START = ROOT + "/Calls/" + CALL + "/Recordings.json";
    static final String CALL_RECORDING = ROOT + "/Calls/" + CALL + "/Recordings/" + SID + ".json";
    static final String CONFERENCE_RECORDING = ROOT + "/Conferences/" + CONFERENCE + "/Recordings/" + SID + ".json";

    WireMockServer wm;

    @BeforeEach
    void start() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    static String recording(String status, String call, String conference) {
        return "{\"sid\": \"" + SID + "\", \"account_sid\": \"" + PROJECT + "\", \"api_version\": \"2010-04-01\","
                + " \"call_sid\": " + (call == null ? "null" : "\"" + call + "\"") + ","
                + " \"conference_sid\": " + (conference == null ? "null" : "\"" + conference + "\"") + ","
                + " \"channels\": \"2\", \"date_created\": \"Tue, 25 Sep 2018 23:00:00 +0000\","
                + " \"date_updated\": \"Tue, 25 Sep 2018 23:00:00 +0000\", \"start_time\": \"Tue, 25 Sep 2018 23:00:00 +0000\","
                + " \"end_time\": null, \"duration\": 0, \"price\": null, \"price_unit\": \"USD\","
                + " \"source\": \"StartCallRecordingAPI\", \"status\": \"" + status + "\", \"error_code\": null,"
                + " \"uri\": \"" + ROOT + "/Recordings/" + SID + ".json\", \"trim\": \"do-not-trim\"}";
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    CliRun record(String... more) {
        List<String> a = new ArrayList<>(List.of("record"));
        a.addAll(Arrays.asList(more));
        a.addAll(List.of("--base-url", wm.baseUrl()));
        return CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN),
                a.toArray(String[]::new));
    }

    List<String> forms() {
        return wm.findAll(anyRequestedFor(anyUrl())).stream()
                .map(r -> new String(r.getBody(), StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void startSendsEveryOptionAsSignalWiresFormFieldsAndPrintsTheRecording() {
        wm.stubFor(post(urlEqualTo(START)).willReturn(json(201, recording("in-progress", CALL, null))));

        CliRun r = record("start", "--call", CALL, "--channels", "dual", "--track", "inbound",
                "--status-callback", "https://hooks.example.com/r\u00fcck?a=1&b=2",
                "--status-callback-event", "in-progress,completed,absent", "--status-callback-method", "GET", "--trim");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).contains("sid:").contains(SID).contains("in-progress").contains("2 (dual)");
        LoggedRequest sent = wm.findAll(postRequestedFor(urlEqualTo(START))).get(0);
        assertThat(sent.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(forms()).containsExactly("RecordingChannels=dual"
                + "&RecordingStatusCallback=https%3A%2F%2Fhooks.example.com%2Fr%C3%BCck%3Fa%3D1%26b%3D2"
                + "&RecordingStatusCallbackEvent=in-progress+completed+absent&RecordingStatusCallbackMethod=GET"
                + "&RecordingTrack=inbound&Trim=trim-silence");
    }

    @Test
    void startWithoutOptionsSendsAnEmptyFormAndJsonPrintsOneLine() throws Exception {
        wm.stubFor(post(urlEqualTo(START)).willReturn(json(201, recording("in-progress", CALL, null))));

        CliRun r = record("start", "--call", CALL, "--json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(forms()).containsExactly("");
        assertThat(r.stdout().lines()).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(r.stdout());
        assertThat(line.get("sid").asText()).isEqualTo(SID);
        assertThat(line.get("status").asText()).isEqualTo("in-progress");
        assertThat(line.get("call_sid").asText()).isEqualTo(CALL);
    }

    @Test
    void pauseResumeAndStopSendTheirStatusForACallOrAConference() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(json(200, recording("paused", CALL, null))));
        wm.stubFor(post(urlEqualTo(CONFERENCE_RECORDING)).willReturn(json(200, recording("stopped", null, CONFERENCE))));

        assertThat(record("pause", "--call", CALL, "--sid", SID, "--pause-behavior", "skip").exitCode()).isZero();
        assertThat(record("resume", "--call", CALL, "--sid", SID).exitCode()).isZero();
        CliRun stop = record("stop", "--conference", CONFERENCE, "--sid", SID, "--json");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout()).contains("\"conference_sid\":\"" + CONFERENCE + "\"").contains("\"status\":\"stopped\"");

        assertThat(forms()).containsExactly("Status=paused&PauseBehavior=skip", "Status=in-progress", "Status=stopped");
        wm.verify(2, postRequestedFor(urlEqualTo(CALL_RECORDING)));
        wm.verify(1, postRequestedFor(urlEqualTo(CONFERENCE_RECORDING)));
    }

    @Test
    void badInputIsAUsageErrorAndSendsNothing() {
        List<String[]> bad = List.of(
                new String[] {"start", "--call", "not-a-uuid"},
                new String[] {"start", "--call", CALL, "--channels", "stereo"},
                new String[] {"start", "--call", CALL, "--track", "sideways"},
                new String[] {"start", "--call", CALL, "--status-callback-event", "done"},
                new String[] {"start", "--call", CALL, "--status-callback-event", "completed"},
                new String[] {"start", "--call", CALL, "--status-callback", "ftp://hooks.example.com/cb"},
                new String[] {"pause", "--call", CALL, "--sid", SID, "--pause-behavior", "loud"},
                new String[] {"resume", "--call", CALL, "--sid", SID, "--pause-behavior", "skip"},
                new String[] {"stop", "--call", CALL, "--conference", CONFERENCE, "--sid", SID},
                new String[] {"stop", "--sid", SID},
                new String[] {"stop", "--call", CALL});
        for (String[] args : bad) {
            CliRun r = record(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr()).doesNotContain("Exception");
        }
        assertThat(wm.getAllServeEvents()).isEmpty();
        CliRun none = CliRun.run(Map.of(), "record");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("start").contains("pause").contains("resume").contains("stop");
    }

    @Test
    void apiErrorsKeepTheirExitCodes() {
        wm.stubFor(post(urlEqualTo(START)).willReturn(json(404,
                "{\"code\": 20404, \"message\": \"The requested resource was not found\", \"status\": 404}")));
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(json(401,
                "{\"code\": 20003, \"message\": \"Authentication failed\", \"status\": 401}")));
        wm.stubFor(post(urlEqualTo(CONFERENCE_RECORDING)).willReturn(json(422, "{\"errors\": [\"Status is invalid\"]}")));

        CliRun notFound = record("start", "--call", CALL);
        assertThat(notFound.exitCode()).as(notFound.toString()).isEqualTo(3);
        assertThat(notFound.stderr()).contains("HTTP 404").doesNotContain(TOKEN);
        assertThat(record("stop", "--call", CALL, "--sid", SID).exitCode()).isEqualTo(4);
        CliRun invalid = record("stop", "--conference", CONFERENCE, "--sid", SID);
        assertThat(invalid.exitCode()).isEqualTo(5);
        assertThat(invalid.stderr()).contains("HTTP 422").contains("Status is invalid");
    }

    @Test
    void aWriteThatMayHaveReachedSignalWireIsNotRepeatedAndSaysSo() {
        wm.stubFor(post(urlEqualTo(CALL_RECORDING)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        CliRun reset = record("stop", "--call", CALL, "--sid", SID);
        assertThat(reset.exitCode()).as(reset.toString()).isEqualTo(6);
        assertThat(reset.stderr()).contains("may have reached SignalWire, so it was not sent again");
        wm.verify(1, postRequestedFor(urlEqualTo(CALL_RECORDING)));

        wm.stubFor(post(urlEqualTo(START)).willReturn(json(503, "{\"code\": 0, \"message\": \"busy\", \"status\": 503}")));
        CliRun unavailable = record("start", "--call", CALL);
        assertThat(unavailable.exitCode()).as(unavailable.toString()).isEqualTo(5);
        assertThat(unavailable.stderr()).contains("HTTP 503").contains("may have reached SignalWire");
        wm.verify(1, postRequestedFor(urlEqualTo(START)));
    }

    @Test
    void aRefusedConnectionIsTriedAgainAndReportedAsATransferFailure() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CliRun r = CliRun.run(CliRun.env("SIGNALWIRE_PROJECT_ID", PROJECT, "SIGNALWIRE_API_TOKEN", TOKEN),
                "record", "start", "--call", CALL, "--base-url", "http://127.0.0.1:" + port, "--attempts", "2");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).contains("connection refused by 127.0.0.1:" + port).contains("after 2 attempts")
                .doesNotContain("may have reached");
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.run(Map.of(), "record", "start", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("--call").contains("--channels").contains("--track").contains("--status-callback")
                .contains("--status-callback-event").contains("--trim");
        assertThat(CliRun.run(Map.of(), "record", "pause", "--help").stdout()).contains("--pause-behavior")
                .contains("--conference");
    }
}
