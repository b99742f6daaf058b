package io.relaygate.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless {@code chromium} driven by its {@code chromedriver} (both installed by {@code .ci/run}; no browser
 * is downloaded), with a throw-away profile, signing in to a gateway's console: what a console browser test needs.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    final ChromeDriver browser;
    private final Path profile;

    HeadlessChromium() throws IOException {
        profile = Files.createTempDirectory("relaygate-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of("/usr/bin/chromium").toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    WebElement await(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Signs in to {@code gw}'s console with {@code password} and waits for the overview. */
    void signIn(GatewayHarness gw, String password) {
        browser.get(gw.baseUrl() + "/ui/");
        await(By.id("password")).sendKeys(password);
        browser.findElement(By.cssSelector("#login-form button")).click();
        await(By.id("total-requests"));
    }

    /** Opens the console page {@code hash} ({@code accounts}, {@code keys}, …) afresh. */
    void open(GatewayHarness gw, String hash) {
        browser.get(gw.baseUrl() + "/ui/#/" + hash);
        browser.navigate().refresh();
    }

    @Override
    public void close() throws IOException {
        browser.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
