package dev.laml.recordings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("AudioFormat, RecordingStatus and RecordingSource")
class EnumsTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"WAV, .wav, audio/x-wav", "MP3, .mp3, audio/mpeg"})
    void anAudioFormatKnowsItsExtensionAndMediaType(AudioFormat format, String extension, String mediaType) {
        assertThat(format.extension()).isEqualTo(extension);
        assertThat(format.mediaType()).isEqualTo(mediaType);
    }

    @Test
    void thereAreExactlyTwoAudioFormats() {
        assertThat(AudioFormat.values()).containsExactly(AudioFormat.WAV, AudioFormat.MP3);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource({
            "in-progress, IN_PROGRESS",
            "paused,      PAUSED",
            "stopped,     STOPPED",
            "completed,   COMPLETED",
            "absent,      ABSENT",
            "failed,      FAILED",
            "COMPLETED,   COMPLETED",
            "In-Progress, IN_PROGRESS",
            "' failed ',  FAILED",
            "processing,  UNKNOWN",
            "deleted,     UNKNOWN",
            "in_progress, UNKNOWN",
            "complete,    UNKNOWN",
    })
    void aStatusIsReadIgnoringCaseWithUnknownValuesKeptApart(String wire, RecordingStatus expected) {
        assertThat(RecordingStatus.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = {" "})
    void aMissingStatusOrSourceIsUnknown(String wire) {
        assertThat(RecordingStatus.fromWire(wire)).isEqualTo(RecordingStatus.UNKNOWN);
        assertThat(RecordingSource.fromWire(wire)).isEqualTo(RecordingSource.UNKNOWN);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource({
            "DialVerb,                    DIAL_VERB",
            "Conference,                  CONFERENCE",
            "RecordVerb,                  RECORD_VERB",
            "Trunking,                    TRUNKING",
            "StartCallRecordingAPI,       START_CALL_RECORDING_API",
            "dialverb,                    DIAL_VERB",
            "RECORDVERB,                  RECORD_VERB",
            "' Conference ',              CONFERENCE",
            "StartConferenceRecordingAPI, UNKNOWN",
            "OutboundAPI,                 UNKNOWN",
            "Dial Verb,                   UNKNOWN",
            "DIAL_VERB,                   UNKNOWN",
    })
    void aSourceIsReadIgnoringCaseWithUnknownValuesKeptApart(String wire, RecordingSource expected) {
        assertThat(RecordingSource.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = RecordingStatus.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyListedStatusRoundTripsThroughItsWireValue(RecordingStatus status) {
        assertThat(RecordingStatus.fromWire(status.wireValue())).isSameAs(status);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = RecordingSource.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyListedSourceRoundTripsThroughItsWireValue(RecordingSource source) {
        assertThat(RecordingSource.fromWire(source.wireValue())).isSameAs(source);
    }

    @Test
    void unknownHasNoWireValue() {
        assertThat(RecordingStatus.UNKNOWN.wireValue()).isNull();
        assertThat(RecordingSource.UNKNOWN.wireValue()).isNull();
    }
}
