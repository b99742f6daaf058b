package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.people.Person;
import io.relaygate.core.KeyRules;
import io.relaygate.server.signin.PeopleAdmin;
import io.relaygate.server.signin.SignInSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's managed settings page in a real headless Chromium: an operator creates settings for a group (a
 * non-object and a group the gateway refuses each get a clear error first), a signed-in person of that group gets
 * them from {@code GET /managed/settings} with the checksum the page shows, an edit changes the checksum (the old
 * {@code ETag} now gets the new settings, not 304), the change is audited, a write without the CSRF token is refused,
 * and a delete leaves the person with none. Screenshots as {@link ConsoleBrowserIT}'s ({@code settings},
 * {@code settings-phone}, {@code settings-edit}).
 */
class ManagedSettingsBrowserIT {

    private static final String PASSWORD = "settings-browser-password";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayHarness gw;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        HeadlessChromium.withPassword(gw, PASSWORD);
        chromium = new HeadlessChromium();
    }

    @AfterAll
    static void stop() throws Exception {
        HeadlessChromium.closeBoth(chromium, gw);
    }

    private static HttpResponse<byte[]> settings(String token, @org.jspecify.annotations.Nullable String ifNoneMatch)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/managed/settings"))
                .timeout(GatewayHarness.WAIT)
                .header("authorization", "Bearer " + token);
        if (ifNoneMatch != null) {
            r.header("if-none-match", ifNoneMatch);
        }
        return gw.http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void type(String json) {
        WebElement area = chromium.await(By.id("settings-json"));
        area.clear();
        area.sendKeys(json);
        chromium.browser.findElement(By.id("save-settings")).click();
    }

    private static String checksumShown() {
        // the table is drawn anew after each change: a cell found just before that is gone, so look again
        By cell = By.cssSelector("#settings tr[data-row='design'] td[data-col='checksum']");
        return new WebDriverWait(chromium.browser, HeadlessChromium.WAIT)
                .ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class)
                .until(d -> {
                    String text = d.findElement(cell).getText().trim();
                    return text.isEmpty() ? null : text;
                });
    }

    @Test
    void anOperatorGivesAGroupSettingsEditsThemAndTakesThemAway() throws Exception {
        Person dana = new PeopleAdmin(gw.store, Clock.systemUTC())
                .add("dana", "dana@example.com", null, List.of("design"), KeyRules.NONE)
                .toCompletableFuture()
                .join();
        String token = SignInSettings.tokens(gw.store, Clock.systemUTC())
                .issue(dana, "claude-cli/2.1.330 (external, cli)", "127.0.0.1")
                .toCompletableFuture()
                .join()
                .accessToken();
        SuiteSecretScan.secret(token);
        assertThat(settings(token, null).statusCode()).as("no settings yet").isEqualTo(404);

        chromium.signIn(gw, PASSWORD);
        chromium.open(gw, "settings");
        chromium.awaitText(By.id("main"), "No managed settings yet");
        chromium.await(By.id("settings-group")).sendKeys("design");
        type("[\"not\", \"an object\"]");
        chromium.awaitText(By.id("settings-error"), "must be a JSON object");
        WebElement group = chromium.browser.findElement(By.id("settings-group"));
        group.clear();
        group.sendKeys("x".repeat(201));
        type("{\"model\": \"claude-sonnet-4-5\"}");
        chromium.awaitText(By.id("settings-error"), "The gateway refused the settings: group:");
        assertThat(chromium.browser.findElement(By.id("settings-error")).getText())
                .as("the server's own message")
                .contains("at most 200 characters");
        group.clear();
        group.sendKeys("design");
        type("{\"permissions\": {\"deny\": [\"WebFetch\"]}, \"model\": \"claude-sonnet-4-5\"}");

        String first = checksumShown();
        assertThat(first).startsWith("sha256:");
        HttpResponse<byte[]> got = settings(token, null);
        assertThat(got.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(got.body());
        assertThat(body.path("checksum").asText())
                .as("the checksum the page shows")
                .isEqualTo(first);
        assertThat(body.path("settings").path("permissions").path("deny").get(0).asText())
                .isEqualTo("WebFetch");
        String etag = got.headers().firstValue("etag").orElseThrow();
        assertThat(settings(token, etag).statusCode()).as("unchanged").isEqualTo(304);
        assertThat(chromium.browser
                        .findElement(By.cssSelector("#settings tr[data-row='design'] td[data-col='changedAt']"))
                        .getText())
                .as("who changed it last")
                .contains("console from 127.0.0.1");
        chromium.bothWidths("settings", By.cssSelector("#settings tr[data-row='design']"));

        // edit: the textarea holds the current settings; the checksum changes, the old ETag gets the new settings
        chromium.await(By.cssSelector("button[data-action='edit'][data-group='design']"))
                .click();
        assertThat(chromium.await(By.id("settings-json")).getAttribute("value")).contains("WebFetch");
        type("{\"permissions\": {\"deny\": [\"WebFetch\", \"Bash(curl:*)\"]}}");
        new WebDriverWait(chromium.browser, HeadlessChromium.WAIT)
                .until(d -> !checksumShown().equals(first));
        String second = checksumShown();
        HttpResponse<byte[]> changed = settings(token, etag);
        assertThat(changed.statusCode()).as("the old ETag no longer matches").isEqualTo(200);
        assertThat(JSON.readTree(changed.body()).path("checksum").asText()).isEqualTo(second);
        chromium.await(By.cssSelector("button[data-action='edit'][data-group='design']"))
                .click();
        chromium.await(By.id("settings-json"));
        chromium.screenshot("settings-edit");

        // a write without the CSRF token, from the signed-in browser itself
        Object status = ((JavascriptExecutor) chromium.browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch('/admin/settings', {method: 'POST', headers: {'content-type': 'application/json'},"
                        + " body: JSON.stringify({group: 'design', settings: {}})})"
                        + ".then(r => done(r.status), e => done(String(e)));");
        assertThat(status).isEqualTo(403L);

        chromium.open(gw, "audit");
        chromium.awaitText(By.id("audit"), "settings:design");
        assertThat(chromium.browser.findElement(By.id("audit")).getText()).contains("settings.set");

        // delete: the person has no managed settings any more
        chromium.open(gw, "settings");
        chromium.await(By.cssSelector("button[data-action='delete'][data-group='design']"))
                .click();
        new WebDriverWait(chromium.browser, HeadlessChromium.WAIT).until(ExpectedConditions.alertIsPresent());
        chromium.browser.switchTo().alert().accept();
        chromium.awaitText(By.id("main"), "No managed settings yet");
        assertThat(settings(token, etag).statusCode()).isEqualTo(404);
        chromium.open(gw, "audit");
        chromium.awaitText(By.id("audit"), "settings.remove");
    }
}
