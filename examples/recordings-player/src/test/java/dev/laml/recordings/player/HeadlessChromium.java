package dev.laml.recordings.player;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Chromium driven by ChromeDriver, both from Debian's packages ({@code chromium}, {@code chromium-driver}).
 *
 * <p>Selenium Manager is never asked to download a browser or a driver (this build has no network besides the package
 * registries): the driver and the browser are given by path, {@code /usr/bin/chromedriver} and
 * {@code /usr/bin/chromium} unless the system properties {@code webdriver.chrome.driver} and {@code chrome.binary}
 * name others. The build installs Debian's when they are missing (before the tests,
 * {@code src/test/browser/ensure-chromium.sh}), so {@code mvn verify} needs nothing installed by hand; when they are
 * still missing (the test run from an IDE, say) the test fails, saying how to install them: a browser test that skips
 * itself would prove nothing. Not thread-safe.
 */
final class HeadlessChromium {

    static final String INSTALL_HINT = "install them with: sudo apt-get update && sudo apt-get install -y "
            + "--no-install-recommends chromium chromium-driver (Debian/Ubuntu; mvn verify does this when it can), "
            + "or name other paths with -Dwebdriver.chrome.driver=... -Dchrome.binary=...";

    private HeadlessChromium() {
    }

    /** Starts a browser; fails the calling test when Chromium or ChromeDriver is not installed. */
    static ChromeDriver start() {
        Path driver = Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));
        Path browser = Path.of(System.getProperty("chrome.binary", "/usr/bin/chromium"));
        if (!Files.isExecutable(driver) || !Files.isExecutable(browser)) {
            fail("The browser test needs headless Chromium and ChromeDriver (" + browser + ", " + driver
                    + "), and " + (Files.isExecutable(browser) ? driver : browser) + " is missing: " + INSTALL_HINT);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(browser.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",              // CI runs as root, where Chromium's sandbox refuses to start
                        "--disable-gpu",
                        "--disable-dev-shm-usage",   // containers often have a tiny /dev/shm
                        "--autoplay-policy=no-user-gesture-required", // play() from a script, without a click
                        "--window-size=1200,700",
                        "--mute-audio");
        return new ChromeDriver(service, options);
    }
}
