package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInSession;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in over HTTPS, the way a team deploys it: real nginx terminates TLS in front of the gateway (deploy/nginx.conf's
 * settings, with a certificate this test makes: its own CA and a leaf for {@code localhost}), and the real Claude
 * Code CLI (the pinned version, in tmux) trusts the CA through {@code NODE_EXTRA_CA_CERTS}, with
 * {@code forceLoginGatewayUrl} the https address. It runs /login, pins the leaf the trust screen names, gets a code
 * the test approves with the person's one-time link, lists the person's models in /model (gateway model discovery,
 * {@code CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY}), and runs a tool turn billed to the person with its token
 * refreshed on the way. Then nginx presents another leaf from the same CA: Claude Code refuses its token refresh there
 * (the pin is the leaf, not the CA; its Messages requests are not pinned in this build), so every instance behind one
 * name must present the same leaf. Back on the pinned leaf, the operator revokes the session and the next prompt sends
 * the person to /login.
 */
class ClaudeCodeSignInTlsIT {

    private static final Duration SCREEN = Duration.ofSeconds(30);
    private static final Pattern CODE =
            Pattern.compile("Code:\\s+([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})");

    /** Claude Code refreshes a gateway token with less than 5 minutes left before using it. */
    private static final Duration ACCESS_TOKEN_TTL = Duration.ofMinutes(4);

    /**
     * The person's models (catalogue names): the two Claude Code uses by itself here (its default and its fast model),
     * and Fable, which its /model picker lists only when discovery serves it.
     */
    private static final List<String> ALLOWED = List.of("claude-opus-4-7", "claude-haiku-4-5", "claude-fable-5-2");

