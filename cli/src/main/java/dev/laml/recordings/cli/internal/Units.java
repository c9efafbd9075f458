package dev.laml.recordings.cli.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * Number formatting for people: byte counts, sizes, rates and durations, always with the same locale so that output
 * (and the tests that read it) do not depend on the machine.
 *
 * <p>Stateless and thread-safe.
 */
final class Units {

    private Units() {
    }

    /** {@code 64296992} as {@code 64,296,992}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Binary units, as file managers show sizes: {@code 17.0 KiB}, {@code 61.3 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        do {
            v /= 1024;
            i++;
        } while (v >= 1024 && i < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** Decimal megabytes per second (10^6 bytes), the usual unit for throughput; {@code -} when no time passed. */
    static String mbPerSecond(long bytes, long nanos) {
        if (nanos <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6 / (nanos / 1e9));
    }

    /** {@code 0.84 s}, {@code 12.3 s}, {@code 2 min 05 s}. */
    static String elapsed(long nanos) {
        double s = nanos / 1e9;
        if (s < 10) {
            return String.format(Locale.ROOT, "%.2f s", s);
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        long whole = Math.round(s);
        return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
    }

    /** A recording's length: {@code 83 s (1:23)}; fractions of a second kept when the API sent them. */
    static String recordingLength(Duration d) {
        if (d.isNegative()) {
            return d.getSeconds() + " s (still in progress)";
        }
        long s = d.getSeconds();
        String seconds = d.getNano() == 0 ? Long.toString(s)
                : String.format(Locale.ROOT, "%.3f", s + d.getNano() / 1e9).replaceAll("0+$", "");
        return String.format(Locale.ROOT, "%s s (%d:%02d)", seconds, s / 60, s % 60);
    }
}
