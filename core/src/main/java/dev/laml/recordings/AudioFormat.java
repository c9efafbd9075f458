package dev.laml.recordings;

/**
 * The audio encodings a recording can be downloaded in. The format is chosen by the URL's
 * extension: no extension or {@code .wav} serves WAV, {@code .mp3} serves MP3.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum AudioFormat {

    /** 16-bit PCM in a RIFF/WAVE container, {@code audio/x-wav}; the largest and lossless. */
    WAV(".wav", "audio/x-wav"),

    /** MPEG-1 Layer III, {@code audio/mpeg}; roughly a tenth of the WAV's size. */
    MP3(".mp3", "audio/mpeg");

    private final String extension;
    private final String mediaType;

    AudioFormat(String extension, String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    /** The URL suffix that selects this format, with its dot: {@code ".wav"} or {@code ".mp3"}; never null. */
    public String extension() {
        return extension;
    }

    /** The media type servers label this format with; never null. */
    public String mediaType() {
        return mediaType;
    }
}
