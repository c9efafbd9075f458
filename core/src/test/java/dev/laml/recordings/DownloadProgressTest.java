package dev.laml.recordings;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DownloadProgressTest {

    @Test
    void snapshotsReportDoneTotalFractionAndRate() {
        AtomicLong nanos = new AtomicLong(1_000);
        DownloadProgress progress = new DownloadProgress(nanos::get);
        progress.started();
        assertThat(progress.snapshot().fraction()).isEqualTo(-1.0);

        progress.total(1000);
        progress.delivered(250);
        nanos.addAndGet(500_000_000);
        DownloadProgress.Snapshot s = progress.snapshot();

        assertThat(s.bytesDone()).isEqualTo(250);
        assertThat(s.totalBytes()).isEqualTo(1000);
        assertThat(s.fraction()).isEqualTo(0.25);
        assertThat(s.elapsed()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.bytesPerSecond()).isEqualTo(500.0);

        progress.started(); // a second download resets
        assertThat(progress.snapshot().bytesDone()).isZero();
    }
}
