package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.ClientKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Claude Code CLI (from npm, the version the fixtures were captured with) pointed at the gateway, as a user
 * sets it up: {@code ANTHROPIC_BASE_URL=http://host:port/api} and the gateway key as {@code ANTHROPIC_API_KEY} or
 * {@code ANTHROPIC_AUTH_TOKEN}. The test installs the CLI into {@code ~/.cache/relaygate-e2e} on first use. (A refused
 * key is covered by ErrorsIT: Claude Code retries a 401 eleven times over minutes, too slow for a test.)
 */
class ClaudeCodeCliIT {

    static final String VERSION = "2.1.330";

    private static GatewayHarness gw;
    private static Path claude;
    private final ObjectMapper json = new ObjectMapper();

    /** Claude Code's home and working folder, removed by {@link Tmux#removeEventually} (not {@code @TempDir}). */
    private Path home;

    private Path work;

    @org.junit.jupiter.api.BeforeEach
    void folders() throws Exception {
        home = Files.createTempDirectory("relaygate-claude-home");
        work = Files.createTempDirectory("relaygate-claude-work");
    }

    @org.junit.jupiter.api.AfterEach
    void removeFolders() throws Exception {
        Tmux.removeEventually(home, work);
    }

    @BeforeAll
    static void start() throws Exception {
        claude = installClaudeCode();
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
        gw.outcomes.clear();
    }

    /** Installs {@code @anthropic-ai/claude-code@VERSION} with npm unless already there; returns the binary. */
    static Path installClaudeCode() throws IOException, InterruptedException {
        return NpmTool.install("@anthropic-ai/claude-code", VERSION, "claude", "claude-code-" + VERSION);
    }

    record Run(int exit, String stdout, String stderr) {}

    private Run claude(Map<String, String> auth, String... args) throws Exception {
        return claude(gw, auth, args);
    }

    private Run claude(GatewayHarness gw, Map<String, String> auth, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(claude.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("TERM", "dumb");
        env.put("LANG", "C.UTF-8");
        env.put("ANTHROPIC_BASE_URL", gw.baseUrl() + "/api");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.putAll(auth);
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("claude did not finish in 90 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err));
    }

    @Test
    void printModeAnswersThroughTheGatewayAndTheClientsUsageMatchesTheGateways() throws Exception {
        Run run = claude(Map.of("ANTHROPIC_API_KEY", gw.key), "-p", "--output-format", "json", "say hi");
        assertThat(run.exit()).as("claude exit code; stderr: %s", run.stderr()).isZero();
        JsonNode result = json.readTree(run.stdout());
        assertThat(result.path("is_error").asBoolean()).isFalse();
        assertThat(result.path("result").asText()).startsWith("Hello from the mock upstream");

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/v1/messages?beta=true");
        assertThat(ex.header("x-api-key")).isEqualTo(GatewayHarness.UPSTREAM_KEY);
        assertThat(ex.header("user-agent")).startsWith("claude-cli/" + VERSION);

        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.client()).isEqualTo(ClientKind.CLAUDE_CODE);
        assertThat(o.usage().inputTokens())
                .as("the gateway's tapped usage equals what Claude Code itself counted")
                .isEqualTo(result.path("usage").path("input_tokens").asLong());
        assertThat(o.usage().outputTokens())
                .isEqualTo(result.path("usage").path("output_tokens").asLong());
    }

    @Test
    void authTokenVariantWorksToo() throws Exception {
        Run run = claude(Map.of("ANTHROPIC_AUTH_TOKEN", gw.key), "-p", "say hi");
        assertThat(run.exit()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("Hello from the mock upstream");
        assertThat(gw.mock.awaitExchange(0, GatewayHarness.WAIT).header("authorization"))
                .as("the client's bearer token never reaches the upstream")
                .isNull();
    }

    /** The tool_use ids and the tool_result ids they were answered with, in an Anthropic request body. */
    private static List<List<String>> toolIds(JsonNode body) {
        List<String> uses = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            for (JsonNode block : m.path("content")) {
                switch (block.path("type").asText()) {
                    case "tool_use" -> uses.add(block.path("id").asText());
                    case "tool_result" -> results.add(block.path("tool_use_id").asText());
                    default -> {}
                }
            }
        }
        return List.of(uses, results);
    }

    @Test
    void aToolLoopRoundTripsOnAnAnthropicAccount() throws Exception {
        // The mock calls Claude Code's Bash tool with "echo relaygate-tool-ok"; its final answer quotes the result.
        Run run = claude(Map.of("ANTHROPIC_API_KEY", gw.key), "-p", "mock:shell", "--allowedTools", "Bash");
        assertThat(run.exit()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).as("the tool ran and its output came back").contains("relaygate-tool-ok");
        RecordedExchange second = gw.mock.awaitCompleted(1, GatewayHarness.WAIT);
        List<List<String>> ids = toolIds(json.readTree(second.body()));
        assertThat(ids.get(0)).hasSize(1);
        assertThat(ids.get(1)).as("the tool_result answers the tool_use").isEqualTo(ids.get(0));
        assertThat(gw.nextOutcome().client()).isEqualTo(ClientKind.CLAUDE_CODE);
    }

    @Test
    void aToolLoopRoundTripsThroughAnOpenAiCompatibleAccount() throws Exception {
        try (GatewayHarness compat = GatewayHarness.start()) {
            compat.store
                    .accounts()
                    .create(new io.relaygate.core.Account(
                            "acc_compat",
                            "compat",
                            io.relaygate.core.AccountKind.OPENAI_COMPATIBLE,
                            compat.mock.baseUrl() + "/v1",
                            "sk-compat",
                            null,
                            1,
                            true,
                            null,
                            List.of(),
                            Map.of("opus", "big-model", "sonnet", "middle-model", "haiku", "small-model"),
                            java.time.Instant.now(),
                            null,
                            Map.of()))
                    .toCompletableFuture()
                    .join();
            Files.createDirectories(Path.of("/tmp/relaygate"));
            Files.writeString(Path.of("/tmp/relaygate/a.txt"), "hello from a file\n");
            Run run = claude(
                    compat,
                    Map.of("ANTHROPIC_API_KEY", compat.key),
                    "-p",
                    "mock:tool_use",
                    "--allowedTools",
                    "Read,Bash");
            assertThat(run.exit()).as("stderr: %s", run.stderr()).isZero();
            assertThat(run.stdout()).startsWith("Hello from the mock upstream");

            RecordedExchange first = compat.mock.awaitCompleted(0, GatewayHarness.WAIT);
            RecordedExchange second = compat.mock.awaitCompleted(1, GatewayHarness.WAIT);
            assertThat(first.uri()).as("converted to Chat Completions").isEqualTo("/v1/chat/completions");
            JsonNode firstBody = json.readTree(first.body());
            assertThat(firstBody.path("model").asText())
                    .as("Claude Code's opus model -> big")
                    .isEqualTo("big-model");
            assertThat(firstBody.path("messages").get(0).path("role").asText()).isEqualTo("system");
            // The tool calls the mock made come back as tool messages answering them.
            List<String> called = new ArrayList<>();
            for (String line : new String(first.responseBody(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("data: {") && line.contains("\"id\":\"call_")) {
                    for (JsonNode call : json.readTree(line.substring(6))
                            .path("choices")
                            .get(0)
                            .path("delta")
                            .path("tool_calls")) {
                        called.add(call.path("id").asText());
                    }
                }
            }
            List<String> answered = new ArrayList<>();
            for (JsonNode m : json.readTree(second.body()).path("messages")) {
                if (m.path("role").asText().equals("tool")) {
                    answered.add(m.path("tool_call_id").asText());
                }
            }
            assertThat(called).hasSize(2);
            assertThat(answered).containsExactlyInAnyOrderElementsOf(called);
        }
    }

    // The interactive first run, as docs/clients.md describes it, driven in a terminal (tmux).

    private Map<String, String> interactiveEnv(String authVariable) {
        return Tmux.claudeCodeEnv(home, Map.of("ANTHROPIC_BASE_URL", gw.baseUrl() + "/api", authVariable, gw.key));
    }

    @Test
    void interactiveFirstRunWithAnAuthTokenGetsPastItsScreensAndAnswersWithoutReachingAnthropic() throws Exception {
        Duration screen = Duration.ofSeconds(30);
        try (Tmux t = Tmux.start(work, interactiveEnv("ANTHROPIC_AUTH_TOKEN"), List.of(claude.toString()))) {
            t.advance("Choose the text style", "Press Enter to continue", screen, "Enter"); // to the security notes
            t.advance("Press Enter to continue", "Yes, I trust this folder", screen, "Enter");
            t.select("Yes, I trust this folder", "Yes, I trust this folder", screen, "Down");
            t.advance("❯ Yes, I trust this folder", "auto mode", screen, "Enter");
            t.type("say hi");
            t.await("say hi", screen);
            t.send("Enter");
            String answered = t.await("Hello from the mock upstream", Duration.ofSeconds(60));
            assertThat(answered)
                    .as("no sign-in and no 'use this API key?' question on the way")
                    .doesNotContain("Select login method")
                    .doesNotContain("Do you want to use this API key");
        }
        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.header("x-api-key")).isEqualTo(GatewayHarness.UPSTREAM_KEY);
    }

    @Test
    void interactiveFirstRunWithAnApiKeyStopsAtItsAnthropicConnectivityCheck() throws Exception {
        try (Tmux t = Tmux.start(work, interactiveEnv("ANTHROPIC_API_KEY"), List.of(claude.toString()))) {
            String screen = t.await("Unable to connect to Anthropic services", Duration.ofSeconds(30));
            assertThat(screen).as("before any first-run screen").doesNotContain("Choose the text style");
        }
        assertThat(gw.mock.exchanges()).as("the gateway was never asked").isEmpty();
    }
}
