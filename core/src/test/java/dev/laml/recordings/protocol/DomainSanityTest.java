package dev.laml.recordings.protocol;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingPage;
import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixtureText;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values that are well-formed JSON but odd as a recording: which are kept, with what meaning, and which are refused
 * as an {@link UnexpectedResponseException} (see {@link Recording}'s javadoc).
 */
@DisplayName("metadata: values that make no sense as a recording")
class DomainSanityTest {

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).build();
    private final ApiRequest fetch = protocol.fetch(ACCOUNT_SID, RECORDING_SID);
    private final ApiRequest list = protocol.list(ACCOUNT_SID, RecordingQuery.all());

    private Recording decodeWith(String members) {
        return protocol.decodeRecording(fetch, 200, "OK", json(),
                utf8("{\"sid\": \"" + RECORDING_SID + "\", " + members + "}"));
    }

    // ------------------------------------------------------------------ kept, with a meaning

    @ParameterizedTest(name = "duration {0} is kept as {1}: not known")
    @CsvSource({"-1, PT-1S", "\"-1\", PT-1S", "-5, PT-5S", "-0.5, PT-0.5S", "\"-3600\", PT-1H"})
    void aNegativeDurationIsKeptAndMeansNotKnown(String wire, Duration expected) {
        Recording r = decodeWith("\"duration\": " + wire + ", \"status\": \"in-progress\"");
        assertThat(r.duration()).isEqualTo(expected);
        assertThat(r.duration().isNegative()).isTrue();
    }

    @Test
    void aDateUpdatedBeforeDateCreatedIsKeptAsSent() {
        Recording r = decodeWith("\"date_created\": \"Wed, 19 Dec 2018 16:28:16 +0000\", "
                + "\"date_updated\": \"Tue, 18 Dec 2018 09:00:00 +0000\", "
                + "\"start_time\": \"Wed, 19 Dec 2018 16:28:00 +0000\", \"end_time\": \"Wed, 19 Dec 2018 16:27:00 +0000\"");
        assertThat(r.dateUpdated()).isBefore(r.dateCreated());
        assertThat(r.endTime()).isBefore(r.startTime());
    }

    @Test
    void anUpperCaseUuidSidIsAUuid() {
        String upper = RECORDING_SID.toUpperCase(java.util.Locale.ROOT);
        assertThat(protocol.decodeRecording(fetch, 200, "OK", json(), utf8("{\"sid\": \"" + upper + "\"}")).sid())
                .isEqualTo(upper);
    }

    // ------------------------------------------------------------------ refused

    @ParameterizedTest(name = "sid {0}")
    @ValueSource(strings = {"RE19e436af56884307b03bbdb2b42b8142", "x", "../../Recordings/other",
            "19e436af-5688-4307-b03b-bdb2b42b814", "19e436af-5688-4307-b03b-bdb2b42b81422",
            "19e436af_5688_4307_b03b_bdb2b42b8142", "19e436af-5688-4307-b03b-bdb2b42b814g",
            "19e436af-5688-4307-b03b-bdb2b42b8142/../x", "%2e%2e"})
    void aSidThatIsNotAUuidIsAnUnexpectedResponse(String sid) {
        String doc = "{\"sid\": \"" + sid + "\"}";
        assertThatThrownBy(() -> protocol.decodeRecording(fetch, 200, "OK", json(), utf8(doc)))
                .isExactlyInstanceOf(UnexpectedResponseException.class)
                .hasMessageContaining("sid is not a UUID");
    }

    @Test
    void aListWithOneSidThatIsNotAUuidFailsAsAWhole() {
        String page = fixtureText("recordings-page.json").replaceFirst("\"sid\": \"[0-9a-f-]{36}\"",
                "\"sid\": \"RE0123\"");
        assertThat(page).contains("RE0123");
        assertThatThrownBy(() -> protocol.decodePage(list, 200, "OK", json(), utf8(page)))
                .isExactlyInstanceOf(UnexpectedResponseException.class)
                .hasMessageContaining("sid is not a UUID");
        RecordingPage intact = protocol.decodePage(list, 200, "OK", json(), utf8(fixtureText("recordings-page.json")));
        assertThat(intact.recordings()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"channels\": -1", "\"channels\": 0", "\"channels\": \"-2\"", "\"channel\": -1",
            "\"channel\": 2, \"channels\": 0"})
    void aChannelCountBelowOneIsAnUnexpectedResponse(String members) {
        assertThatThrownBy(() -> decodeWith(members))
                .isExactlyInstanceOf(UnexpectedResponseException.class)
                .hasMessageContaining("not 1 or more");
    }
}
