package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.VertexCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI (the pinned version of {@link ClaudeCodeCliIT}) runs a tool round trip through a Bedrock
 * account (SigV4, event-stream answers decoded to SSE) and through a Vertex account (exchanged token, SSE relayed),
 * both on the mock: the mock calls Claude Code's Bash tool, and the tool's output comes back in the final answer.
 */
class ClaudeCodeCloudIT {

    private static GatewayHarness gw;
    private static CloudFixture cloud;
    private static Path claude;
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path home;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        claude = ClaudeCodeCliIT.installClaudeCode();
        gw = GatewayHarness.start();
        cloud = CloudFixture.on(gw);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void onlyTheCloudAccountOfTheTest() {
        cloud.onlyTheTestsOwnAccounts();
    }

    private String runClaude() throws Exception {
        List<String> cmd = List.of(claude.toString(), "-p", "mock:shell", "--allowedTools", "Bash");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        var env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("TERM", "dumb");
        env.put("LANG", "C.UTF-8");
        env.put("ANTHROPIC_BASE_URL", gw.baseUrl() + "/api");
        env.put("ANTHROPIC_API_KEY", gw.key);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
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
        assertThat(p.exitValue()).as("stderr: %s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The model calls on the cloud path {@code marker}, in order. */
    private List<RecordedExchange> calls(String marker) {
        List<RecordedExchange> calls = new ArrayList<>();
        for (RecordedExchange e : gw.mock.exchanges()) {
            if (e.uri().contains(marker)) {
                calls.add(e);
            }
        }
        return calls;
    }

    private void assertToolRoundTrip(String stdout, String marker) throws Exception {
        assertThat(stdout).as("the tool ran and its output came back").contains("relaygate-tool-ok");
        List<RecordedExchange> calls = calls(marker);
        assertThat(calls).as("the tool call and the answer to its result").hasSizeGreaterThanOrEqualTo(2);
        JsonNode last = json.readTree(calls.get(calls.size() - 1).body());
        List<String> uses = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (JsonNode m : last.path("messages")) {
            for (JsonNode block : m.path("content")) {
                if (block.path("type").asText().equals("tool_use")) {
                    uses.add(block.path("id").asText());
                } else if (block.path("type").asText().equals("tool_result")) {
                    results.add(block.path("tool_use_id").asText());
                }
            }
        }
        assertThat(uses).hasSize(1);
        assertThat(results).as("the tool_result answers the tool_use").isEqualTo(uses);
        assertThat(gw.nextOutcome().client()).isEqualTo(ClientKind.CLAUDE_CODE);
    }

    @Test
    void aToolLoopRoundTripsThroughABedrockAccount() throws Exception {
        cloud.bedrock("bedrock-cc", CloudFixture.sigV4("us-west-2", null, null));
        assertToolRoundTrip(runClaude(), "/invoke-with-response-stream");
    }

    @Test
    void aToolLoopRoundTripsThroughAVertexAccount() throws Exception {
        gw.addAccount(
                "vertex-cc",
                AccountKind.VERTEX,
                gw.mock.baseUrl(),
                new VertexCredentials("mock-project", "global", cloud.serviceAccount(cloud.accepted), null, null)
                        .encode(),
                Account.DEFAULT_PRIORITY);
        assertToolRoundTrip(runClaude(), ":streamRawPredict");
    }
}
