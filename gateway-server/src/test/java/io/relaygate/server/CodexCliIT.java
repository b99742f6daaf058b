package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex CLI (from npm, the version the fixtures were captured with) pointed at the gateway as docs/clients.md
 * tells users to: a {@code model_providers} entry with {@code base_url = "http://host:port/openai/v1"},
 * {@code env_key} and {@code wire_api = "responses"}. Codex runs {@code exec} non-interactively; the mock's
 * {@code mock:shell} scenario makes the model call Codex's shell tool once, Codex runs it, and the second request
 * carries the command's output back, which the mock quotes in its final answer. The test installs the CLI into
 * {@code ~/.cache/relaygate-e2e} on first use.
 */
class CodexCliIT {

    static final String VERSION = "0.169.0";
    /** What the mock's shell call prints; seeing it in the final answer proves Codex really ran the tool. */
    static final String MARKER = "relaygate-tool-ok";

    private static Path codex;
    private static GatewayHarness claudeAccount;
    private static GatewayHarness openAiAccount;
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path home;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        codex = install();
        // The harness's own account is an anthropic-api one: Codex's Responses requests are converted for it.
        claudeAccount = GatewayHarness.start();
        openAiAccount = GatewayHarness.start();
        openAiAccount.addAccount("mock-openai", AccountKind.OPENAI_API, openAiAccount.mock.baseUrl(), "sk-openai", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        claudeAccount.close();
        openAiAccount.close();
    }

    /** Installs {@code @openai/codex@VERSION} with npm unless already there; returns the binary. */
    static Path install() throws IOException, InterruptedException {
        return NpmTool.install("@openai/codex", VERSION, "codex", "codex-" + VERSION);
    }

    record Run(int exit, String stdout, String stderr) {}

    /** Writes Codex's config: the recommended custom provider, or the built-in one with {@code openai_base_url}. */
    private void configure(GatewayHarness gw, boolean builtInProvider) throws IOException {
        String config = builtInProvider ? """
                  openai_base_url = "%s/openai/v1"
                  check_for_update_on_startup = false

                  [analytics]
                  enabled = false
                  """.formatted(gw.baseUrl()) : """
                  model_provider = "relaygate"
                  check_for_update_on_startup = false

                  [model_providers.relaygate]
                  name = "Relaygate"
                  base_url = "%s/openai/v1"
                  env_key = "RELAYGATE_API_KEY"
                  wire_api = "responses"

                  [analytics]
                  enabled = false
                  """.formatted(gw.baseUrl());
        Files.writeString(home.resolve("config.toml"), config);
    }

    private Run codex(GatewayHarness gw, String... args) throws Exception {
        return codex(
                gw, Map.of("RELAYGATE_API_KEY", gw.key, "OPENAI_API_KEY", gw.key, "CODEX_API_KEY", gw.key), true, args);
    }

    /** Runs {@code codex exec} with only {@code keys} of the three key variables set. */
    private Run codex(GatewayHarness gw, Map<String, String> keys, boolean skipGitCheck, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(codex.toString());
        cmd.add("exec");
        if (skipGitCheck) {
            cmd.add("--skip-git-repo-check");
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("CODEX_HOME", home.toString());
        env.put("TERM", "dumb");
        env.put("LANG", "C.UTF-8");
        env.putAll(keys);
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("codex did not finish in 90 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err));
    }

    /** The call ids of the function or custom tool calls in a Responses or Anthropic request body's history. */
    private static List<String> callIds(JsonNode body, String type, String idField) {
        List<String> ids = new ArrayList<>();
        JsonNode items = body.has("input") ? body.path("input") : body.path("messages");
        for (JsonNode item : items) {
            if (type.equals(item.path("type").asText())) {
                ids.add(item.path(idField).asText());
            }
            for (JsonNode block : item.path("content")) {
                if (type.equals(block.path("type").asText())) {
                    ids.add(block.path(idField).asText());
                }
            }
        }
        return ids;
    }

    @Test
    void execCompletesAToolTurnOnAnOpenAiAccount() throws Exception {
        GatewayHarness gw = openAiAccount;
        gw.reset();
        gw.outcomes.clear();
        configure(gw, false);
        Run run = codex(gw, "-m", "gpt-5.5", "mock:shell");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout())
                .as("Codex printed the final answer quoting the tool's output")
                .contains(MARKER);

        RecordedExchange first = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        RecordedExchange second = gw.mock.awaitCompleted(1, GatewayHarness.WAIT);
        assertThat(first.uri()).isEqualTo("/v1/responses");
        assertThat(first.header("authorization"))
                .as("the upstream's key, not the gateway key")
                .isEqualTo("Bearer sk-openai");
        assertThat(first.body()).as("passthrough: the bytes Codex sent").isNotEmpty();
        JsonNode firstBody = json.readTree(first.body());
        assertThat(firstBody.path("model").asText()).isEqualTo("gpt-5.5");
        JsonNode secondBody = json.readTree(second.body());
        List<String> calls = callIds(secondBody, "function_call", "call_id");
        List<String> outputs = callIds(secondBody, "function_call_output", "call_id");
        assertThat(calls).hasSize(1);
        assertThat(outputs).as("Codex answered the call with its id").isEqualTo(calls);

        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.client()).isEqualTo(ClientKind.CODEX);
        assertThat(o.clientVersion()).isEqualTo(VERSION);
        assertThat(o.account()).isEqualTo("mock-openai");
        assertThat(o.usage().inputTokens())
                .as("usage tapped from response.completed")
                .isPositive();
        assertThat(o.usage().outputTokens()).isPositive();
    }

