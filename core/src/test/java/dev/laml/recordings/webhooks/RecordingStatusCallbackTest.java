package dev.laml.recordings.webhooks;

import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingStatusCallback")
class RecordingStatusCallbackTest {

    private static final String ACCOUNT = "b3877c40-da60-4998-90ad-b792e98472af";
    private static final String CALL = "c3877c40-da60-4998-90ad-b792e98472ca";
    private static final String SID = "d3877c40-da60-4998-90ad-b792e98472re";
    private static final URI BASE = URI.create("https://example.signalwire.com");
    private static final String MEDIA = "https://example.signalwire.com/api/laml/2010-04-01/Accounts/" + ACCOUNT
            + "/Recordings/" + SID;

    private static Map<String, List<String>> completed() {
        Map<String, List<String>> form = new LinkedHashMap<>();
        form.put("AccountSid", List.of(ACCOUNT));
        form.put("CallSid", List.of(CALL));
        form.put("RecordingSid", List.of(SID.replace("re", "0e")));
        form.put("RecordingUrl", List.of(MEDIA.replace("re", "0e")));
        form.put("RecordingStatus", List.of("completed"));
        form.put("RecordingDuration", List.of("42"));
        form.put("RecordingChannels", List.of("2"));
        form.put("RecordingSource", List.of("DialVerb"));
        form.put("RecordingStartTime", List.of("Tue, 25 Sep 2018 23:00:00 +0000"));
        form.put("ErrorCode", List.of("0"));
        return form;
    }

    private static final String RECORDING = SID.replace("re", "0e");

    private static Map<String, List<String>> with(String name, String... values) {
        Map<String, List<String>> form = completed();
        if (values.length == 0) {
            form.remove(name);
        } else {
            form.put(name, List.of(values));
        }
        return form;
    }

    @Test
    void theDocumentedFieldsAreReadIntoTypedComponents() {
        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(completed());

        assertThat(cb.accountSid()).isEqualTo(ACCOUNT);
        assertThat(cb.callSid()).isEqualTo(CALL);
        assertThat(cb.conferenceSid()).isNull();
        assertThat(cb.recordingSid()).isEqualTo(RECORDING);
        assertThat(cb.recordingUrl()).isEqualTo(MEDIA.replace("re", "0e"));
        assertThat(cb.status()).isEqualTo(RecordingStatus.COMPLETED);
        assertThat(cb.rawStatus()).isEqualTo("completed");
        assertThat(cb.isCompleted()).isTrue();
        assertThat(cb.duration()).isEqualTo(Duration.ofSeconds(42));
        assertThat(cb.channels()).isEqualTo(2);
        assertThat(cb.source()).isEqualTo(RecordingSource.DIAL_VERB);
        assertThat(cb.rawSource()).isEqualTo("DialVerb");
        assertThat(cb.startTime()).isEqualTo(OffsetDateTime.of(2018, 9, 25, 23, 0, 0, 0, ZoneOffset.UTC));
        assertThat(cb.errorCode()).isZero();
    }

