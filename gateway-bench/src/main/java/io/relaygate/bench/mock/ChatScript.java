package io.relaygate.bench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.Ids;
import java.util.ArrayList;
import java.util.List;

/**
 * One OpenAI Chat Completions answer, rendered as {@code chat.completion.chunk} stream data (role delta first, content
 * or tool-call fragments, a finish chunk, the usage chunk with empty {@code choices} when
 * {@code stream_options.include_usage} is set) or as the whole {@code chat.completion}. Tool calls arrive as the API
 * sends them: the first fragment of each has its index, id, type and name with empty arguments, later fragments only
 * the index and a piece of the arguments. Thinking is sent as {@code reasoning_content} deltas (DeepSeek, vLLM and
 * others).
 */
final class ChatScript {

    private record Tool(String id, String name, List<String> argumentParts) {}

    private final String id = "chatcmpl-" + Ids.random(24);
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final long promptTokens;
    private final List<String> reasoning = new ArrayList<>();
    private final List<String> content = new ArrayList<>();
    private final List<Tool> tools = new ArrayList<>();

    private ChatScript(String model, long promptTokens) {
        this.model = model;
        this.promptTokens = promptTokens;
    }

    static ChatScript of(Scenario scenario, JsonNode request, long promptTokens, int events) {
        ChatScript s = new ChatScript(request.path("model").asText("gpt-4o-mini"), promptTokens);
        switch (scenario) {
            case TOOL_USE:
                s.content.add("I'll look at both.");
                s.tools.add(new Tool(
                        "call_" + Ids.random(24), "Read", List.of("{\"file_path\":", " \"/tmp/relaygate/a.txt\"}")));
                s.tools.add(new Tool(
                        "call_" + Ids.random(24),
                        "Bash",
                        List.of("{\"command\": \"ls", " -la\", \"description\"", ": \"List files\"}")));
                break;
            case THINKING:
                for (int i = 0; i < Math.max(1, events / 2); i++) {
                    s.reasoning.add("Thinking step " + (i + 1) + ". ");
                }
                s.content.addAll(AnthropicScript.words(Math.max(1, events - events / 2)));
                break;
            case SHELL:
                ShellTool.Step step = ShellTool.step(request, WireApi.CHAT);
                if (step.kind() == ShellTool.Kind.ANSWER) {
                    s.content.addAll(ResponsesScript.halves(step.input()));
                } else {
                    s.tools.add(new Tool("call_" + Ids.random(24), step.name(), ResponsesScript.halves(step.input())));
                }
                break;
            default:
                s.content.addAll(AnthropicScript.words(events));
                break;
        }
        return s;
    }

    long completionTokens() {
        long n = reasoning.size() + content.size();
        for (Tool t : tools) {
            n += t.argumentParts.size();
        }
        return n;
    }

    private String finishReason() {
        return tools.isEmpty() ? "stop" : "tool_calls";
    }

    /**
     * The stream as unnamed SSE events (Chat streams have no {@code event:} lines), ending with {@code [DONE]}; content,
     * reasoning and argument fragments are the paced, counted deltas.
     */
    List<AnthropicScript.Event> events(boolean includeUsage) {
        List<AnthropicScript.Event> out = new ArrayList<>();
        ObjectNode first = chunk(includeUsage);
        delta(first).put("role", "assistant").put("content", "");
        out.add(data(first, false));
        for (String r : reasoning) {
            ObjectNode c = chunk(includeUsage);
            delta(c).put("reasoning_content", r);
            out.add(data(c, true));
        }
        for (String t : content) {
            ObjectNode c = chunk(includeUsage);
            delta(c).put("content", t);
            out.add(data(c, true));
        }
        for (int i = 0; i < tools.size(); i++) {
            Tool tool = tools.get(i);
            ObjectNode head = chunk(includeUsage);
            ObjectNode call = delta(head).putArray("tool_calls").addObject();
            call.put("index", i).put("id", tool.id).put("type", "function");
            call.putObject("function").put("name", tool.name).put("arguments", "");
            out.add(data(head, false));
            for (String part : tool.argumentParts) {
                ObjectNode c = chunk(includeUsage);
                ObjectNode frag = delta(c).putArray("tool_calls").addObject();
                frag.put("index", i);
                frag.putObject("function").put("arguments", part);
                out.add(data(c, true));
            }
        }
        ObjectNode last = chunk(includeUsage);
        ((ObjectNode) last.path("choices").get(0)).put("finish_reason", finishReason());
        out.add(data(last, false));
        if (includeUsage) {
            ObjectNode u = base("chat.completion.chunk");
            u.putNull("system_fingerprint");
            u.putArray("choices");
            usage(u);
            out.add(data(u, false));
        }
        out.add(new AnthropicScript.Event("", "[DONE]", false));
        return out;
    }

    private static AnthropicScript.Event data(ObjectNode chunk, boolean delta) {
        return new AnthropicScript.Event("", chunk.toString(), delta);
    }

    /** The non-streaming answer. */
    String completion() {
        ObjectNode c = base("chat.completion");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (content.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", String.join("", content));
        }
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", String.join("", reasoning));
        }
        message.putNull("refusal");
        if (!tools.isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (Tool t : tools) {
                ObjectNode call = calls.addObject();
                call.put("id", t.id).put("type", "function");
                call.putObject("function").put("name", t.name).put("arguments", String.join("", t.argumentParts));
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason());
        usage(c);
        c.putNull("system_fingerprint");
        return c.toString();
    }

    private ObjectNode base(String object) {
        ObjectNode n = AnthropicScript.JSON.createObjectNode();
        n.put("id", id).put("object", object).put("created", created).put("model", model);
        return n;
    }

    private ObjectNode chunk(boolean includeUsage) {
        ObjectNode c = base("chat.completion.chunk");
        c.putNull("system_fingerprint");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (includeUsage) {
            c.putNull("usage");
        }
        return c;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.path("choices").get(0).path("delta");
    }

    private void usage(ObjectNode n) {
        long completion = completionTokens();
        ObjectNode u = n.putObject("usage");
        u.put("prompt_tokens", promptTokens)
                .put("completion_tokens", completion)
                .put("total_tokens", promptTokens + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", 0);
        u.putObject("completion_tokens_details").put("reasoning_tokens", reasoning.size());
    }
}