    @Test
    void execCompletesAToolTurnOnAClaudeAccount() throws Exception {
        GatewayHarness gw = claudeAccount;
        gw.reset();
        gw.outcomes.clear();
        configure(gw, false);
        Run run = codex(gw, "-m", "gpt-5.5", "mock:shell");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).contains(MARKER);

        RecordedExchange first = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        RecordedExchange second = gw.mock.awaitCompleted(1, GatewayHarness.WAIT);
        assertThat(first.uri()).as("converted to Anthropic Messages").isEqualTo("/v1/messages");
        JsonNode firstBody = json.readTree(first.body());
        assertThat(firstBody.path("system").toString())
                .as("Codex's developer prompt")
                .contains("You are Codex");
        List<String> toolNames = new ArrayList<>();
        firstBody.path("tools").forEach(t -> toolNames.add(t.path("name").asText()));
        assertThat(toolNames).contains("exec_command", "apply_patch");
        JsonNode secondBody = json.readTree(second.body());
        List<String> uses = callIds(secondBody, "tool_use", "id");
        List<String> results = callIds(secondBody, "tool_result", "tool_use_id");
        assertThat(uses).hasSize(1);
        assertThat(results).as("the call id survived both conversions").isEqualTo(uses);

        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.client()).isEqualTo(ClientKind.CODEX);
        assertThat(o.usage().inputTokens()).isPositive();
    }

    @Test
    void theDefaultModelsCodeModeToolWorksOnAClaudeAccount() throws Exception {
        // Codex's default model sends its tools in an additional_tools input item, its only coding tool being the
        // custom (freeform) tool "exec"; the call must come back to Codex as a custom_tool_call.
        GatewayHarness gw = claudeAccount;
        gw.reset();
        gw.outcomes.clear();
        configure(gw, false);
        Run run = codex(gw, "mock:shell");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        RecordedExchange first = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        List<String> toolNames = new ArrayList<>();
        json.readTree(first.body())
                .path("tools")
                .forEach(t -> toolNames.add(t.path("name").asText()));
        assertThat(toolNames).contains("exec");
        RecordedExchange second = gw.mock.awaitCompleted(1, GatewayHarness.WAIT);
        JsonNode secondBody = json.readTree(second.body());
        assertThat(callIds(secondBody, "tool_result", "tool_use_id"))
                .isEqualTo(callIds(secondBody, "tool_use", "id"))
                .hasSize(1);
    }

    @Test
    void theBuiltInProviderFallsBackFromWebSocketsAtOnce() throws Exception {
        GatewayHarness gw = openAiAccount;
        gw.reset();
        gw.outcomes.clear();
        configure(gw, true);
        long before = gw.server.webSocketRefusals();
        Run run = codex(gw, "-m", "gpt-5.5", "say hi");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).contains("Hello from the mock upstream");
        // Against a server answering 404 Codex tries the WebSocket seven times (6.9 s); 426 ends that at once.
        assertThat(gw.server.webSocketRefusals() - before)
                .as("WebSocket upgrade attempts answered 426")
                .isBetween(1L, 2L);
    }

    // What docs/clients.md says about the built-in provider, checked against this Codex version.

    @Test
    void theBuiltInProviderTakesTheKeyFromCodexApiKeyAndSaysItsWebSocketAttemptFailed() throws Exception {
        GatewayHarness gw = openAiAccount;
        gw.reset();
        configure(gw, true);
        Run run = codex(gw, Map.of("CODEX_API_KEY", gw.key), true, "-m", "gpt-5.5", "say hi");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).contains("Hello from the mock upstream");
        assertThat(run.stderr())
                .as("the line docs/clients.md calls expected")
                .containsIgnoringCase("failed to connect to Responses WebSocket");
    }

    @Test
    void theBuiltInProviderSendsNoKeyFromOpenAiApiKey() throws Exception {
        GatewayHarness gw = openAiAccount;
        gw.reset();
        configure(gw, true);
        Run run = codex(gw, Map.of("OPENAI_API_KEY", gw.key), true, "-m", "gpt-5.5", "say hi");
        assertThat(run.exit()).as("codex gives up; stderr: %s", run.stderr()).isNotZero();
        assertThat(run.stdout()).doesNotContain("Hello from the mock upstream");
        assertThat(gw.mock.exchanges()).as("nothing reached the account").isEmpty();
        assertThat(run.stderr()).contains("401");
    }

    /**
     * Codex has no gateway sign-in; the closest thing (docs/clients.md): the person's own key, made with
     * {@code relaygate people key NAME}, stored by the real {@code codex login --with-api-key} (read from stdin), then
     * {@code codex exec} with no key in the environment: the request spends as the person's key.
     */
    @Test
    void aPersonsKeyStoredWithCodexLoginSpendsAsThatPerson() throws Exception {
        GatewayHarness gw = openAiAccount;
        gw.reset();
        gw.outcomes.clear();
        configure(gw, true);
        io.relaygate.server.signin.PeopleAdmin people =
                new io.relaygate.server.signin.PeopleAdmin(gw.store, java.time.Clock.systemUTC());
        io.relaygate.accounts.people.Person person = people.add(
                        "codex-person",
                        "codex-person@example.com",
                        null,
                        List.of("dev"),
                        io.relaygate.core.KeyRules.NONE)
                .toCompletableFuture()
                .join();
        String secret = people.keySecret("codex-person").toCompletableFuture().join();
        SuiteSecretScan.secret(secret);
        Path input = work.resolve("key.txt");
        Files.writeString(input, secret + "\n");
        ProcessBuilder pb = new ProcessBuilder(codex.toString(), "login", "--with-api-key").directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("CODEX_HOME", home.toString());
        env.put("TERM", "dumb");
        env.put("LANG", "C.UTF-8");
        Process login = pb.redirectInput(input.toFile())
                .redirectOutput(work.resolve("login-out.txt").toFile())
                .redirectError(work.resolve("login-err.txt").toFile())
                .start();
        assertThat(login.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Files.delete(input);
        assertThat(login.exitValue())
                .as("codex login; stderr: %s", Files.readString(work.resolve("login-err.txt")))
                .isZero();
        assertThat(Files.readString(home.resolve("auth.json"))).contains(secret);

        Run run = codex(gw, Map.of(), true, "-m", "gpt-5.5", "say hi");
        assertThat(run.exit()).as("codex exit code; stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).contains("Hello from the mock upstream");
        io.relaygate.server.exchange.ExchangeOutcome outcome = gw.nextOutcome();
        while (outcome.status() != 200) {
            outcome = gw.nextOutcome();
        }
        assertThat(outcome.keyId()).as("the request spent as the person's key").isEqualTo(person.keyId());
    }

    @Test
    void execOutsideAGitRepositoryNeedsSkipGitRepoCheck() throws Exception {
        GatewayHarness gw = claudeAccount;
        gw.reset();
        configure(gw, false);
        Run run = codex(gw, Map.of("RELAYGATE_API_KEY", gw.key), false, "say hi");
        assertThat(run.exit()).isNotZero();
        assertThat(run.stdout() + run.stderr()).containsIgnoringCase("git");
        assertThat(gw.mock.exchanges()).isEmpty();
    }
}