    private static GatewayHarness gw;
    private static Path claude;
    private static Path dir;
    private static TestCertificates certificates;
    private static TestCertificates.Leaf pinned;
    private static int port;
    private static int gatewayPort;
    private static Process nginx;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        claude = ClaudeCodeCliIT.installClaudeCode();
        // nginx is the trusted proxy, as deploy/nginx.conf's comments ask: its X-Forwarded-Proto makes the URLs https
        gw = GatewayHarness.builder()
                .accessTokenTtl(ACCESS_TOKEN_TTL)
                .config(c -> c.withServer(c.server()
                        .withTrustedProxies(
                                java.util.List.of(io.relaygate.core.config.Cidr.parse("127.0.0.1/32")), false)))
                .start();
        gatewayPort = URI.create(gw.baseUrl()).getPort();
        dir = Files.createTempDirectory("relaygate-signin-tls");
        certificates = TestCertificates.create(dir.resolve("pki"));
        pinned = certificates.leaf("gateway");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        nginx = startNginx(pinned);
    }

    @AfterAll
    static void stop() throws Exception {
        stopNginx();
        gw.close();
        remove(dir);
    }

    /** nginx with deploy/nginx.conf's settings, terminating TLS with {@code leaf}, both upstreams this gateway. */
    private static Process startNginx(TestCertificates.Leaf leaf) throws Exception {
        Path run = dir.resolve("nginx-" + leaf.fingerprint().substring(0, 8));
        Process p = Nginx.startTls(run, port, gatewayPort, gatewayPort, leaf.certificate(), leaf.key());
        for (int attempt = 0; attempt < 100 && p.isAlive(); attempt++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return p;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        Nginx.stop(p);
        throw new AssertionError("nginx did not listen: " + log(run));
    }

    private static String log(Path run) throws java.io.IOException {
        Path log = run.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "(no error.log yet)";
    }

    private static void stopNginx() throws Exception {
        Nginx.stop(nginx);
        assertThat(nginx == null || !nginx.isAlive()).as("nginx stopped").isTrue();
    }

    private static String url() {
        return "https://localhost:" + port;
    }

    private static String accessLog() throws Exception {
        StringBuilder all = new StringBuilder();
        // each nginx run's folder only: Claude Code writes into its home beside them meanwhile (a walk of the whole
        // folder met files it was renaming)
        try (Stream<Path> runs = Files.list(dir)) {
            for (Path run : runs.filter(r -> r.getFileName().toString().startsWith("nginx-"))
                    .toList()) {
                Path log = run.resolve("access.log");
                if (Files.exists(log)) {
                    all.append(Files.readString(log));
                }
            }
        }
        return all.toString();
    }

    @Test
    void loginOverTlsPinsTheLeafListsThePersonsModelsAndSpendsAsThePerson() throws Exception {
        PeopleAdmin admin = new PeopleAdmin(gw.store, Clock.systemUTC());
        KeyRules rules = new KeyRules(
                null, null, null, null, null, null, null, null, ALLOWED, List.of(), Set.of(), null, null, null);
        Person alice = admin.add("alice", "alice@example.com", null, List.of("dev"), rules)
                .toCompletableFuture()
                .join();
        String link = admin.link("alice", Duration.ofHours(1), url())
                .toCompletableFuture()
                .join();
        assertThat(link).startsWith(url() + "/device#link=");
        SuiteSecretScan.secret(link.substring(link.indexOf("rgl_")));
        Path home = dir.resolve("home");
        Path work = dir.resolve("work");
        Files.createDirectories(home.resolve(".claude"));
        Files.createDirectories(work);
        Files.writeString(
                home.resolve(".claude/settings.json"),
                json.createObjectNode()
                        .put("forceLoginMethod", "gateway")
                        .put("forceLoginGatewayUrl", url())
                        .toString());
        Path opened = work.resolve("opened.txt");

        try (Tmux t = Tmux.start(
                work,
                Tmux.claudeCodeEnv(
                        home,
                        Map.of(
                                "BROWSER", Tmux.recordingBrowser(work, opened).toString(),
                                "NODE_EXTRA_CA_CERTS", certificates.ca.toString(),
                                "CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY", "1")),
                List.of(claude.toString()))) {
            t.advance("Choose the text style", "Cloud gateway", SCREEN, "Enter");
            assertThat(t.await("Enter to connect", SCREEN)).contains("Gateway:  " + url());
            String trust = t.advance("Enter to connect", "Trust gateway", SCREEN, "Enter");
            assertThat(trust)
                    .as("the trust screen names the leaf's fingerprint")
                    .contains("Certificate fingerprint (SHA-256): "
                            + pinned.fingerprint().substring(0, 16));
            t.advance("Trust gateway", "❯ Yes, trust this gateway", SCREEN, "Up");
            t.advance("❯ Yes, trust this gateway", "Code:", SCREEN, "Enter");
            String waiting = t.await("Waiting for sign-in", SCREEN);
            Matcher m = CODE.matcher(waiting);
            assertThat(m.find()).as("a user code on the screen:\n%s", waiting).isTrue();
            String userCode = m.group(1);
            assertThat(Files.readString(opened).trim())
                    .as("the browser opened on the https verification page with the code")
                    .isEqualTo(url() + "/device?user_code=" + userCode);

            assertThat(gw.post(
                                    "/device/approve",
                                    json.createObjectNode()
                                            .put("link", link.substring(link.indexOf("link=") + 5))
                                            .put("user_code", userCode)
                                            .toString(),
                                    "authorization",
                                    "none")
                            .statusCode())
                    .isEqualTo(200);
            t.await("Signed in to Cloud gateway as alice@example.com", SCREEN);
            t.advance("Signed in to Cloud gateway", "❯ Yes, continue", SCREEN, "Up");
            t.advance("❯ Yes, continue", "Connected to Cloud gateway", SCREEN, "Enter");
            t.advance("Connected to Cloud gateway", "Security notes", SCREEN, "Enter");
            t.advance("Security notes", "Yes, I trust this folder", SCREEN, "Enter");
            t.advance("Yes, I trust this folder", "❯ Yes, I trust this folder", SCREEN, "Down");
            t.advance("❯ Yes, I trust this folder", "Cloud gateway", SCREEN, "Enter");
            t.await("auto mode", SCREEN);
            assertThat(json.readTree(home.resolve(".claude/.credentials.json").toFile())
                            .path("gatewayTrust")
                            .path("localhost")
                            .asText())
                    .as("the pin: the leaf's SHA-256, under the host name alone (no port)")
                    .isEqualTo(pinned.fingerprint());

            // what the gateway serves this person at GET /v1/models, asked with the token Claude Code holds
            List<String> served = new ArrayList<>();
            // Claude Code rotates its token before each use (its lifetime is under the refresh margin): ask again with
            // the token it holds now if the one read was just replaced
            for (int attempt = 0; attempt < 20 && served.isEmpty(); attempt++) {
                String jwt = json.readTree(
                                home.resolve(".claude/.credentials.json").toFile())
                        .path("enterpriseGateway")
                        .path("jwt")
                        .asText();
                SuiteSecretScan.secret(jwt);
                HttpResponse<byte[]> models =
                        gw.get("/v1/models", "authorization", "Bearer " + jwt, "anthropic-version", "2023-06-01");
                if (models.statusCode() == 200) {
                    json.readTree(models.body())
                            .path("data")
                            .forEach(n -> served.add(n.path("id").asText()));
                } else {
                    Thread.sleep(250);
                }
            }
            assertThat(served).as("exactly the person's models").containsExactlyInAnyOrderElementsOf(ALLOWED);
            // Claude Code asks for the list in the background at start-up: on a loaded machine that can come after
            // the sign-in's own requests, so the log is read until it shows up (or the screen timeout passes)
            long deadline = System.nanoTime() + SCREEN.toNanos();
            while (!accessLog().contains("GET /v1/models?limit=1000 ") && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(accessLog())
                    .as("Claude Code fetched the list at start-up, through nginx over TLS")
                    .containsPattern("\"GET /v1/models\\?limit=1000 HTTP/1.1\" 200 .*claude-code/");
            t.type("/model");
            t.await("/model", SCREEN);
            t.send("Enter");
            String picker = t.await("Select model", SCREEN);
            // Claude Code adds the discovered models it has no entry of its own for (labelled with display_name);
            // the ones it knows (Opus 4.7, Haiku 4.5) stay under its own aliases
            assertThat(picker).contains("Claude Fable 5.2");
            t.advance("Select model", "❯ 3. Claude Fable 5.2", SCREEN, "Down", "Down");
            t.advance("❯ 3. Claude Fable 5.2", "Set model to Fable 5.2", SCREEN, "Enter");

            gw.outcomes.clear();
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
                assertThat(o.model())
                        .as("the discovered model picked in /model")
                        .isEqualTo("claude-fable-5-2");
            }
            List<SignInSession> sessions =
                    admin.sessions("alice").toCompletableFuture().join();
            assertThat(sessions).hasSize(1);
            assertThat(sessions.get(0).generation())
                    .as("Claude Code refreshed its token (rotating both) before using it")
                    .isPositive();

            // another leaf from the same CA, as a second instance with its own certificate would present: Claude Code
            // refuses its token refresh there (the refresh goes through an agent pinned to the leaf it trusted, and
            // fails in the handshake); in this build its Messages requests are not pinned, so the prompt still runs
            // on the unexpired token
            long generation =
                    admin.sessions("alice").toCompletableFuture().join().get(0).generation();
            stopNginx();
            TestCertificates.Leaf other = certificates.leaf("other");
            nginx = startNginx(other);
            gw.outcomes.clear();
            t.type("say hi");
            t.await("say hi", SCREEN);
            t.send("Enter");
            t.await("Hello from the mock upstream", Duration.ofSeconds(60));
            String otherLog = Files.readString(
                    dir.resolve("nginx-" + other.fingerprint().substring(0, 8)).resolve("access.log"));
            assertThat(otherLog).contains("POST /v1/messages");
            assertThat(otherLog)
                    .as("no refresh reached the instance with another leaf")
                    .doesNotContain("/oauth/token");
            assertThat(admin.sessions("alice")
                            .toCompletableFuture()
                            .join()
                            .get(0)
                            .generation())
                    .as("the token was not rotated while the leaf differed")
                    .isEqualTo(generation);

            stopNginx();
            nginx = startNginx(pinned);
            assertThat(admin.revoke(sessions.get(0).id()).toCompletableFuture().join())
                    .isTrue();
            t.type("say hi again");
            t.await("say hi again", SCREEN);
            t.send("Enter");
            String refused = t.await("/login", Duration.ofSeconds(60));
            assertThat(refused).contains("your Relaygate sign-in expired or was revoked");
        }
    }

    private static void remove(Path root) throws Exception {
        for (int attempt = 0; attempt < 50 && Files.exists(root); attempt++) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // a file vanished or appeared while walking: walk again
            }
            Thread.sleep(100);
        }
    }
}
