package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
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

    /** Gives {@code gw}'s console the admin password {@code password}; returns {@code gw}. */
    static GatewayHarness withPassword(GatewayHarness gw, String password) {
        gw.store
                .admin()
                .setPasswordHash(io.relaygate.server.admin.AdminPassword.hash(password))
                .toCompletableFuture()
                .join();
        return gw;
    }

    /** Closes the browser, then the gateway, each when it was started. */
    static void closeBoth(
            @org.jspecify.annotations.Nullable HeadlessChromium chromium,
            @org.jspecify.annotations.Nullable GatewayHarness gw)
            throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    WebElement await(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** Saves the page as {@code NAME.png} in {@code -Drelaygate.screenshots=DIR}, when that is set. */
    void screenshot(String name) throws Exception {
        String dir = System.getProperty("relaygate.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Thread.sleep(300); // charts draw on the next animation frame
        Path target = Path.of(dir).resolve(name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
    }

    /**
     * The page as it is (1280 px), then reloaded at a phone's width, where nothing may spill sideways, then back: each
     * saved when screenshots are asked for. {@code ready} is what shows the page has rendered.
     */
    void bothWidths(String name, By ready) throws Exception {
        screenshot(name);
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.navigate().refresh();
            await(ready);
            Object spill = ((JavascriptExecutor) browser)
                    .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(((Number) spill).longValue())
                    .as(name + " page wider than the phone")
                    .isLessThanOrEqualTo(0);
            screenshot(name + "-phone");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
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
