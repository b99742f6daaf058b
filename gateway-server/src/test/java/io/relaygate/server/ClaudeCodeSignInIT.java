package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInSession;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Claude Code CLI (the pinned version) signs in to the gateway as a person would, in a terminal (tmux):
 * {@code forceLoginMethod: "gateway"} and {@code forceLoginGatewayUrl} in its settings file put the Cloud gateway
 * screen first; it fetches the discovery document, the person trusts the gateway, Claude Code shows a code and opens
 * the browser on the verification page (here {@code BROWSER} is a script that writes the address down), the test
 * approves the code with the person's one-time link as their browser would, and the person confirms the account
 * Claude Code names. A prompt then runs a tool turn whose usage lands on the person's key, with the token refreshed
 * (rotated) on the way; after the operator revokes the session, the next prompt sends the person back to /login.
 *
 * <p>The settings file is the user's ({@code ~/.claude/settings.json} under the test's home): Claude Code reads the
 * machine's managed settings only from {@code /etc/claude-code} on Linux (no variable moves it in this build), and
 * writing there would change every Claude Code on the machine. It honours {@code forceLoginGatewayUrl} from the user's
 * settings on a machine with no managed settings, which the screen checked below confirms. The gateway is reached
 * over plain HTTP on loopback, which the protocol accepts for development; over HTTPS the same flow adds the
 * certificate pin screen (docs/clients.md).
 */
class ClaudeCodeSignInIT {

    private static final Duration SCREEN = Duration.ofSeconds(30);
    private static final Pattern CODE =
            Pattern.compile("Code:\\s+([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})");

    /** Claude Code refreshes a gateway token with less than 5 minutes left before using it. */
    private static final Duration ACCESS_TOKEN_TTL = Duration.ofMinutes(4);

    private static GatewayHarness gw;
    private static Path claude;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Claude Code's home and working folder: made and removed here rather than by {@code @TempDir}, because the CLI
     * may still be writing its state for a moment after its terminal is closed, which makes JUnit's strict removal
     * fail a passed test.
     */
    private Path home;

    private Path work;

    @BeforeEach
    void folders() throws Exception {
        home = Files.createTempDirectory("relaygate-signin-home");
        work = Files.createTempDirectory("relaygate-signin-work");
    }

    @AfterEach
    void removeFolders() throws Exception {
        Tmux.removeEventually(home, work);
    }

    @BeforeAll
    static void start() throws Exception {
        claude = ClaudeCodeCliIT.installClaudeCode();
        // under Claude Code's refresh margin (5 minutes): it refreshes before each use, as it would near expiry
        gw = GatewayHarness.builder().accessTokenTtl(ACCESS_TOKEN_TTL).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private HttpResponse<byte[]> approve(String link, String userCode) throws Exception {
        return gw.post(
                "/device/approve",
                json.createObjectNode()
                        .put("link", link.substring(link.indexOf("link=") + 5))
                        .put("user_code", userCode)
                        .toString(),
                "authorization",
                "none");
    }

    @Test
    void loginWithTheDeviceCodeThenAToolTurnSpendsAsThePersonAndARevokedSessionIsRefused() throws Exception {
        PeopleAdmin admin = new PeopleAdmin(gw.store, Clock.systemUTC());
        Person alice = admin.add("alice", "alice@example.com", null, List.of("dev"), KeyRules.NONE)
                .toCompletableFuture()
                .join();
        String link = admin.link("alice", Duration.ofHours(1), gw.baseUrl())
                .toCompletableFuture()
                .join();
        SuiteSecretScan.secret(link.substring(link.indexOf("rgl_")));
        Files.createDirectories(home.resolve(".claude"));
        Files.writeString(
                home.resolve(".claude/settings.json"),
                json.createObjectNode()
                        .put("forceLoginMethod", "gateway")
                        .put("forceLoginGatewayUrl", gw.baseUrl())
                        .toString());
        Path opened = work.resolve("opened.txt");

        try (Tmux t = Tmux.start(
                work,
                Tmux.claudeCodeEnv(
                        home,
                        Map.of("BROWSER", Tmux.recordingBrowser(work, opened).toString())),
                List.of(claude.toString()))) {
            t.advance("Choose the text style", "Cloud gateway", SCREEN, "Enter");
            String gateway = t.await("Enter to connect", SCREEN);
            assertThat(gateway).contains("Gateway:  " + gw.baseUrl());
            t.advance("Enter to connect", "Trust gateway", SCREEN, "Enter");
            t.select("Trust gateway", "Yes, trust this gateway", SCREEN, "Up");
            String waiting = t.advance("❯ Yes, trust this gateway", "Code:", SCREEN, "Enter");
            Matcher m = CODE.matcher(t.await("Waiting for sign-in", SCREEN));
            assertThat(m.find()).as("a user code on the screen:\n%s", waiting).isTrue();
            String userCode = m.group(1);
            assertThat(t.screen()).contains("Approve this code with the sign-in link");
            assertThat(Files.readString(opened).trim())
                    .as("the browser opened on the verification page with the code")
                    .isEqualTo(gw.baseUrl() + "/device?user_code=" + userCode);

            assertThat(approve(link, userCode).statusCode()).isEqualTo(200);
            t.await("Signed in to Cloud gateway as alice@example.com", SCREEN);
            t.select("Signed in to Cloud gateway", "Yes, continue", SCREEN, "Up");
            t.advance("❯ Yes, continue", "Connected to Cloud gateway", SCREEN, "Enter");
            t.advance("Connected to Cloud gateway", "Security notes", SCREEN, "Enter");
            t.advance("Security notes", "Yes, I trust this folder", SCREEN, "Enter");
            t.select("Yes, I trust this folder", "Yes, I trust this folder", SCREEN, "Down");
            t.advance("❯ Yes, I trust this folder", "Cloud gateway", SCREEN, "Enter");
            t.await("auto mode", SCREEN);

            // the mock answers "mock:shell" with a Bash call of "echo relaygate-tool-ok", then quotes its output
            t.type("mock:shell");
            t.await("mock:shell", SCREEN);
            t.send("Enter");
            t.await("relaygate-tool-ok", Duration.ofSeconds(60));
            ExchangeOutcome first = gw.nextOutcome();
            ExchangeOutcome second = gw.nextOutcome();
            for (ExchangeOutcome o : List.of(first, second)) {
                assertThat(o.keyId()).as("spent under the person's key").isEqualTo(alice.keyId());
                assertThat(o.client()).isEqualTo(ClientKind.CLAUDE_CODE);
                assertThat(o.status()).isEqualTo(200);
            }

            List<SignInSession> sessions =
                    admin.sessions("alice").toCompletableFuture().join();
            assertThat(sessions).hasSize(1);
            assertThat(sessions.get(0).client()).startsWith("claude-code/" + ClaudeCodeCliIT.VERSION);
            assertThat(sessions.get(0).generation())
                    .as("Claude Code refreshed its token (rotating both) before using it")
                    .isPositive();
            assertThat(admin.revoke(sessions.get(0).id()).toCompletableFuture().join())
                    .isTrue();

            t.type("say hi");
            t.await("say hi", SCREEN);
            t.send("Enter");
            // the token had under 5 minutes left, so Claude Code first tries a refresh, which the ended session
            // answers 401 invalid_grant; either way the person is sent to /login
            String refused = t.await("/login", Duration.ofSeconds(60));
            assertThat(refused).doesNotContain("Hello from the mock upstream");
        }
    }
}
