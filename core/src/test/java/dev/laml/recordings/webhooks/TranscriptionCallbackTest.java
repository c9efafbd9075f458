package dev.laml.recordings.webhooks;

import dev.laml.recordings.TranscriptionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TranscriptionCallback}: the transcription callback's fields, typed and checked. */
class TranscriptionCallbackTest {

    private static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";
    private static final String TRANSCRIPTION = "b3877c40-da60-4998-90ad-b792e98472f1";
    private static final String RECORDING = "19e436af-5688-4307-b03b-bdb2b42b8142";
    private static final URI BASE = URI.create("https://example.signalwire.com");
    private static final String TRANSCRIPTION_URL = BASE + "/api/laml/2010-04-01/Accounts/" + ACCOUNT
            + "/Transcriptions/" + TRANSCRIPTION;
    private static final String RECORDING_URL = BASE + "/api/laml/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/"
            + RECORDING;

    /** The specification's fields, as SignalWire sends them (no AccountSid). */
    private static Map<String, List<String>> form() {
        Map<String, List<String>> form = new LinkedHashMap<>();
        form.put("TranscriptionSid", List.of(TRANSCRIPTION));
        form.put("TranscriptionText", List.of("Hello, I'd like to schedule an appointment for next Tuesday."));
        form.put("TranscriptionStatus", List.of("completed"));
        form.put("TranscriptionUrl", List.of(TRANSCRIPTION_URL));
        form.put("RecordingSid", List.of(RECORDING));
        form.put("RecordingUrl", List.of(RECORDING_URL));
        return form;
    }

    @Test
    void theSpecificationsFieldsDecodeAndTheAccountComesFromTheTranscriptionUrl() {
        TranscriptionCallback c = TranscriptionCallback.fromForm(form());

        assertThat(c.accountSid()).isEqualTo(ACCOUNT);
        assertThat(c.transcriptionSid()).isEqualTo(TRANSCRIPTION);
        assertThat(c.recordingSid()).isEqualTo(RECORDING);
        assertThat(c.callSid()).isNull();
        assertThat(c.status()).isEqualTo(TranscriptionStatus.COMPLETED);
        assertThat(c.isCompleted()).isTrue();
        assertThat(c.transcriptionText()).isEqualTo("Hello, I'd like to schedule an appointment for next Tuesday.");
        assertThat(c.field("RecordingUrl")).isEqualTo(RECORDING_URL);
        assertThat(TranscriptionCallback.isTranscription(form())).isTrue();
        c.checkUrl(BASE);
    }

    @Test
    void aRecordingStatusCallbackIsNoTranscriptionCallback() {
        assertThat(TranscriptionCallback.isTranscription(Map.of("RecordingSid", List.of(RECORDING),
                "RecordingStatus", List.of("completed")))).isFalse();
    }

    @Test
    void anAccountSidFieldWinsAndMustMatchTheUrls() {
        Map<String, List<String>> form = form();
        String other = "00000000-0000-4000-8000-000000000001";
        form.put("AccountSid", List.of(other));

        TranscriptionCallback c = TranscriptionCallback.fromForm(form);

        assertThat(c.accountSid()).isEqualTo(other);
        assertThatThrownBy(() -> c.checkUrl(BASE)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("another account");
    }

    @Test
    void failedTranscriptionsAndUnknownStatusesAreKept() {
        Map<String, List<String>> form = form();
        form.remove("TranscriptionText");
        form.put("TranscriptionStatus", List.of("failed"));
        assertThat(TranscriptionCallback.fromForm(form).status()).isEqualTo(TranscriptionStatus.FAILED);
        assertThat(TranscriptionCallback.fromForm(form).transcriptionText()).isNull();

        form.put("TranscriptionStatus", List.of("queued"));
        TranscriptionCallback queued = TranscriptionCallback.fromForm(form);
        assertThat(queued.status()).isEqualTo(TranscriptionStatus.UNKNOWN);
        assertThat(queued.rawStatus()).isEqualTo("queued");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TranscriptionSid", "RecordingSid", "TranscriptionStatus"})
    void aMissingRequiredFieldIsMalformed(String field) {
        Map<String, List<String>> form = form();
        form.remove(field);

        assertThatThrownBy(() -> TranscriptionCallback.fromForm(form)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining(field);
    }

    @Test
    void withoutAccountSidOrTranscriptionUrlTheAccountIsUnknown() {
        Map<String, List<String>> form = form();
        form.remove("TranscriptionUrl");

        assertThatThrownBy(() -> TranscriptionCallback.fromForm(form)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("AccountSid");
    }

    @Test
    void sidsThatAreNotUuidsAndRepeatedFieldsAreMalformed() {
        Map<String, List<String>> bad = form();
        bad.put("RecordingSid", List.of("../../x"));
        assertThatThrownBy(() -> TranscriptionCallback.fromForm(bad)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("RecordingSid");
        Map<String, List<String>> twice = form();
        twice.put("TranscriptionSid", List.of(TRANSCRIPTION, "00000000-0000-4000-8000-000000000001"));
        assertThatThrownBy(() -> TranscriptionCallback.fromForm(twice)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("2 times");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://evil.example.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/19e436af-5688-4307-b03b-bdb2b42b8142",
            "https://example.signalwire.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/00000000-0000-4000-8000-000000000001",
            "https://example.signalwire.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/19e436af-5688-4307-b03b-bdb2b42b8142?x=1",
            "https://example.signalwire.com/admin",
            "http://example.signalwire.com/api/laml/2010-04-01/Accounts/720796a0-8ee9-4350-83bd-2d07a3121f1e/Recordings/19e436af-5688-4307-b03b-bdb2b42b8142"})
    void aRecordingUrlNamingAnythingElseIsRefused(String url) {
        Map<String, List<String>> form = form();
        form.put("RecordingUrl", List.of(url));

        assertThatThrownBy(() -> TranscriptionCallback.fromForm(form).checkUrl(BASE))
                .isInstanceOf(MalformedCallbackException.class).hasMessageContaining("RecordingUrl");
    }

    @Test
    void aTranscriptionUrlOnAnotherHostIsRefusedEvenThoughItNamedTheAccount() {
        Map<String, List<String>> form = form();
        form.put("TranscriptionUrl", List.of(TRANSCRIPTION_URL.replace("example.signalwire.com", "evil.example.com")));

        TranscriptionCallback c = TranscriptionCallback.fromForm(form);

        assertThat(c.accountSid()).isEqualTo(ACCOUNT);
        assertThatThrownBy(() -> c.checkUrl(BASE)).isInstanceOf(MalformedCallbackException.class)
                .hasMessageContaining("another host");
    }

    @Test
    void urlsWithoutTheApiPrefixOrWithAnExtensionMatch() {
        Map<String, List<String>> form = form();
        form.put("TranscriptionUrl", List.of(TRANSCRIPTION_URL.replace("/api/laml", "") + ".json"));
        form.put("RecordingUrl", List.of(RECORDING_URL + ".mp3"));

        TranscriptionCallback.fromForm(form).checkUrl(BASE);
    }
}
