package dev.laml.recordings.cli.internal;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.testkit.Format;

/**
 * The {@code --format} values, lower-case as users type them, mapped to the client's and the testkit's enums (which
 * are deliberately separate types).
 *
 * <p>Immutable and thread-safe, as every enum.
 */
enum Fmt {
    wav(AudioFormat.WAV, Format.WAV),
    mp3(AudioFormat.MP3, Format.MP3);

    final AudioFormat audio;
    final Format testkit;

    Fmt(AudioFormat audio, Format testkit) {
        this.audio = audio;
        this.testkit = testkit;
    }
}
