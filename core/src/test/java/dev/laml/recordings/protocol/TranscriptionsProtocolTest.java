package dev.laml.recordings.protocol;

import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.Transcription;
import dev.laml.recordings.TranscriptionPage;
import dev.laml.recordings.TranscriptionQuery;
import dev.laml.recordings.TranscriptionStatus;
import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.fixture;
import static dev.laml.recordings.TestData.json;
import static dev.laml.recordings.TestData.noHeaders;
import static dev.laml.recordings.TestData.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Transcriptions: what goes on the wire for list, list of a recording, fetch and delete, and what answers mean. */
class TranscriptionsProtocolTest {

    private static final String ORIGIN = "https://example.signalwire.com";
    private static final String ACCOUNT = "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID;
    private static final String TRANSCRIPTION_SID = "b3877c40-da60-4998-90ad-b792e98472f1";

    private final TranscriptionsProtocol protocol = TranscriptionsProtocol.of(
            RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).credentials(credentials()).build());

    @Nested
    class Requests {

        @Test
        void anAccountListCarriesPageSizeAndDateFiltersInRfc2822AndCredentials() {
            ApiRequest r = protocol.list(ACCOUNT_SID, TranscriptionQuery.all().pageSize(1000)
                    .createdOn(LocalDate.parse("2026-03-04"))
                    .createdBefore(OffsetDateTime.parse("2026-03-05T00:00:00Z"))
                    .createdAfter(OffsetDateTime.parse("2026-03-04T08:00:00+02:00")));

            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.kind()).isEqualTo(ApiRequest.Kind.METADATA);
            assertThat(r.uri()).isEqualTo(URI.create(ORIGIN + ACCOUNT + "/Transcriptions.json?PageSize=1000"
                    + "&DateCreated=2026-03-04"
                    + "&DateCreated%3C=Thu%2C%205%20Mar%202026%2000%3A00%3A00%20%2B0000"
                    + "&DateCreated%3E=Wed%2C%204%20Mar%202026%2006%3A00%3A00%20%2B0000"));
            assertThat(r.headers()).containsEntry("Authorization", "Basic " + BASIC_B64)
                    .containsEntry("Accept", "application/json");
        }

        @Test
        void anUnfilteredListAsksForTheDefaultPage() {
            assertThat(protocol.list(ACCOUNT_SID, TranscriptionQuery.all()).uri())
                    .isEqualTo(URI.create(ORIGIN + ACCOUNT + "/Transcriptions.json?PageSize=50"));
        }

        @Test
        void aRecordingsTranscriptionsAreItsSubresource() {
            ApiRequest r = protocol.listForRecording(ACCOUNT_SID, RECORDING_SID, 20);

            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.uri()).isEqualTo(URI.create(ORIGIN + ACCOUNT + "/Recordings/" + RECORDING_SID
                    + "/Transcriptions.json?PageSize=20"));
            assertThat(r.headers()).containsEntry("Authorization", "Basic " + BASIC_B64);
        }

        @Test
        void fetchAndDeleteNameOneTranscription() {
            ApiRequest fetch = protocol.fetch(ACCOUNT_SID, TRANSCRIPTION_SID);
            ApiRequest delete = protocol.delete(ACCOUNT_SID, TRANSCRIPTION_SID);

            URI one = URI.create(ORIGIN + ACCOUNT + "/Transcriptions/" + TRANSCRIPTION_SID + ".json");
            assertThat(fetch.method()).isEqualTo("GET");
            assertThat(fetch.uri()).isEqualTo(one);
            assertThat(delete.method()).isEqualTo("DELETE");
            assertThat(delete.uri()).isEqualTo(one);
            assertThat(delete.headers()).containsEntry("Authorization", "Basic " + BASIC_B64);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "../Recordings/x", "b3877c40-da60-4998-90ad-b792e98472tr",
                "b3877c40-da60-4998-90ad-b792e98472f1/../x", "b3877c40-da60-4998-90ad-b792e98472f1?x=1"})
        void everyIdIsValidatedBeforeARequestExists(String bad) {
            assertThatThrownBy(() -> protocol.fetch(ACCOUNT_SID, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("transcriptionSid");
            assertThatThrownBy(() -> protocol.delete(ACCOUNT_SID, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("transcriptionSid");
            assertThatThrownBy(() -> protocol.fetch(bad, TRANSCRIPTION_SID)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("accountSid");
            assertThatThrownBy(() -> protocol.list(bad, TranscriptionQuery.all()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accountSid");
            assertThatThrownBy(() -> protocol.listForRecording(ACCOUNT_SID, bad, 50))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recordingSid");
        }

        @Test
        void queriesAndPageSizesValidateAtCallTime() {
            assertThatThrownBy(() -> TranscriptionQuery.all().pageSize(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TranscriptionQuery.all().pageSize(1001)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> protocol.listForRecording(ACCOUNT_SID, RECORDING_SID, 1001))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageSize");
            assertThatThrownBy(() -> protocol.list(ACCOUNT_SID, null)).isInstanceOf(IllegalArgumentException.class);
            assertThat(TranscriptionQuery.all().pageSize(10)).isEqualTo(TranscriptionQuery.all().pageSize(10))
                    .isNotEqualTo(TranscriptionQuery.all());
        }

        @Test
        void withoutCredentialsNoAuthorizationIsSent() {
            TranscriptionsProtocol anonymous = TranscriptionsProtocol.of(
                    RecordingsProtocol.builder(ApiEndpoint.forSpace("example")).build());

            assertThat(anonymous.fetch(ACCOUNT_SID, TRANSCRIPTION_SID).isAuthenticated()).isFalse();
            assertThat(anonymous.list(ACCOUNT_SID, TranscriptionQuery.all()).headers()).doesNotContainKey("Authorization");
        }

        @Test
        void theProtocolNeverShowsCredentials() {
            assertThat(protocol.toString()).doesNotContain(TOKEN).doesNotContain(BASIC_B64);
            assertThat(protocol.fetch(ACCOUNT_SID, TRANSCRIPTION_SID).toString()).doesNotContain(BASIC_B64);
        }
    }

    @Nested
    class Paging {

        @Test
        void theFixturePageDecodesAndContinuesOnTheConfiguredBaseWithJsonRestored() {
            ApiRequest first = protocol.list(ACCOUNT_SID, TranscriptionQuery.all().pageSize(2));
            TranscriptionPage page = protocol.decodePage(first, 200, "OK", json(), fixture("transcriptions-page.json"));

            assertThat(page.transcriptions()).extracting(Transcription::sid)
                    .containsExactly("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", TRANSCRIPTION_SID);
            assertThat(page.transcriptions().get(0).transcriptionText()).isEqualTo("Café au lait, s'il vous plaît.");
            assertThat(page.transcriptions().get(0).duration()).isEqualTo(Duration.ofSeconds(9));
            assertThat(page.page()).isZero();
            assertThat(page.pageSize()).isEqualTo(2);
            assertThat(page.hasNext()).isTrue();

            ApiRequest next = protocol.nextPage(first, page.nextPageUri());
            assertThat(next.uri()).isEqualTo(URI.create(ORIGIN + ACCOUNT + "/Transcriptions.json"
                    + "?Page=1&PageSize=2&PageToken=PAb3877c40-da60-4998-90ad-b792e98472f1"));
            assertThat(next.headers()).isEqualTo(first.headers());
        }

        @Test
        void aNextPageUriOnAnotherHostOrListIsRefused() {
            ApiRequest first = protocol.list(ACCOUNT_SID, TranscriptionQuery.all());

            assertThatThrownBy(() -> protocol.nextPage(first, "https://evil.example.com" + ACCOUNT + "/Transcriptions.json"))
                    .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("another host");
            assertThatThrownBy(() -> protocol.nextPage(first, ACCOUNT + "/Recordings.json?Page=1"))
                    .isInstanceOf(UnexpectedResponseException.class);
        }

        @Test
        void aRecordingsListContinuesWithinThatRecording() {
            ApiRequest first = protocol.listForRecording(ACCOUNT_SID, RECORDING_SID, 1);
            String list = ACCOUNT + "/Recordings/" + RECORDING_SID + "/Transcriptions";

            assertThat(protocol.nextPage(first, list + "?Page=1&PageSize=1&PageToken=PAx").uri())
                    .isEqualTo(URI.create(ORIGIN + list + ".json?Page=1&PageSize=1&PageToken=PAx"));
            assertThatThrownBy(() -> protocol.nextPage(first, ACCOUNT + "/Transcriptions.json?Page=1"))
                    .isInstanceOf(UnexpectedResponseException.class);
        }

        @Test
        void anEnvelopeWithoutItsArrayIsNotAList() {
            ApiRequest first = protocol.list(ACCOUNT_SID, TranscriptionQuery.all());

            assertThatThrownBy(() -> protocol.decodePage(first, 200, "OK", json(), fixture("recordings-page.json")))
                    .isInstanceOf(UnexpectedResponseException.class).hasMessageContaining("not a transcriptions list");
            assertThat(protocol.decodePage(first, 200, "OK", json(), utf8("{\"transcriptions\": null}"))
                    .transcriptions()).isEmpty();
        }
    }

    @Nested
    class Answers {

        private final ApiRequest fetch = protocol.fetch(ACCOUNT_SID, TRANSCRIPTION_SID);

        @Test
        void theDocumentedShapeDecodesToExactlyWhatItSays() {
            Transcription t = protocol.decodeTranscription(fetch, 200, "OK", json(), fixture("transcription-spec.json"));

            assertThat(t.sid()).isEqualTo(TRANSCRIPTION_SID);
            assertThat(t.accountSid()).isEqualTo(ACCOUNT_SID);
            assertThat(t.apiVersion()).isEqualTo("2010-04-01");
            assertThat(t.recordingSid()).isEqualTo(RECORDING_SID);
            assertThat(t.dateCreated()).isEqualTo(OffsetDateTime.parse("2018-09-27T02:00:00Z"));
            assertThat(t.dateUpdated()).isEqualTo(OffsetDateTime.parse("2018-09-28T03:00:00Z"));
            assertThat(t.duration()).isEqualTo(Duration.ofSeconds(60));
            assertThat(t.price()).isEqualByComparingTo("-0.00025");
            assertThat(t.priceUnit()).isEqualTo("USD");
            assertThat(t.status()).isEqualTo(TranscriptionStatus.COMPLETED);
            assertThat(t.rawStatus()).isEqualTo("completed");
            assertThat(t.isCompleted()).isTrue();
            assertThat(t.transcriptionText()).isEqualTo("Hello, this is a test transcription.");
            assertThat(t.type()).isEmpty();
            assertThat(t.uri()).isEqualTo(ACCOUNT + "/Transcriptions/" + TRANSCRIPTION_SID + ".json");
        }

        @Test
        void aLoosePayloadKeepsWhatItCanAndTheRawStatus() {
            Transcription t = protocol.decodeTranscription(fetch, 200, "OK", json(), fixture("transcription-loose.json"));

            assertThat(t.sid()).isEqualTo("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b");
            assertThat(t.duration()).isEqualTo(Duration.ofMillis(7500));
            assertThat(t.price()).isEqualTo(new BigDecimal("-0.0005"));
            assertThat(t.priceUnit()).isNull();
            assertThat(t.status()).isEqualTo(TranscriptionStatus.UNKNOWN);
            assertThat(t.rawStatus()).isEqualTo("processing");
            assertThat(t.isCompleted()).isFalse();
            assertThat(t.transcriptionText()).isNull();
            assertThat(t.dateUpdated()).isNull();
            assertThat(t.type()).isNull();
            assertThat(t.uri()).startsWith("/2010-04-01/Accounts/");
        }

        @Test
        void numbersAsStringsAndStringsAsNumbersAreTheSame() {
            Transcription asText = decodeWith("\"duration\": \"12\", \"price\": \"-0.01\"");
            Transcription asNumbers = decodeWith("\"duration\": 12, \"price\": -0.01");

            assertThat(asText.duration()).isEqualTo(asNumbers.duration()).isEqualTo(Duration.ofSeconds(12));
            assertThat(asText.price()).isEqualByComparingTo(asNumbers.price());
        }

        @ParameterizedTest
        @ValueSource(strings = {"in-progress", "COMPLETED", " failed "})
        void listedStatusesDecodeWhateverTheirCase(String status) {
            Transcription t = decodeWith("\"status\": \"" + status + "\"");

            assertThat(t.status()).isNotEqualTo(TranscriptionStatus.UNKNOWN);
            assertThat(t.rawStatus()).isEqualTo(status);
        }

        @Test
        void aMinimalDocumentIsEnough() {
            Transcription t = protocol.decodeTranscription(fetch, 200, "OK", json(),
                    utf8("{\"sid\": \"" + TRANSCRIPTION_SID + "\"}"));

            assertThat(t.status()).isEqualTo(TranscriptionStatus.UNKNOWN);
            assertThat(t.rawStatus()).isNull();
            assertThat(t.recordingSid()).isNull();
            assertThat(t.duration()).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"{}", "{\"sid\": null}", "{\"sid\": \"../../Recordings/x\"}", "[]", "not json",
                "{\"sid\": \"b3877c40-da60-4998-90ad-b792e98472f1\", \"duration\": \"long\"}",
                "{\"sid\": \"b3877c40-da60-4998-90ad-b792e98472f1\", \"date_created\": \"yesterday\"}",
                "{\"sid\": \"b3877c40-da60-4998-90ad-b792e98472f1\"} trailing"})
        void aBodyThatIsNoTranscriptionIsAnUnexpectedResponse(String body) {
            assertThatThrownBy(() -> protocol.decodeTranscription(fetch, 200, "OK", json(), utf8(body)))
                    .isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("GET " + ACCOUNT + "/Transcriptions/" + TRANSCRIPTION_SID + ".json");
        }

        @Test
        void errorStatusesBecomeTypedExceptions() {
            assertThatThrownBy(() -> protocol.decodeTranscription(fetch, 404, "Not Found", json(),
                    fixture("error-404.json"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> protocol.decodePage(protocol.list(ACCOUNT_SID, TranscriptionQuery.all()), 401,
                    null, json(), fixture("error-401.json"))).isInstanceOf(AuthenticationException.class);
        }

        @Test
        void aDeleteIsDoneOnAnyTwoHundredAndNotFoundOtherwise() {
            ApiRequest delete = protocol.delete(ACCOUNT_SID, TRANSCRIPTION_SID);

            protocol.checkDeleted(delete, 204, "No Content", noHeaders(), new byte[0]);
            assertThatThrownBy(() -> protocol.checkDeleted(delete, 404, "Not Found", json(), fixture("error-404.json")))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("DELETE " + ACCOUNT + "/Transcriptions/" + TRANSCRIPTION_SID + ".json");
        }

        private Transcription decodeWith(String members) {
            return protocol.decodeTranscription(fetch, 200, "OK", json(),
                    utf8("{\"sid\": \"" + TRANSCRIPTION_SID + "\", " + members + "}"));
        }
    }
}
