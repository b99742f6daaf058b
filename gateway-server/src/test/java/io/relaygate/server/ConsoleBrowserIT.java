package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromedriver}, which {@code .ci/run}
 * installs; no browser is downloaded): an operator signs in, creates a key, adds an account, runs a connection test,
 * a request goes through with the new key and shows on the overview, the requests list (when the gateway keeps
 * per-request records) and the key holder's page; the key is disabled and the next request refused; a write without
 * the CSRF token is refused; wrong passwords get throttled. Every page is also opened at a phone's width (390 px) and
 * must not spill sideways. With {@code -Drelaygate.screenshots=DIR} each page is saved as a PNG there at 1280 px and at
 * 390 px ({@code NAME.png}, {@code NAME-phone.png}; docs/console for docs/console.md).
 */
class ConsoleBrowserIT {

    private static final String PASSWORD = "browser-test-password";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static GatewayHarness gw;
    private static ChromeDriver browser;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        HeadlessChromium.withPassword(gw, PASSWORD);
        chromium = new HeadlessChromium();
        browser = chromium.browser;
    }

    @AfterAll
    static void stop() throws Exception {
        HeadlessChromium.closeBoth(chromium, gw);
    }

    private static WebElement await(By by) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void awaitText(By by, String text) {
        chromium.awaitText(by, text);
    }

    private static void screenshot(String name) throws Exception {
        chromium.screenshot(name);
    }

    private static void bothWidths(String name, By ready) throws Exception {
        chromium.bothWidths(name, ready);
    }

    private static void open(String hash) {
        browser.get(gw.baseUrl() + "/ui/#/" + hash);
        browser.navigate().refresh();
    }

    @Test
    void anOperatorGetsATeammateWorkingFromTheConsoleAlone() throws Exception {
        browser.get(gw.baseUrl() + "/ui/");
        await(By.id("password"));
        assertThat(browser.findElement(By.id("nav")).isDisplayed())
                .as("no navigation before sign-in")
                .isFalse();
        bothWidths("login", By.id("password"));
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.cssSelector("#login-form button")).click();
        await(By.id("total-requests"));

        // a key, its secret once
        open("keys");
        await(By.id("key-name")).sendKeys("teammate");
        browser.findElement(By.cssSelector("#new-key summary")).click();
        await(By.id("new-requests")).sendKeys("1000");
        browser.findElement(By.id("new-requestWindow")).sendKeys("1d");
        browser.findElement(By.id("new-concurrency")).sendKeys("3");
        browser.findElement(By.id("new-dailyCostUsd")).sendKeys("5");
        browser.findElement(By.id("create-key")).click();
        String secret = await(By.id("secret")).getText().trim();
        SuiteSecretScan.secret(secret);
        assertThat(secret).startsWith("rg_");
        screenshot("key-created");

        // an account, then the connection test of the harness's account
        open("accounts");
        await(By.id("acc-name")).sendKeys("console-added");
        WebElement url = browser.findElement(By.id("acc-baseUrl"));
        url.clear();
        url.sendKeys(gw.mock.baseUrl());
        browser.findElement(By.id("acc-apiKey")).sendKeys("sk-ant-console-browser-credential");
        SuiteSecretScan.secret("sk-ant-console-browser-credential");
        browser.findElement(By.id("acc-headers")).sendKeys("X-Console-Team: hdr-browser-secret-1");
        SuiteSecretScan.secret("hdr-browser-secret-1");
        browser.findElement(By.id("add-account")).click();
        await(By.cssSelector("#accounts tr[data-row='console-added']"));
        assertThat(browser.findElement(By.cssSelector("#accounts tr[data-row='console-added'] td[data-col='headers']"))
                        .getText())
                .as("a header is listed by name, its value as set")
                .isEqualTo("X-Console-Team: set");
        browser.findElement(By.cssSelector("button[data-action='test'][data-account='console-added']"))
                .click();
        WebElement result = await(By.id("test-result"));
        assertThat(result.getAttribute("data-ok")).as(result.getText()).isEqualTo("true");
        assertThat(browser.getPageSource())
                .doesNotContain("sk-ant-console-browser-credential")
                .doesNotContain("hdr-browser-secret-1");
        screenshot("accounts-test");
        // the ChatGPT sign-in: the button gives the authorize URL, the form takes the address back
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("acc-kind"))).selectByValue("codex-oauth");
        await(By.id("codex-sign-in"));
        assertThat(browser.findElement(By.id("acc-oauthCode")).isDisplayed()).isTrue();
        // edit: the form shows header names, never values
        browser.findElement(By.cssSelector("button[data-action='edit'][data-account='console-added']"))
                .click();
        WebElement priority = await(By.id("ed-priority"));
        priority.clear();
        priority.sendKeys("40");
        assertThat(browser.findElement(By.id("edit-account")).getText()).contains("remove X-Console-Team");
        browser.findElement(By.id("save-account")).click();
        awaitText(By.cssSelector("#accounts tr[data-row='console-added'] td[data-col='priority']"), "40");
        open("accounts");
        await(By.cssSelector("#accounts tr[data-row='console-added']"));
        bothWidths("accounts", By.cssSelector("#accounts tr[data-row='console-added']"));
        open("keys");
        await(By.cssSelector("#keys tr[data-row='teammate']"));
        assertThat(browser.findElement(By.cssSelector("#keys tr[data-row='teammate']"))
                        .getText())
                .as("each limit with its use")
                .contains("requests per 1d: 0 requests of 1,000 requests")
                .contains("requests at once: 0 requests of 3 requests");
        bothWidths("keys", By.cssSelector("#keys tr[data-row='teammate']"));

        // the teammate's request, on the overview
        HttpResponse<byte[]> r =
                gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret);
        assertThat(r.statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean shown = false;
        while (!shown && System.nanoTime() < deadline) {
            open("overview");
            await(By.id("total-requests"));
            shown = !browser.findElements(By.cssSelector("#top-keys tr[data-row='teammate']"))
                    .isEmpty();
        }
        assertThat(shown).as("the key on the overview's top keys").isTrue();
        bothWidths("overview", By.cssSelector("#top-keys tr[data-row='teammate']"));

        // the requests list: only when this gateway keeps per-request records
        open("requests");
        new WebDriverWait(browser, WAIT)
                .until(d -> !d.findElements(By.id("requests")).isEmpty()
                        || !d.findElements(By.id("no-ledger")).isEmpty()
                        || !d.findElements(By.cssSelector("#main .empty")).isEmpty());
        if (browser.findElements(By.id("no-ledger")).isEmpty()) {
            await(By.cssSelector("#requests td[data-col='keyName']"));
            assertThat(browser.findElement(By.id("requests")).getText()).contains("teammate");
            bothWidths("requests", By.cssSelector("#requests td[data-col='keyName']"));
            browser.findElement(By.cssSelector("#requests tbody tr")).click();
            await(By.id("trace"));
            screenshot("request-trace");
        } else {
            screenshot("requests");
        }

        open("audit");
        awaitText(By.id("audit"), "key:teammate");
        bothWidths("audit", By.id("audit"));

        // the teammate's own page
        browser.get(gw.baseUrl() + "/me");
        await(By.id("me-key")).sendKeys(secret);
        browser.findElement(By.cssSelector("#me-form button")).click();
        awaitText(By.id("me-name"), "teammate");
        awaitText(By.id("me-requests"), "1");
        assertThat(browser.findElement(By.id("setup")).getText()).contains(gw.baseUrl() + "/api");
        awaitText(By.id("me-recent"), "claude-sonnet-4-5");
        assertThat(browser.findElement(By.id("me-models")).getText()).contains("claude-sonnet-4-5");
        assertThat(browser.getPageSource()).doesNotContain("mock-anthropic").doesNotContain("console-added");
        bothWidths("me", By.id("me-recent"));

        // a write without the CSRF token, from the signed-in browser itself
        Object status = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('/admin/keys', {method: 'POST', headers: {'content-type': 'application/json'},"
                        + " body: JSON.stringify({name: 'forged'})}).then(r => done(r.status), e => done(String(e)));");
        assertThat(status).isEqualTo(403L);

        // disable the key: the next request is refused
        open("keys");
        await(By.cssSelector("button[data-action='disable'][data-key='teammate']"))
                .click();
        await(By.cssSelector("button[data-action='enable'][data-key='teammate']"));
        int refused = 200;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (refused == 200 && System.nanoTime() < deadline) {
            refused = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", secret)
                    .statusCode();
            Thread.sleep(100);
        }
        assertThat(refused).as("a disabled key").isEqualTo(403);

        // people: add one, make their one-time link, they sign in with it, their session is listed and revoked,
        // then they are disabled
        open("people");
        await(By.id("person-name")).sendKeys("pat");
        browser.findElement(By.id("person-email")).sendKeys("pat@example.com");
        browser.findElement(By.id("person-groups")).sendKeys("dev, ops");
        browser.findElement(By.id("add-person")).click();
        await(By.cssSelector("#people tr[data-row='pat']"));
        assertThat(browser.findElement(By.cssSelector("#people tr[data-row='pat'] td[data-col='groups']"))
                        .getText())
                .isEqualTo("dev, ops");
        browser.findElement(By.cssSelector("button[data-action='link'][data-person='pat']"))
                .click();
        String link = await(By.id("link")).getText().trim();
        assertThat(link).startsWith(gw.baseUrl() + "/device#link=rgl_");
        SuiteSecretScan.secret(link.substring(link.indexOf("rgl_")));
        bothWidths("people", By.cssSelector("#people tr[data-row='pat']"));
        // Claude Code's device request (its answer carries the device code, a secret: not recorded)
        HttpResponse<byte[]> device = gw.http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/oauth/device_authorization"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("surface=claude_code"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String userCode = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(device.body())
                .path("user_code")
                .asText();
        HttpResponse<byte[]> approved = gw.post(
                "/device/approve",
                "{\"link\":\"" + link.substring(link.indexOf("link=") + 5) + "\",\"user_code\":\"" + userCode + "\"}",
                "authorization",
                "none");
        assertThat(approved.statusCode()).isEqualTo(200);
        // the session exists once Claude Code collects its tokens
        String deviceCode = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(device.body())
                .path("device_code")
                .asText();
        SuiteSecretScan.secret(deviceCode);
        HttpResponse<byte[]> tokens = gw.http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/oauth/token"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                                        + deviceCode))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tokens.statusCode()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode issued =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokens.body());
        SuiteSecretScan.secret(issued.path("access_token").asText());
        SuiteSecretScan.secret(issued.path("refresh_token").asText());
        browser.findElement(By.cssSelector("#people tr[data-row='pat'] a[href='#/sessions/pat']"))
                .click();
        await(By.cssSelector("#sessions td[data-col='person']"));
        assertThat(browser.findElement(By.id("sessions")).getText()).contains("pat");
        bothWidths("sessions", By.cssSelector("#sessions td[data-col='person']"));
        browser.findElement(By.cssSelector("#sessions button[data-action='revoke']"))
                .click();
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.alertIsPresent());
        browser.switchTo().alert().accept();
        awaitText(By.id("main"), "pat has no live sign-in.");
        assertThat(gw.post(
                                "/v1/messages",
                                messages("claude-sonnet-4-5", false, "hi"),
                                "authorization",
                                "Bearer " + issued.path("access_token").asText())
                        .statusCode())
                .as("a revoked session")
                .isEqualTo(401);
        open("people");
        await(By.cssSelector("button[data-action='disable'][data-person='pat']"))
                .click();
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.alertIsPresent());
        browser.switchTo().alert().accept();
        awaitText(By.cssSelector("#people tr[data-row='pat'] td[data-col='enabled']"), "disabled");

        // sign out; wrong passwords get throttled
        browser.findElement(By.id("logout")).click();
        for (int i = 0; i < 6; i++) {
            WebElement field = await(By.id("password"));
            field.clear();
            field.sendKeys("wrong-password-" + i);
            browser.findElement(By.cssSelector("#login-form button")).click();
            awaitText(By.id("login-error"), i < 5 ? "wrong password" : "too many failed sign-ins");
            ((JavascriptExecutor) browser).executeScript("document.getElementById('login-error').textContent = ''");
        }
        assertThat(browser.findElement(By.id("main")).getText())
                .as("nothing shown while signed out")
                .isEmpty();
        gw.store
                .admin()
                .clearFailures("address:127.0.0.1")
                .toCompletableFuture()
                .join();
        gw.store.admin().clearFailures("account:admin").toCompletableFuture().join();
    }
}
