package io.relaygate.codec.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI Chat clients on Anthropic accounts: request mapping, stream transcoding and whole answers. */
class AnthropicToChatTest {

    private final ObjectMapper json = new ObjectMapper();

    private static Path fixture(String name) {
        return ClientFixtures.dir().resolve(name);
    }

    private String transcode(byte[] sse, int split, boolean includeUsage, AnthropicToChatStream[] holder) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnthropicToChatStream t = new AnthropicToChatStream("gpt-4o", includeUsage, out::writeBytes);
        holder[0] = t;
        Transcripts.feed(sse, split, t);
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<JsonNode> chunks(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String[] blocks = sse.split("\n\n");
        assertThat(blocks[blocks.length - 1]).isEqualTo("data: [DONE]");
        for (int i = 0; i < blocks.length - 1; i++) {
            assertThat(blocks[i]).startsWith("data: {");
            out.add(json.readTree(blocks[i].substring(6)));
        }
        return out;
    }

    @Test
    void claudeToolUseStreamsBecomeChunksWithDenseToolIndicesAndUsage() throws Exception {
        for (String name : new String[] {
            "claude-code-2.1.330_tool_use_bash_stream.sse",
            "claude-code-2.1.330_thinking_tool_use_stream.sse",
            "claude-code-2.1.330_tool_use_read_stream.sse"
        }) {
            byte[] sse = ClientFixtures.read(fixture(name));
            AnthropicToChatStream[] t = new AnthropicToChatStream[1];
            List<JsonNode> chunks = chunks(transcode(sse, sse.length, true, t));
            assertThat(chunks.get(0)
                            .path("choices")
                            .get(0)
                            .path("delta")
                            .path("role")
                            .asText())
                    .isEqualTo("assistant");
            Map<Integer, StringBuilder> args = new HashMap<>();
            String finish = null;
            for (JsonNode c : chunks) {
                assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
                assertThat(c.path("model").asText()).isEqualTo("gpt-4o");
                if (c.path("choices").isEmpty()) {
                    continue;
                }
                JsonNode choice = c.path("choices").get(0);
                for (JsonNode call : choice.path("delta").path("tool_calls")) {
                    int index = call.path("index").asInt();
                    if (call.has("id")) {
                        assertThat(index).as("%s: dense 0-based indices", name).isEqualTo(args.size());
                    }
                    args.computeIfAbsent(index, i -> new StringBuilder())
                            .append(call.path("function").path("arguments").asText());
                }
                if (!choice.path("finish_reason").isNull()) {
                    finish = choice.path("finish_reason").asText();
                }
            }
            assertThat(args).as(name).isNotEmpty();
            for (StringBuilder a : args.values()) {
                assertThat(json.readTree(a.toString()).isObject()).as(name).isTrue();
            }
            assertThat(finish).as(name).isEqualTo("tool_calls");
            JsonNode usage = chunks.get(chunks.size() - 1);
            assertThat(usage.path("choices")).isEmpty();
            Usage u = t[0].usage();
            assertThat(usage.path("usage").path("prompt_tokens").asLong())
                    .isEqualTo(u.inputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens());
            assertThat(usage.path("usage").path("completion_tokens").asLong()).isEqualTo(u.outputTokens());
        }
    }

    @Test
    void sameChunksWhereverTheAnthropicStreamIsSplitAndNoUsageChunkUnlessAsked() throws Exception {
        byte[] sse = ClientFixtures.read(fixture("claude-code-2.1.330_thinking_tool_use_stream.sse"));
        AnthropicToChatStream[] t = new AnthropicToChatStream[1];
        String raw = transcode(sse, sse.length, false, t);
        // The created timestamp is the only field that may differ between runs.
        String whole = raw.replaceAll("\"created\":\\d+", "");
        for (int split = 0; split < sse.length; split++) {
            assertThat(transcode(sse, split, false, t).replaceAll("\"created\":\\d+", ""))
                    .as("split at %d", split)
                    .isEqualTo(whole);
        }
        for (JsonNode c : chunks(raw)) {
            assertThat(c.has("usage")).isFalse();
            assertThat(c.path("choices")).hasSize(1);
        }
        assertThat(whole).contains("\"reasoning_content\"");
    }

