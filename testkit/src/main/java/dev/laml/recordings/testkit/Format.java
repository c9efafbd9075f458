package dev.laml.recordings.testkit;

/**
 * The audio representations a recording is served in.
 *
 * <p>The testkit's own enum rather than the client's, so that the testkit stays independent of the library it tests.
 * Immutable and thread-safe.
 */
public enum Format {
    /** 16-bit PCM, 8 kHz, in a RIFF/WAVE container; also what the extension-less media URL serves. */
    WAV(".wav", "audio/x-wav"),
    /** MPEG-1 Layer III, 128 kbps, 44.1 kHz. */
    MP3(".mp3", "audio/mpeg");

    private final String extension;
    private final String contentType;

    Format(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    /** The URL suffix, with its dot: {@code ".wav"} or {@code ".mp3"}. */
    public String extension() {
        return extension;
    }

    /** The {@code Content-Type} the server sends for this format. */
    public String contentType() {
        return contentType;
    }
}
