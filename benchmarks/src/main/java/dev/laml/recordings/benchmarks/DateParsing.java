package dev.laml.recordings.benchmarks;

import dev.laml.recordings.internal.HttpDates;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Micro-benchmark behind a MetadataFetch finding: core's {@code HttpDates.parse} (4 dates per
 * recording; a hand-written fast path for the API's fixed layout) against the JDK's strict
 * RFC 1123 formatter it used to rely on alone. Setup checks that both give the same answer on
 * 10,000 random dates and on the fixture's, invalid ones included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class DateParsing {

    private static final DateTimeFormatter JDK =
            DateTimeFormatter.RFC_1123_DATE_TIME.withResolverStyle(ResolverStyle.STRICT);

    private final String date = "Tue, 25 Sep 2018 23:00:00 +0000";

    @Setup
    public void check() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            OffsetDateTime t = OffsetDateTime.of(1970 + r.nextInt(100), 1 + r.nextInt(12), 1 + r.nextInt(28),
                    r.nextInt(24), r.nextInt(60), r.nextInt(60), 0, ZoneOffset.ofHoursMinutes(r.nextInt(-12, 13), 0));
            String text = HttpDates.format(t);
            if (!Objects.equals(HttpDates.parse(text), jdk(text))) {
                throw new IllegalStateException("parsers disagree on " + text);
            }
        }
        for (String s : new String[] {date, "Wed, 26 Sep 2018 23:00:04 +0000", "Sun, 31 Sep 2018 23:00:04 +0000"}) {
            Object a;
            Object b;
            try {
                a = HttpDates.parse(s);
            } catch (RuntimeException e) {
                a = e.getClass();
            }
            try {
                b = jdk(s);
            } catch (RuntimeException e) {
                b = e.getClass();
            }
            if (!Objects.equals(a, b)) {
                throw new IllegalStateException("parsers disagree on " + s + ": " + a + " vs " + b);
            }
        }
    }

    private static OffsetDateTime jdk(String text) {
        return OffsetDateTime.parse(text, JDK);
    }

    @Benchmark
    public OffsetDateTime core() {
        return HttpDates.parse(date);
    }

    @Benchmark
    public OffsetDateTime jdkFormatter() {
        return jdk(date);
    }
}
