package dev.laml.recordings.protocol;

import dev.laml.recordings.Recording;
import dev.laml.recordings.RecordingSource;
import dev.laml.recordings.RecordingStatus;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixture;
import static dev.laml.recordings.TestData.fixtureText;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingsProtocol.decodeRecording: metadata documents")
class RecordingDecodingTest {

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).build();
    private final ApiRequest request = protocol.fetch(ACCOUNT_SID, RECORDING_SID);

    private Recording decode(byte[] body) {
        return protocol.decodeRecording(request, 200, "OK", json(), body);
    }

    private Recording decode(String body) {
        return decode(utf8(body));
    }

    /** A minimal recording document with extra members spliced in. */
    private Recording decodeWith(String members) {
        return decode("{\"sid\": \"" + RECORDING_SID + "\", " + members + "}");
    }

    private static OffsetDateTime utc(String isoLocal) {
        return OffsetDateTime.parse(isoLocal + "Z").withOffsetSameInstant(ZoneOffset.UTC);
    }

    @Nested
    @DisplayName("fixtures decode to exactly what they say")
    class Fixtures {

        @Test
        void theDocumentedShape() {
            Recording r = decode(fixture("recording-spec.json"));

            assertThat(r.sid()).isEqualTo("19e436af-5688-4307-b03b-bdb2b42b8142");
            assertThat(r.accountSid()).isEqualTo("720796a0-8ee9-4350-83bd-2d07a3121f1e");
            assertThat(r.callSid()).isEqualTo("b3877c40-da60-4998-90ad-b792e98472af");
            assertThat(r.conferenceSid()).isNull();
            assertThat(r.channels()).isEqualTo(1);
            assertThat(r.dateCreated()).isEqualTo(utc("2018-09-25T23:00:00"));
            assertThat(r.dateUpdated()).isEqualTo(utc("2018-09-26T23:00:04"));
            assertThat(r.startTime()).isEqualTo(utc("2018-09-25T22:59:56"));
            assertThat(r.endTime()).isEqualTo(utc("2018-09-25T23:00:00"));
            assertThat(r.dateCreated().getOffset()).isEqualTo(ZoneOffset.UTC);
            assertThat(r.duration()).isEqualTo(Duration.ofSeconds(4));
            assertThat(r.price()).isEqualByComparingTo("-0.0025");
            assertThat(r.priceUnit()).isEqualTo("USD");
            assertThat(r.source()).isEqualTo(RecordingSource.DIAL_VERB);
            assertThat(r.rawSource()).isEqualTo("DialVerb");
            assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
            assertThat(r.rawStatus()).isEqualTo("completed");
            assertThat(r.isCompleted()).isTrue();
            assertThat(r.errorCode()).isNull();
            assertThat(r.uri()).isEqualTo("/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e"
                    + "/Recordings/19e436af-5688-4307-b03b-bdb2b42b8142.json");
            assertThat(r.trim()).isEqualTo("do-not-trim");
            assertThat(r.apiVersion()).isEqualTo("2010-04-01");
        }

        @Test
        void realWorldLooseNumbers() {
            Recording r = decode(fixture("recording-loose-numbers.json"));

            assertThat(r.sid()).isEqualTo("e4c78e17-c0e2-441d-b5dd-39a6dad496f8");
            assertThat(r.accountSid()).isEqualTo("5d0d1b3e-6c8a-4f0e-9a51-2f7c1e0b9d44");
            assertThat(r.callSid()).isEqualTo("d411976d-0b5c-4a7e-8f0a-0c6a3f0e7b21");
            assertThat(r.conferenceSid()).isNull();
            assertThat(r.channels()).isEqualTo(1);
            assertThat(r.dateCreated()).isEqualTo(utc("2018-12-19T16:28:16"));
            assertThat(r.dateUpdated()).isEqualTo(utc("2018-12-19T16:28:16"));
            assertThat(r.startTime()).isEqualTo(utc("2018-12-19T16:27:56"));
            assertThat(r.endTime()).isEqualTo(utc("2018-12-19T16:28:16"));
            assertThat(r.duration()).isEqualTo(Duration.ofSeconds(14));
            assertThat(r.price()).isEqualByComparingTo("0.0");
            assertThat(r.priceUnit()).isEqualTo("USD");
            assertThat(r.source()).isEqualTo(RecordingSource.RECORD_VERB);
            assertThat(r.rawSource()).isEqualTo("RecordVerb");
            assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
            assertThat(r.errorCode()).isNull();
            assertThat(r.uri()).isEqualTo("/2010-04-01/Accounts/5d0d1b3e-6c8a-4f0e-9a51-2f7c1e0b9d44"
                    + "/Calls/d411976d-0b5c-4a7e-8f0a-0c6a3f0e7b21/Recordings/e4c78e17-c0e2-441d-b5dd-39a6dad496f8.json");
            assertThat(r.trim()).isEqualTo("trim-silence");
            assertThat(r.apiVersion()).isEqualTo("2010-04-01");
        }

        @Test
        void inProgressWithValuesOutsideTheSpec() {
            Recording r = decode(fixture("recording-in-progress-unknown-enums.json"));

            assertThat(r.sid()).isEqualTo("0f6c2a55-3b1d-4c9e-a7f2-8d1e6b4c3a90");
            assertThat(r.accountSid()).isEqualTo("720796a0-8ee9-4350-83bd-2d07a3121f1e");
            assertThat(r.callSid()).isNull();
            assertThat(r.conferenceSid()).isEqualTo("8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d");
            assertThat(r.channels()).isEqualTo(2);
            assertThat(r.dateCreated()).isEqualTo(utc("2016-10-14T21:56:34"));
            assertThat(r.dateUpdated()).isEqualTo(utc("2016-10-14T21:56:38"));
            assertThat(r.startTime()).isNull();
            assertThat(r.endTime()).isNull();
            assertThat(r.duration()).isEqualTo(Duration.ofSeconds(-1));
            assertThat(r.price()).isNull();
            assertThat(r.priceUnit()).isEqualTo("USD");
            assertThat(r.source()).isEqualTo(RecordingSource.UNKNOWN);
            assertThat(r.rawSource()).isEqualTo("StartConferenceRecordingAPI");
            assertThat(r.status()).isEqualTo(RecordingStatus.UNKNOWN);
            assertThat(r.rawStatus()).isEqualTo("processing");
            assertThat(r.isCompleted()).isFalse();
            assertThat(r.errorCode()).isEqualTo(16101);
            assertThat(r.uri()).isEqualTo("/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e"
                    + "/Recordings/0f6c2a55-3b1d-4c9e-a7f2-8d1e6b4c3a90.json");
            assertThat(r.trim()).isEqualTo("do-not-trim");
            assertThat(r.apiVersion()).isEqualTo("2010-04-01");
        }

        @Test
        void theFirstRecordingOfAPage() {
            List<String> objects = recordingsOfPage();
            assertThat(objects).hasSize(2);

            Recording r = decode(objects.get(0));

            assertThat(r.sid()).isEqualTo("19e436af-5688-4307-b03b-bdb2b42b8142");
            assertThat(r.callSid()).isEqualTo("b3877c40-da60-4998-90ad-b792e98472af");
            assertThat(r.channels()).isEqualTo(1);
            assertThat(r.dateCreated()).isEqualTo(utc("2018-09-25T23:00:00"));
            assertThat(r.dateUpdated()).isEqualTo(utc("2018-09-26T23:00:04"));
            assertThat(r.startTime()).isNull();
            assertThat(r.endTime()).isNull();
            assertThat(r.duration()).isEqualTo(Duration.ofSeconds(4));
            assertThat(r.price()).isEqualByComparingTo("-0.0025");
            assertThat(r.source()).isEqualTo(RecordingSource.DIAL_VERB);
            assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
            assertThat(r.trim()).isEqualTo("do-not-trim");
        }

        @Test
        void theSecondRecordingOfAPage() {
            Recording r = decode(recordingsOfPage().get(1));

            assertThat(r.sid()).isEqualTo("2a7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d");
            assertThat(r.accountSid()).isEqualTo("720796a0-8ee9-4350-83bd-2d07a3121f1e");
            assertThat(r.callSid()).isEqualTo("c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f");
            assertThat(r.conferenceSid()).isNull();
            assertThat(r.channels()).isEqualTo(2);
            assertThat(r.dateCreated()).isEqualTo(utc("2018-09-25T22:00:00"));
            assertThat(r.dateUpdated()).isEqualTo(utc("2018-09-25T22:00:09"));
            assertThat(r.startTime()).isEqualTo(utc("2018-09-25T21:59:51"));
            assertThat(r.endTime()).isEqualTo(utc("2018-09-25T22:00:00"));
            assertThat(r.duration()).isEqualTo(Duration.ofSeconds(9));
            assertThat(r.price()).isEqualByComparingTo("-0.005");
            assertThat(r.priceUnit()).isEqualTo("USD");
            assertThat(r.source()).isEqualTo(RecordingSource.RECORD_VERB);
            assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
            assertThat(r.errorCode()).isNull();
            assertThat(r.uri()).isEqualTo("/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e"
                    + "/Recordings/2a7d9c1e-4b3f-4e8a-9d6c-5f1e0a2b3c4d.json");
            assertThat(r.trim()).isEqualTo("trim-silence");
            assertThat(r.apiVersion()).isEqualTo("2010-04-01");
        }

        /** The objects of the page's "recordings" array, as text (a brace counter that skips strings). */
        private List<String> recordingsOfPage() {
            String page = fixtureText("recordings-page.json");
            int i = page.indexOf('[', page.indexOf("\"recordings\""));
            List<String> objects = new ArrayList<>();
            int depth = 0, start = -1;
            boolean inString = false;
            for (i++; i < page.length(); i++) {
                char c = page.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{') {
                    if (depth++ == 0) {
                        start = i;
                    }
                } else if (c == '}') {
                    if (--depth == 0) {
                        objects.add(page.substring(start, i + 1));
                    }
                } else if (c == ']' && depth == 0) {
                    break;
                }
            }
            return objects;
        }
    }

    @Nested
    @DisplayName("dates")
    class Dates {

        @Test
        void aOneDigitDayIsRead() {
            // 5 Sep 2018 was a Wednesday.
            assertThat(decodeWith("\"date_created\": \"Wed, 5 Sep 2018 23:00:00 +0000\"").dateCreated())
                    .isEqualTo(utc("2018-09-05T23:00:00"));
        }

        @Test
        void gmtIsUtc() {
            OffsetDateTime d = decodeWith("\"start_time\": \"Tue, 25 Sep 2018 22:59:56 GMT\"").startTime();
            assertThat(d).isEqualTo(utc("2018-09-25T22:59:56"));
            assertThat(d.getOffset()).isEqualTo(ZoneOffset.UTC);
        }

        @Test
        void aNonUtcOffsetIsKept() {
            OffsetDateTime d = decodeWith("\"end_time\": \"Tue, 25 Sep 2018 23:00:00 +0200\"").endTime();
            assertThat(d.getOffset()).isEqualTo(ZoneOffset.ofHours(2));
            assertThat(d.toInstant()).isEqualTo(utc("2018-09-25T21:00:00").toInstant());
        }

        @Test
        void theWeekdayIsOptional() {
            assertThat(decodeWith("\"date_updated\": \"26 Sep 2018 23:00:04 +0000\"").dateUpdated())
                    .isEqualTo(utc("2018-09-26T23:00:04"));
        }

        @Test
        void iso8601IsAcceptedAsAFallback() {
            assertThat(decodeWith("\"date_created\": \"2018-09-25T23:00:00+01:00\"").dateCreated())
                    .isEqualTo(OffsetDateTime.of(2018, 9, 25, 23, 0, 0, 0, ZoneOffset.ofHours(1)));
        }

        @Test
        void nullAndMissingDatesAreNull() {
            Recording r = decodeWith("\"date_created\": null, \"start_time\": \"\"");
            assertThat(r.dateCreated()).isNull();
            assertThat(r.startTime()).isNull();
            assertThat(r.endTime()).isNull();
        }
    }

    @Nested
    @DisplayName("loose scalars")
    class LooseScalars {

        @ParameterizedTest(name = "[{index}] duration {0}")
        @CsvSource(delimiter = '|', value = {
                "4         | PT4S",
                "\"14\"    | PT14S",
                "4.5       | PT4.5S",
                "\"4.5\"   | PT4.5S",
                "\"-1\"    | PT-1S",
                "-1        | PT-1S",
                "0         | PT0S",
                "null      | ",
        })
        void durationIsSecondsFromANumberOrANumericString(String wire, Duration expected) {
            assertThat(decodeWith("\"duration\": " + wire).duration()).isEqualTo(expected);
        }

        @Test
        void priceAsANumberKeepsItsExactDecimalValue() {
            BigDecimal price = decodeWith("\"price\": -0.0025").price();
            assertThat(price).isEqualTo(new BigDecimal("-0.0025"));
            assertThat(price.scale()).isEqualTo(4);
        }

        @Test
        void priceAsAStringIsADecimalAndBlankIsNull() {
            assertThat(decodeWith("\"price\": \"-0.0050\"").price()).isEqualByComparingTo("-0.005");
            assertThat(decodeWith("\"price\": \"\"").price()).isNull();
            assertThat(decodeWith("\"price\": null").price()).isNull();
        }

        @ParameterizedTest(name = "[{index}] error_code {0}")
        @ValueSource(strings = {"16101", "\"16101\"", "\" 16101 \"", "16101.0"})
        void errorCodeIsAnIntFromANumberOrANumericString(String wire) {
            assertThat(decodeWith("\"error_code\": " + wire).errorCode()).isEqualTo(16101);
        }

        @Test
        void channelsFallBackToChannelThenToOne() {
            assertThat(decodeWith("\"channel\": 2").channels()).isEqualTo(2);
            assertThat(decodeWith("\"channel\": \"1\", \"channels\": \"2\"").channels()).isEqualTo(2);
            assertThat(decodeWith("\"channels\": 2, \"channel\": 1").channels()).isEqualTo(2);
            assertThat(decodeWith("\"price_unit\": \"USD\"").channels()).isEqualTo(1);
        }

        @Test
        void unknownFieldsAreIgnoredHoweverDeeplyNested() {
            Recording r = decode("{\"future\": {\"sid\": \"nested-sid\", \"deep\": [{\"status\": \"failed\"}, [1, [2]]]},"
                    + " \"sid\": \"" + RECORDING_SID + "\", \"flag\": true, \"n\": 1e3, \"list\": [\"a\", {\"b\": null}],"
                    + " \"status\": \"completed\", \"subresource_uris\": {\"x\": \"/y\"}}");

            assertThat(r.sid()).isEqualTo(RECORDING_SID);
            assertThat(r.status()).isEqualTo(RecordingStatus.COMPLETED);
        }

        @Test
        void aMinimalDocumentHasDefaultsForEverythingButTheSid() {
            Recording r = decode("{\"sid\": \"" + RECORDING_SID + "\"}");

            assertThat(r.sid()).isEqualTo(RECORDING_SID);
            assertThat(r.channels()).isEqualTo(1);
            assertThat(r.source()).isEqualTo(RecordingSource.UNKNOWN);
            assertThat(r.status()).isEqualTo(RecordingStatus.UNKNOWN);
            assertThat(r.rawSource()).isNull();
            assertThat(r.rawStatus()).isNull();
            assertThat(r.duration()).isNull();
            assertThat(r.price()).isNull();
            assertThat(r.errorCode()).isNull();
        }

        @Test
        void surroundingWhitespaceIsTolerated() {
            assertThat(decode("\n  {\"sid\": \"" + RECORDING_SID + "\"}\n").sid()).isEqualTo(RECORDING_SID);
        }

        @Test
        void aUtf8ByteOrderMarkIsTolerated() {
            byte[] doc = utf8("{\"sid\": \"" + RECORDING_SID + "\"}");
            byte[] withBom = new byte[doc.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(doc, 0, withBom, 3, doc.length);
            assertThat(decode(withBom).sid()).isEqualTo(RECORDING_SID);
        }
    }

    @Nested
    @DisplayName("a 200 that is not a recording document")
    class NotARecording {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {
                "{\"sid\": ",
                "not json",
                "<html><body>Login</body></html>",
                "\"a string\"",
                "42",
                "null",
                "[]",
                "[{\"sid\": \"19e436af-5688-4307-b03b-bdb2b42b8142\"}]",
                "{}",
                "{\"sid\": null}",
                "{\"sid\": \"  \"}",
                "{\"sid\": {\"a\": 1}}",
                "{\"sid\": \"x\", \"date_created\": \"yesterday\"}",
                "{\"sid\": \"x\", \"date_created\": \"Tue, 25 Sep 2018 25:00:00 +0000\"}",
                "{\"sid\": \"x\", \"duration\": \"long\"}",
                "{\"sid\": \"x\", \"price\": \"free\"}",
                "{\"sid\": \"x\", \"error_code\": 1.5}",
                "{\"sid\": \"x\", \"channels\": 99999999999}",
                "{\"sid\": \"x\"} {\"sid\": \"y\"}",
                "{\"sid\": \"x\"} trailing",
                "",
        })
        void isAnUnexpectedResponseWithTheStatusAndNoCredentials(String body) {
            assertThatThrownBy(() -> decode(body))
                    .isExactlyInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("/Recordings/" + RECORDING_SID + ".json")
                    .hasMessageContaining("200")
                    .hasMessageNotContaining(TOKEN)
                    .hasMessageNotContaining(BASIC_B64)
                    .satisfies(e -> assertThat(((UnexpectedResponseException) e).httpStatus()).isEqualTo(200));
        }

        @Test
        void aBadDateIsNamedInTheMessage() {
            assertThatThrownBy(() -> decodeWith("\"date_created\": \"yesterday\""))
                    .isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("date_created");
        }

        @Test
        void controlCharactersFromTheBodyDoNotReachTheMessage() {
            assertThatThrownBy(() -> decodeWith("\"date_created\": \"x\\r\\nFORGED LOG LINE\""))
                    .isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageNotContaining("\r")
                    .hasMessageNotContaining("\n");
        }

        @Test
        void a201IsStillDecodedAsSuccess() {
            assertThat(protocol.decodeRecording(request, 201, null, json(), fixture("recording-spec.json")).sid())
                    .isEqualTo("19e436af-5688-4307-b03b-bdb2b42b8142");
        }
    }
}