    @Test
    void unknownFieldsAreKeptInOrderWithEveryValue() {
        Map<String, List<String>> form = completed();
        form.put("RecordingTrack", List.of("both"));
        form.put("Custom", List.of("1", "2"));

        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(form);

        assertThat(cb.fields()).containsExactlyEntriesOf(form);
        assertThat(cb.field("RecordingTrack")).isEqualTo("both");
        assertThat(cb.field("Custom")).isEqualTo("1");
        assertThat(cb.fields().get("Custom")).containsExactly("1", "2");
        assertThat(cb.field("recordingtrack")).isNull();
        assertThatThrownBy(() -> cb.fields().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theFieldsAreACopyThatLaterChangesToTheFormDoNotReach() {
        Map<String, List<String>> form = completed();
        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(form);
        form.put("Later", List.of("x"));

        assertThat(cb.fields()).doesNotContainKey("Later");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({
            "processing,         UNKNOWN",
            "in-progress,        IN_PROGRESS",
            "absent,             ABSENT",
            "Completed,          COMPLETED",
    })
    void aStatusOutsideTheSpecificationIsUnknownWithTheTextKept(String wire, RecordingStatus expected) {
        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(with("RecordingStatus", wire));

        assertThat(cb.status()).isEqualTo(expected);
        assertThat(cb.rawStatus()).isEqualTo(wire);
    }

    @Test
    void aSourceOutsideTheSpecificationOrMissingIsUnknownWithTheTextKept() {
        RecordingStatusCallback outbound = RecordingStatusCallback.fromForm(with("RecordingSource", "OutboundAPI"));
        assertThat(outbound.source()).isEqualTo(RecordingSource.UNKNOWN);
        assertThat(outbound.rawSource()).isEqualTo("OutboundAPI");

        RecordingStatusCallback missing = RecordingStatusCallback.fromForm(with("RecordingSource"));
        assertThat(missing.source()).isEqualTo(RecordingSource.UNKNOWN);
        assertThat(missing.rawSource()).isNull();
    }

    @Test
    void optionalFieldsMayBeMissingOrEmpty() {
        Map<String, List<String>> form = new LinkedHashMap<>();
        form.put("AccountSid", List.of(ACCOUNT));
        form.put("RecordingSid", List.of(RECORDING));
        form.put("RecordingStatus", List.of("in-progress"));
        form.put("CallSid", List.of(""));
        form.put("ConferenceSid", List.of(""));
        form.put("ErrorCode", List.of(""));

        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(form);

        assertThat(cb.callSid()).isNull();
        assertThat(cb.conferenceSid()).isNull();
        assertThat(cb.recordingUrl()).isNull();
        assertThat(cb.duration()).isNull();
        assertThat(cb.channels()).isEqualTo(1);
        assertThat(cb.startTime()).isNull();
        assertThat(cb.errorCode()).isNull();
        assertThat(cb.isCompleted()).isFalse();
    }

    @Test
    void aConferenceRecordingCarriesItsConferenceSidAndANegativeDurationIsKept() {
        String conference = "e3877c40-da60-4998-90ad-b792e98472cf";
        Map<String, List<String>> form = with("CallSid");
        form.put("ConferenceSid", List.of(conference));
        form.put("RecordingDuration", List.of("-1"));

        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(form);

        assertThat(cb.conferenceSid()).isEqualTo(conference);
        assertThat(cb.callSid()).isNull();
        assertThat(cb.duration()).isEqualTo(Duration.ofSeconds(-1));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"AccountSid", "RecordingSid", "RecordingStatus"})
    void aMissingRequiredFieldIsRefusedNamingIt(String field) {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with(field)))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage("the callback has no " + field + " field");
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with(field, " ")))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage("the callback has no " + field + " field");
    }

    @ParameterizedTest(name = "[{index}] {0} = {1}")
    @CsvSource({
            "AccountSid,    AC1234567890abcdef1234567890abcdef",
            "RecordingSid,  ../../evil",
            "CallSid,       CA123",
            "ConferenceSid, b3877c40-da60-4998-90ad-b792e98472a",
    })
    void aSidThatIsNotAUuidIsRefused(String field, String value) {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with(field, value)))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage(field + " must be a UUID (8-4-4-4-12 hex digits), got \"" + value + "\"");
    }

    @Test
    void aKnownFieldSentTwiceIsRefusedEvenWithEqualValues() {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with("RecordingSid", RECORDING, SID)))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage("the callback's RecordingSid field is sent 2 times; it may appear once");
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with("RecordingStatus", "completed", "completed")))
                .isInstanceOf(MalformedCallbackException.class);
    }

    @ParameterizedTest(name = "[{index}] {0} = {1}")
    @CsvSource({
            "RecordingDuration,  4.5",
            "RecordingDuration,  forty",
            "RecordingChannels,  two",
            "ErrorCode,          E123",
            "RecordingDuration,  99999999999",
    })
    void aNumberThatDoesNotParseIsRefused(String field, String value) {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with(field, value)))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage(field + " must be a whole number, got \"" + value + "\"");
    }

    @Test
    void aChannelCountBelowOneIsRefused() {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with("RecordingChannels", "0")))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessage("RecordingChannels must be at least 1, got 0");
    }

    @Test
    void aStartTimeThatIsNotAnRfc2822DateIsRefusedAndTheValueIsEscaped() {
        assertThatThrownBy(() -> RecordingStatusCallback.fromForm(with("RecordingStartTime", "31 Sep 2018\nforged")))
                .isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("RecordingStartTime must be an RFC 2822 date")
                .hasMessageContaining("\\u000a")
                .hasMessageNotContaining("\n");
    }

    @Test
    void theConstructorChecksSidsToo() {
        assertThatThrownBy(() -> new RecordingStatusCallback("x", null, null, RECORDING, null, RecordingStatus.COMPLETED,
                "completed", null, 1, RecordingSource.UNKNOWN, null, null, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accountSid must be a UUID");
    }

    // ---- the RecordingUrl --------------------------------------------------------------------------

    private static RecordingStatusCallback withUrl(String url) {
        return RecordingStatusCallback.fromForm(with("RecordingUrl", url));
    }

    private static String media(String account, String sid) {
        return "/api/laml/2010-04-01/Accounts/" + account + "/Recordings/" + sid;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "https://example.signalwire.com" + "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/d3877c40-da60-4998-90ad-b792e98472" + "0e",
            "https://example.signalwire.com:443/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/d3877c40-da60-4998-90ad-b792e98472" + "0e.mp3",
            "https://EXAMPLE.signalwire.com/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/d3877c40-da60-4998-90ad-b792e98472" + "0e.wav",
            "https://example.signalwire.com/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/D3877C40-DA60-4998-90AD-B792E98472" + "0E",
    })
    void aUrlNamingTheSameHostAccountAndRecordingMatches(String url) {
        RecordingStatusCallback cb = withUrl(url);

        assertThat(cb.urlMatches(BASE)).isTrue();
        cb.checkUrl(BASE);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "https://evil.example%s                                    | another host than example.signalwire.com",
            "https://example.signalwire.com.evil.example%s             | another host",
            "https://example.signalwire.com@evil.example%s             | user info",
            "https://user:pw@example.signalwire.com%s                  | user info",
            "http://example.signalwire.com%s                           | another host",
            "https://example.signalwire.com:8443%s                     | another host",
            "https://example.signalwire.com%s?redirect=https://evil    | a query",
            "https://example.signalwire.com%s#x                        | a fragment",
            "https://example.signalwire.com%s.json                     | another recording than RecordingSid",
            "https://example.signalwire.com%s/../x                     | not a recording's URL",
            "https://example.signalwire.com/other%s                    | not a recording's URL",
            "/relative%s                                               | not an absolute URL",
            "https://example.signalwire.com%s with space               | not a valid URL",
    })
    void aUrlNamingAnotherHostOrAStrangeUrlIsRefused(String template, String reason) {
        RecordingStatusCallback cb = withUrl(template.formatted(media(ACCOUNT, RECORDING)));

        assertThat(cb.urlMatches(BASE)).isFalse();
        assertThatThrownBy(() -> cb.checkUrl(BASE)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void aUrlNamingAnotherAccountOrRecordingIsRefused() {
        String otherAccount = "f3877c40-da60-4998-90ad-b792e98472af";
        String otherSid = "f3877c40-da60-4998-90ad-b792e984720e";

        RecordingStatusCallback account = withUrl("https://example.signalwire.com" + media(otherAccount, RECORDING));
        assertThat(account.urlMatches(BASE)).isFalse();
        assertThatThrownBy(() -> account.checkUrl(BASE)).hasMessageContaining("another account than AccountSid " + ACCOUNT);

        RecordingStatusCallback sid = withUrl("https://example.signalwire.com" + media(ACCOUNT, otherSid));
        assertThat(sid.urlMatches(BASE)).isFalse();
        assertThatThrownBy(() -> sid.checkUrl(BASE)).hasMessageContaining("another recording than RecordingSid " + RECORDING);
    }

    @Test
    void aBaseUrlWithAPathPrefixAndPortIsHonoured() {
        URI proxied = URI.create("http://127.0.0.1:8080/signalwire/");
        String path = media(ACCOUNT, RECORDING);

        assertThat(withUrl("http://127.0.0.1:8080/signalwire" + path).urlMatches(proxied)).isTrue();
        assertThat(withUrl("http://127.0.0.1:8080" + path).urlMatches(proxied)).isFalse();
        assertThat(withUrl("http://127.0.0.1:8081/signalwire" + path).urlMatches(proxied)).isFalse();
    }

    @Test
    void anAbsentUrlNamesNothingAndMatches() {
        assertThat(RecordingStatusCallback.fromForm(with("RecordingUrl")).urlMatches(BASE)).isTrue();
    }

    @Test
    void aBaseUrlThatIsNotAnHttpUrlIsTheCallersMistake() {
        RecordingStatusCallback cb = RecordingStatusCallback.fromForm(completed());

        assertThatThrownBy(() -> cb.urlMatches(URI.create("ftp://example.signalwire.com")))
                .isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(MalformedCallbackException.class);
    }
}
