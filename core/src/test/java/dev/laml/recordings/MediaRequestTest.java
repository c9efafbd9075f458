package dev.laml.recordings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("MediaRequest: what audio to fetch, as an immutable value validated at once")
class MediaRequestTest {

    private static final String ACCOUNT = "a1b2c3d4-0000-4000-8000-000000000001";
    private static final String RECORDING = "b1b2c3d4-0000-4000-8000-000000000002";

    @Test
    void aRecordingRequestHoldsItsIdsAndFormatAndNoOptions() {
        MediaRequest r = MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3);

        assertThat(r.accountSid()).isEqualTo(ACCOUNT);
        assertThat(r.recordingSid()).isEqualTo(RECORDING);
        assertThat(r.format()).isEqualTo(AudioFormat.MP3);
        assertThat(r.mediaUrl()).isNull();
        assertThat(r.range()).isNull();
        assertThat(r.progress()).isNull();
    }

    @Test
    void aUrlRequestHoldsTheUrlAndNoIds() {
        URI url = URI.create("https://example.signalwire.com/api/laml/2010-04-01/Accounts/x/Recordings/y.mp3");
        MediaRequest r = MediaRequest.of(url);

        assertThat(r.mediaUrl()).isEqualTo(url);
        assertThat(r.accountSid()).isNull();
        assertThat(r.recordingSid()).isNull();
        assertThat(r.format()).isNull();
    }

    @Test
    void copiesChangeOneOptionAndLeaveTheOriginalAlone() {
        MediaRequest plain = MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.WAV);
        DownloadProgress progress = new DownloadProgress();

        MediaRequest both = plain.range(ByteRange.of(0, 99)).progress(progress);

        assertThat(both.range()).isEqualTo(ByteRange.of(0, 99));
        assertThat(both.progress()).isSameAs(progress);
        assertThat(both.accountSid()).isEqualTo(ACCOUNT);
        assertThat(plain.range()).isNull();
        assertThat(plain.progress()).isNull();
        assertThat(both.range(null).progress(null)).isEqualTo(plain);
    }

    @Test
    void equalRequestsAskForTheSameAudioAndReportToTheSameProgress() {
        DownloadProgress progress = new DownloadProgress();
        MediaRequest a = MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.last(10)).progress(progress);
        MediaRequest b = MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.last(10)).progress(progress);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(b.progress(new DownloadProgress()));
        assertThat(a).isNotEqualTo(b.range(ByteRange.last(11)));
        assertThat(a.progress(null)).isNotEqualTo(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.WAV));
        assertThat(MediaRequest.of(URI.create("https://h.example/a.mp3")))
                .isEqualTo(MediaRequest.of(URI.create("https://h.example/a.mp3")))
                .isNotEqualTo(MediaRequest.of(URI.create("https://h.example/b.mp3")));
    }

    @Test
    void toStringShowsWhatIsAskedButNotAUrlsQuery() {
        assertThat(MediaRequest.of(ACCOUNT, RECORDING, AudioFormat.MP3).range(ByteRange.of(0, 1023))
                .progress(new DownloadProgress()))
                .hasToString("MediaRequest[account=" + ACCOUNT + ", recording=" + RECORDING
                        + ", format=MP3, range=bytes=0-1023, progress]");
        MediaRequest signed = MediaRequest.of(URI.create("https://cdn.example.com:8443/r/a.mp3?Signature=s3cr3t&Expires=1"));
        assertThat(signed).hasToString("MediaRequest[url=https://cdn.example.com:8443/r/a.mp3?…]");
        assertThat(signed.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void idsMustBeUuidsAndTheFormatPresent() {
        assertThatThrownBy(() -> MediaRequest.of("../admin", RECORDING, AudioFormat.MP3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("accountSid must be a UUID");
        assertThatThrownBy(() -> MediaRequest.of(ACCOUNT, null, AudioFormat.MP3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("recordingSid must be a UUID");
        assertThatThrownBy(() -> MediaRequest.of(ACCOUNT, RECORDING, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("format must not be null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/relative/a.mp3", "ftp://example.com/a.mp3", "file:///etc/passwd", "https:opaque",
            "https:///no-host", "https://example.com:0/a.mp3", "https://example.com:70000/a.mp3", "mailto:a@example.com"})
    void aUrlMustBeAbsoluteHttpWithAHostAndAPort(String url) {
        assertThatThrownBy(() -> MediaRequest.of(URI.create(url)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("mediaUrl must");
    }

    @Test
    void aUrlWithUserInfoIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> MediaRequest.of(URI.create("https://user:pa55word@example.com/a.mp3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user info")
                .hasMessageNotContaining("pa55word");
        assertThatThrownBy(() -> MediaRequest.of((URI) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mediaUrl must not be null");
    }
}