    @Test
    void chatRequestsMapToMessagesWithToolTurnsAndSystem() throws Exception {
        ObjectNode out = ChatToAnthropicRequest.map(
                json.readTree(
                        "{\"model\":\"gpt-4o\",\"max_completion_tokens\":300,\"temperature\":1.5,\"stop\":\"END\","
                                + "\"user\":\"u1\",\"stream\":true,\"reasoning_effort\":\"low\",\"parallel_tool_calls\":false,"
                                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get\",\"parameters\":{\"type\":\"object\"}}}],"
                                + "\"tool_choice\":\"required\",\"messages\":["
                                + "{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"developer\",\"content\":\"and kind\"},"
                                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},{\"type\":\"image_url\","
                                + "\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]},"
                                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"get\",\"arguments\":\"{\\\"x\\\":1}\"}},{\"id\":\"call_2\",\"type\":"
                                + "\"function\",\"function\":{\"name\":\"get\",\"arguments\":\"{}\"}}]},"
                                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"one\"},"
                                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"two\"},"
                                + "{\"role\":\"user\",\"content\":\"thanks\"}]}"),
                "claude-sonnet-4-5");
        assertThat(out.path("system").asText()).isEqualTo("be brief\n\nand kind");
        JsonNode m = out.path("messages");
        assertThat(m).hasSize(4);
        assertThat(m.get(0)
                        .path("content")
                        .get(1)
                        .path("source")
                        .path("media_type")
                        .asText())
                .isEqualTo("image/png");
        assertThat(m.get(1).path("content").get(0).path("input").path("x").asInt())
                .isEqualTo(1);
        assertThat(m.get(2).path("content"))
                .as("consecutive tool messages merge into one user turn")
                .hasSize(2);
        assertThat(m.get(2).path("content").get(1).path("tool_use_id").asText()).isEqualTo("call_2");
        assertThat(m.get(3).path("content").asText()).isEqualTo("thanks");
        assertThat(out.path("max_tokens").asLong()).isEqualTo(300);
        assertThat(out.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(out.path("stop_sequences").get(0).asText()).isEqualTo("END");
        assertThat(out.path("tool_choice").path("type").asText()).isEqualTo("any");
        assertThat(out.path("tool_choice").path("disable_parallel_tool_use").asBoolean())
                .isTrue();
        assertThat(out.path("thinking").path("budget_tokens").asLong()).isLessThan(300);
        assertThat(out.path("metadata").path("user_id").asText()).isEqualTo("u1");
        assertThatThrownBy(() -> ChatToAnthropicRequest.map(json.readTree("{\"messages\":[{\"role\":\"x\"}]}"), "m"))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("messages.0.role: x");
    }

    @Test
    void wholeMessagesMapToCompletions() throws Exception {
        JsonNode msg = json.readTree("{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[{\"type\":\"thinking\","
                + "\"thinking\":\"hm\",\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"ok\"},{\"type\":\"tool_use\","
                + "\"id\":\"toolu_1\",\"name\":\"get\",\"input\":{\"a\":1}}],\"stop_reason\":\"tool_use\","
                + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":3}}");
        ObjectNode c = AnthropicToChatResponse.map(msg, "gpt-4o");
        JsonNode choice = c.path("choices").get(0);
        assertThat(choice.path("message").path("content").asText()).isEqualTo("ok");
        assertThat(choice.path("message").path("reasoning_content").asText()).isEqualTo("hm");
        assertThat(choice.path("message")
                        .path("tool_calls")
                        .get(0)
                        .path("function")
                        .path("arguments")
                        .asText())
                .isEqualTo("{\"a\":1}");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(c.path("usage").path("prompt_tokens").asLong()).isEqualTo(15);
        assertThat(c.path("usage")
                        .path("prompt_tokens_details")
                        .path("cached_tokens")
                        .asLong())
                .isEqualTo(5);
    }
}
