package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mock's OpenAI Chat Completions mode, checked against the chunk contract. */
class MockChatTest {

    private static MockUpstream mock;
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    private HttpResponse<String> post(String path, String body, String bearer) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                        .header("authorization", "Bearer " + bearer)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String body(boolean stream, boolean usage, String text) {
        return "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream
                + (usage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"" + text + "\"}]}]}";
    }

    /** The data payloads of a Chat stream; fails on any named event (Chat streams have none). */
    private List<String> data(String sse) {
        List<String> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            assertThat(block).startsWith("data: ").doesNotContain("\nevent:");
            out.add(block.substring(6));
        }
        return out;
    }

    @Test
    void streamStartsWithTheRoleEndsWithFinishUsageAndDone() throws Exception {
        String b = body(true, true, "hi");
        List<String> chunks = data(post("/v1/chat/completions", b, "sk-test").body());
        assertThat(chunks.get(chunks.size() - 1)).isEqualTo("[DONE]");
        JsonNode first = json.readTree(chunks.get(0));
        assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.path("choices").get(0).path("delta").path("role").asText())
                .isEqualTo("assistant");
        JsonNode finish = json.readTree(chunks.get(chunks.size() - 3));
        assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = json.readTree(chunks.get(chunks.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("prompt_tokens").asLong()).isEqualTo(b.length() / 4);
        assertThat(usage.path("usage").path("completion_tokens").asLong()).isEqualTo(5);
        assertThat(usage.path("usage").path("total_tokens").asLong()).isEqualTo(b.length() / 4 + 5);
        StringBuilder text = new StringBuilder();
        for (String c : chunks.subList(1, chunks.size() - 3)) {
            text.append(json.readTree(c)
                    .path("choices")
                    .get(0)
                    .path("delta")
                    .path("content")
                    .asText());
        }
        assertThat(text.toString()).startsWith("Hello");
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk() throws Exception {
        List<String> chunks =
                data(post("/chat/completions", body(true, false, "hi"), "k").body());
        for (String c : chunks.subList(0, chunks.size() - 1)) {
            JsonNode n = json.readTree(c);
            assertThat(n.has("usage")).isFalse();
            assertThat(n.path("choices")).hasSize(1);
        }
    }

    @Test
    void toolCallsArriveAsIndexedFragmentsThatFormTheArguments() throws Exception {
        List<String> chunks = data(post("/v1/chat/completions", body(true, false, "mock:tool_use"), "k")
                .body());
        Map<Integer, StringBuilder> args = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        String finish = null;
        for (String c : chunks.subList(0, chunks.size() - 1)) {
            JsonNode choice = json.readTree(c).path("choices").get(0);
            for (JsonNode call : choice.path("delta").path("tool_calls")) {
                int index = call.path("index").asInt();
                if (call.has("id")) {
                    assertThat(call.path("id").asText()).startsWith("call_");
                    names.put(index, call.path("function").path("name").asText());
                }
                args.computeIfAbsent(index, i -> new StringBuilder())
                        .append(call.path("function").path("arguments").asText());
            }
            if (!choice.path("finish_reason").isNull()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertThat(names).containsEntry(0, "Read").containsEntry(1, "Bash");
        for (StringBuilder a : args.values()) {
            assertThat(json.readTree(a.toString()).isObject()).isTrue();
        }
        assertThat(finish).isEqualTo("tool_calls");
    }

    @Test
    void thinkingComesAsReasoningContent() throws Exception {
        List<String> chunks = data(post("/v1/chat/completions", body(true, false, "mock:thinking"), "k")
                .body());
        assertThat(chunks.stream().anyMatch(c -> c.contains("\"reasoning_content\"")))
                .isTrue();
    }

    @Test
    void nonStreamingCompletionAndAzurePath() throws Exception {
        String b = body(false, false, "mock:tool_use");
        HttpResponse<String> r = post("/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", b, "k");
        JsonNode c = json.readTree(r.body());
        assertThat(c.path("object").asText()).isEqualTo("chat.completion");
        JsonNode msg = c.path("choices").get(0).path("message");
        assertThat(msg.path("tool_calls")).hasSize(2);
        assertThat(c.path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(c.path("usage").path("prompt_tokens").asLong()).isEqualTo(b.length() / 4);
    }

    @Test
    void errorsUseOpenAisShape() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", body(false, false, "x"), "mock-error-429");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        JsonNode e = json.readTree(r.body()).path("error");
        assertThat(e.path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(e.has("message") && e.has("param") && e.has("code")).isTrue();
        assertThat(post("/v1/chat/completions", body(true, false, "mock:error-529"), "k")
                        .statusCode())
                .isEqualTo(503);
        assertThat(json.readTree(post("/v1/chat/completions", body(true, false, "mock:error-401"), "k")
                                .body())
                        .path("error")
                        .path("type")
                        .asText())
                .isEqualTo("invalid_api_key");
    }
}
