package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.AccountKind;
import io.relaygate.core.BedrockCredentials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's Bedrock and Vertex forms in a real headless Chromium ({@link HeadlessChromium}): an operator adds a
 * Bedrock account with IAM keys through the form and runs its connection test (signed with SigV4 against the mock,
 * which recomputes the signature), and adds a Vertex account by pasting its service account key; neither credential
 * ever shows on the page.
 */
class CloudConsoleBrowserIT {

    private static final String PASSWORD = "cloud-browser-test-password";

    private static GatewayHarness gw;
    private static CloudFixture cloud;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        cloud = CloudFixture.on(gw);
        HeadlessChromium.withPassword(gw, PASSWORD);
        chromium = new HeadlessChromium();
    }

    @AfterAll
    static void stop() throws Exception {
        HeadlessChromium.closeBoth(chromium, gw);
    }

    private static void fill(String id, String value) {
        WebElement e = chromium.await(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    @Test
    void anOperatorAddsABedrockAndAVertexAccountFromTheFormsAndTestsTheConnection() throws Exception {
        chromium.signIn(gw, PASSWORD);
        chromium.open(gw, "accounts");
        new Select(chromium.await(By.id("acc-kind"))).selectByValue("bedrock");
        fill("acc-name", "console-bedrock");
        fill("acc-region", "us-east-1");
        new Select(chromium.await(By.id("acc-profilePrefix"))).selectByValue("us.");
        fill("acc-baseUrl", gw.mock.baseUrl());
        fill("acc-awsAccessKeyId", CloudFixture.KEY_ID);
        fill("acc-awsSecretAccessKey", CloudFixture.SECRET);
        chromium.browser.findElement(By.id("add-account")).click();
        chromium.await(By.cssSelector("#accounts tr[data-row='console-bedrock']"));
        BedrockCredentials stored = BedrockCredentials.parse(gw.store
                .accounts()
                .findByName("console-bedrock")
                .toCompletableFuture()
                .join()
                .orElseThrow()
                .credential());
        assertThat(stored.profilePrefix()).isEqualTo("us");
        assertThat(stored.secretAccessKey()).isEqualTo(CloudFixture.SECRET);

        chromium.browser
                .findElement(By.cssSelector("button[data-action='test'][data-account='console-bedrock']"))
                .click();
        WebElement result = chromium.await(By.id("test-result"));
        assertThat(result.getAttribute("data-ok")).as(result.getText()).isEqualTo("true");
        assertThat(gw.mock.exchanges())
                .extracting(e -> e.uri())
                .as("the test's request, signed with SigV4 and accepted by the mock")
                .contains("/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke");

        chromium.open(gw, "accounts");
        new Select(chromium.await(By.id("acc-kind"))).selectByValue("vertex");
        fill("acc-name", "console-vertex");
        fill("acc-project", "mock-project");
        fill("acc-region", "us-east5");
        fill("acc-baseUrl", gw.mock.baseUrl());
        WebElement key = chromium.await(By.id("acc-serviceAccountJson"));
        chromium.browser.executeScript("arguments[0].value = arguments[1];", key, cloud.serviceAccount(cloud.accepted));
        chromium.browser.findElement(By.id("add-account")).click();
        chromium.await(By.cssSelector("#accounts tr[data-row='console-vertex']"));
        assertThat(gw.store
                        .accounts()
                        .findByName("console-vertex")
                        .toCompletableFuture()
                        .join()
                        .orElseThrow()
                        .kind())
                .isEqualTo(AccountKind.VERTEX);
        assertThat(chromium.browser.getPageSource())
                .doesNotContain(CloudFixture.SECRET)
                .doesNotContain("PRIVATE KEY");
    }
}
