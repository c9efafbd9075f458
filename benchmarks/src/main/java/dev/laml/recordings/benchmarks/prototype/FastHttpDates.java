package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.internal.HttpDates;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * PROTOTYPE of a faster {@code HttpDates.parse} (core): the API's dates all look like
 * {@code "Tue, 25 Sep 2018 23:00:00 +0000"}, so parse that fixed layout by hand (same strictness:
 * {@code OffsetDateTime.of} rejects 31 Sep) and fall back to the existing
 * {@code DateTimeFormatter}-based parser for anything else (ISO 8601, {@code GMT}, one-digit
 * days, odd spacing), so the accepted language is unchanged.
 */
public final class FastHttpDates {

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    private FastHttpDates() {
    }

    public static OffsetDateTime parse(String text) {
        if (text != null && text.length() == 31 && text.charAt(3) == ',' && text.charAt(4) == ' ') {
            OffsetDateTime fast = fixed(text);
            if (fast != null) {
                return fast;
            }
        }
        return HttpDates.parse(text);
    }

    /** "EEE, dd MMM yyyy HH:mm:ss +hhmm" or null when the text is not exactly that. */
    private static OffsetDateTime fixed(String s) {
        if (s.charAt(7) != ' ' || s.charAt(11) != ' ' || s.charAt(16) != ' ' || s.charAt(19) != ':'
                || s.charAt(22) != ':' || s.charAt(25) != ' ') {
            return null;
        }
        int day = digits(s, 5, 2);
        int month = MONTHS.indexOf(s.substring(8, 11));
        int year = digits(s, 12, 4);
        int hour = digits(s, 17, 2);
        int minute = digits(s, 20, 2);
        int second = digits(s, 23, 2);
        char sign = s.charAt(26);
        int oh = digits(s, 27, 2);
        int om = digits(s, 29, 2);
        if (day < 0 || month < 0 || month % 3 != 0 || year < 0 || hour < 0 || minute < 0 || second < 0
                || oh < 0 || om < 0 || (sign != '+' && sign != '-')) {
            return null;
        }
        try {
            int offsetSeconds = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
            OffsetDateTime t = OffsetDateTime.of(year, month / 3 + 1, day, hour, minute, second, 0,
                    ZoneOffset.ofTotalSeconds(offsetSeconds));
            // The weekday is not checked, as in HttpDates (it strips it before parsing).
            return t;
        } catch (DateTimeException e) {
            return null; // let the reference parser produce its own error
        }
    }

    private static int digits(String s, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
