package dev.laml.recordings.player;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The player in a real browser: headless Chromium (Debian's package) loads the page, its audio elements load the
 * MP3s' metadata through the player from the testkit, and a seek becomes a {@code Range} request that reaches the
 * testkit. Fails, with the install command, where Chromium or ChromeDriver is missing ({@link HeadlessChromium}).
 */
class PlayerBrowserTest {

    /** Ten minutes of 128 kbps MP3, 9.6 MB: long enough that the browser cannot have its middle before it seeks. */
    private static final int LONG_SECONDS = 600;

    private static RecordingsServer api;
    private static RunningPlayer player;
    private static ChromeDriver browser;
    private static TestRecording longest;
    private static TestRecording shorter;
    private static TestRecording oldest;

    @BeforeAll
    static void start() {
        browser = HeadlessChromium.start(); // first: where Chromium is missing, fail before starting anything else
        api = RecordingsServer.start();
        OffsetDateTime day = OffsetDateTime.of(2026, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);
        oldest = api.addRecording(RecordingSpec.create().seed(1).durationSeconds(30).dateCreated(day));
        shorter = api.addRecording(RecordingSpec.create().seed(2).durationSeconds(95).dateCreated(day.plusHours(1)));
        longest = api.addRecording(RecordingSpec.create().seed(3).durationSeconds(LONG_SECONDS)
                .dateCreated(day.plusHours(2)));
        player = RunningPlayer.start(api);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        RunningPlayer.stop(player, api);
    }

    @Test
    void listsTheRecordingsPlaysTheirMetadataAndSeeksWithARangeRequest() throws IOException {
        browser.get(player.baseUrl() + "/");

        assertThat(browser.getTitle()).isEqualTo("Recordings");
        List<WebElement> rows = browser.findElements(By.cssSelector("#recordings tbody tr"));
        assertThat(rows).extracting(row -> row.getDomAttribute("data-sid"))
                .containsExactly(longest.sid(), shorter.sid(), oldest.sid()); // newest first
        assertThat(rows.get(0).getText()).contains("2026-03-01 11:00:00", "10:00", "completed");
        assertThat(rows.get(1).getText()).contains("1:35");

        // Every audio element learns its duration from the MP3 through the player (preload="metadata").
        for (TestRecording recording : List.of(longest, shorter, oldest)) {
            WebElement audio = browser.findElement(By.cssSelector("tr[data-sid='" + recording.sid() + "'] audio"));
            awaitTrue(() -> readyState(audio) >= 1, "readyState >= 1 (HAVE_METADATA) for " + recording
                    + ", media error: " + browser.executeScript("return arguments[0].error && arguments[0].error.message",
                    audio));
            double duration = ((Number) browser.executeScript("return arguments[0].duration", audio)).doubleValue();
            assertThat(duration).as("duration of " + recording).isCloseTo(recording.durationSeconds(), within(0.5));
        }

        // Seek past the middle: Chromium asks for the bytes from there on (its requests start on 32 KiB block
        // boundaries, so a seek to exactly the middle may start up to a block before it; 60 % is safely past).
        WebElement audio = browser.findElement(By.cssSelector("tr[data-sid='" + longest.sid() + "'] audio"));
        api.resetCounters();
        browser.executeScript("const a = arguments[0]; a.currentTime = a.duration * 0.6; a.play();", audio);

        long size = longest.size(Format.MP3);
        String path = longest.url(Format.MP3).getPath();
        awaitTrue(() -> api.recordedRequests().stream()
                        .filter(r -> r.path().equals(path))
                        .map(r -> firstByte(r.header("Range")))
                        .anyMatch(first -> first > size / 2),
                "a Range request past the middle (" + size / 2 + ") of " + path + "; the API saw: "
                        + describe(api.recordedRequests()));
        awaitTrue(() -> currentTime(audio) > LONG_SECONDS * 0.6, "playing from the seek position");
        assertThat((Boolean) browser.executeScript("return arguments[0].paused", audio)).isFalse();

        Path screenshot = Path.of("target", "player.png");
        Files.createDirectories(screenshot.getParent());
        Files.move(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(screenshot).isNotEmptyFile();
    }

    private static long readyState(WebElement audio) {
        return ((Number) browser.executeScript("return arguments[0].readyState", audio)).longValue();
    }

    private static double currentTime(WebElement audio) {
        return ((Number) browser.executeScript("return arguments[0].currentTime", audio)).doubleValue();
    }

    /** The first byte of a {@code bytes=a-[b]} header; -1 for none or another form. */
    private static long firstByte(String range) {
        if (range == null || !range.startsWith("bytes=") || range.startsWith("bytes=-")) {
            return -1;
        }
        return Long.parseLong(range.substring(6, range.indexOf('-')));
    }

    private static String describe(List<RecordedRequest> requests) {
        return requests.stream().map(r -> Map.entry(r.path(), String.valueOf(r.header("Range")))).toList().toString();
    }

    private static void awaitTrue(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            AudioStreamingTest.sleep(100);
        }
    }
}
