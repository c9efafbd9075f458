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
    void an_audio_format_knows_its_extension_and_media_type(AudioFormat format, String extension, String mediaType) {
        assertThat(format.extension()).isEqualTo(extension);
        assertThat(format.mediaType()).isEqualTo(mediaType);
    }

    @Test
    void there_are_exactly_two_audio_formats() {
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
    void a_status_is_read_ignoring_case_with_unknown_values_kept_apart(String wire, RecordingStatus expected) {
        assertThat(RecordingStatus.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = {" "})
    void a_missing_status_or_source_is_unknown(String wire) {
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
    void a_source_is_read_ignoring_case_with_unknown_values_kept_apart(String wire, RecordingSource expected) {
        assertThat(RecordingSource.fromWire(wire)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = RecordingStatus.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void every_listed_status_round_trips_through_its_wire_value(RecordingStatus status) {
        assertThat(RecordingStatus.fromWire(status.wireValue())).isSameAs(status);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = RecordingSource.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void every_listed_source_round_trips_through_its_wire_value(RecordingSource source) {
        assertThat(RecordingSource.fromWire(source.wireValue())).isSameAs(source);
    }

    @Test
    void unknown_has_no_wire_value() {
        assertThat(RecordingStatus.UNKNOWN.wireValue()).isNull();
        assertThat(RecordingSource.UNKNOWN.wireValue()).isNull();
    }
}
