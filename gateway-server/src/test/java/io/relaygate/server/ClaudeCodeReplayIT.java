package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.ClientKind;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replays every captured Claude Code request through the gateway: the upstream must receive the headers it needs
 * exactly as Claude Code sent them and the body byte for byte, and the client gets a stream back.
 */
class ClaudeCodeReplayIT {

    /** What an Anthropic upstream needs from Claude Code's headers, unchanged. */
    private static final List<String> KEPT = List.of(
            "anthropic-version",
            "anthropic-beta",
            "content-type",
            "user-agent",
            "x-claude-code-session-id",
            "x-app",
            "x-stainless-package-version",
            "x-stainless-timeout",
            "anthropic-dangerous-direct-browser-access");

    /** Restricted by java.net.http; those are checked by the raw-socket tests instead. */
    private static final Set<String> NOT_SETTABLE = Set.of("connection", "host", "content-length", "expect", "upgrade");

    private static GatewayHarness gw;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @Test
    void everyCapturedClaudeCodeRequestReachesTheUpstreamIntact() throws Exception {
        List<Path> captures = Fixtures.files("claude-code-", ".json");
        int replayed = 0;
        for (Path capture : captures) {
            JsonNode request = json.readTree(capture.toFile()).path("request");
            if (!"POST".equals(request.path("method").asText())
                    || !request.path("body").isObject()) {
                continue;
            }
            gw.reset();
            byte[] body = json.writeValueAsBytes(request.path("body"));
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(
                            gw.baseUrl() + "/api" + request.path("raw_path").asText()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .timeout(GatewayHarness.WAIT);
            boolean bearer = false;
            for (JsonNode h : request.path("headers")) {
                String name = h.get(0).asText();
                String lower = name.toLowerCase(Locale.ROOT);
                if (NOT_SETTABLE.contains(lower)) {
                    continue;
                }
                if (lower.equals("x-api-key")) {
                    r.header(name, gw.key);
                } else if (lower.equals("authorization")) {
                    r.header(name, "Bearer " + gw.key);
                    bearer = true;
                } else {
                    r.header(name, h.get(1).asText());
                }
            }
            HttpResponse<byte[]> response = gw.http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
            String what = capture.getFileName().toString();
            assertThat(response.statusCode()).as(what).isEqualTo(200);

            RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
            assertThat(ex.uri()).as(what).isEqualTo(request.path("raw_path").asText());
            assertThat(ex.body()).as("%s: body byte for byte", what).isEqualTo(body);
            for (String name : KEPT) {
                String sent = header(request, name);
                assertThat(ex.header(name)).as("%s: header %s", what, name).isEqualTo(sent);
            }
            assertThat(ex.header("x-api-key")).as(what).isEqualTo(GatewayHarness.UPSTREAM_KEY);
            assertThat(ex.header("authorization"))
                    .as("%s (bearer=%s)", what, bearer)
                    .isNull();
            assertThat(response.body()).as(what).isEqualTo(ex.responseBody());
            assertThat(gw.outcomeOf(response).client()).as(what).isEqualTo(ClientKind.CLAUDE_CODE);
            replayed++;
        }
        assertThat(replayed).as("captures replayed").isGreaterThanOrEqualTo(10);
    }

    private static String header(JsonNode request, String name) {
        for (JsonNode h : request.path("headers")) {
            if (h.get(0).asText().equalsIgnoreCase(name)) {
                return h.get(1).asText();
            }
        }
        return null;
    }
}
