package io.relaygate.bench.mock;

import static io.relaygate.bench.mock.AnthropicScript.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One OpenAI Responses API answer as output items, rendered either as the stream of typed events or as the whole
 * {@code response} object. The stream follows what OpenAI sends and what Codex CLI 0.169.0 accepted
 * ({@code testdata/clients/codex-0.169.0_*.sse}): every event has {@code type} (also as the SSE event name) and
 * a {@code sequence_number} counting from 0; {@code response.created} and {@code response.in_progress} first; every
 * item opens with {@code response.output_item.added} and closes with {@code response.output_item.done}, which carries
 * the whole item (Codex takes a message's text from it); {@code response.completed} carries the response id, the
 * output and integer usage. Text, reasoning summary, function argument and custom tool input deltas are the paced,
 * counted deltas.
 */
final class ResponsesScript {

    private static final String FLOOD_PLACEHOLDER = "@@relaygate-flood-text@@";

    private enum Kind {
        MESSAGE,
        REASONING,
        FUNCTION_CALL,
        CUSTOM_TOOL_CALL,
    }

    /** An output item; {@code parts} are its deltas, per summary part for reasoning, one list otherwise. */
    private record Item(Kind kind, String id, String name, String callId, List<List<String>> parts, String secret) {

        String joined(int part) {
            return String.join("", parts.get(part));
        }
    }

    private final String id = "resp_" + Ids.random(24);
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final JsonNode request;
    private final String model;
    private final long inputTokens;
    private final boolean encryptedReasoning;
    private final List<Item> items = new ArrayList<>();
    private boolean failed;
    private long floodDeltas;
    private long seq;

    private ResponsesScript(JsonNode request, long inputTokens) {
        this.request = request;
        this.model = request.path("model").asText("gpt-5.5");
        this.inputTokens = inputTokens;
        boolean encrypted = false;
        for (JsonNode inc : request.path("include")) {
            encrypted |= "reasoning.encrypted_content".equals(inc.asText());
        }
        this.encryptedReasoning = encrypted;
    }

    static ResponsesScript of(Scenario scenario, JsonNode request, long inputTokens, int events) {
        ResponsesScript s = new ResponsesScript(request, inputTokens);
        switch (scenario) {
            case TOOL_USE:
                s.message(List.of("I'll look at both."));
                s.call(Kind.FUNCTION_CALL, "exec_command", List.of("{\"cmd\":", " \"cat /tmp/relaygate/a.txt\"}"));
                s.call(Kind.FUNCTION_CALL, "exec_command", List.of("{\"cmd\": \"ls", " -la\"}"));
                break;
            case CUSTOM_TOOL:
                s.call(
                        Kind.CUSTOM_TOOL_CALL,
                        "apply_patch",
                        List.of(
                                "*** Begin Patch\n*** Add File: relaygate-mock.txt\n",
                                "+written by the relaygate mock\n*** End Patch\n"));
                break;
            case THINKING:
                int thoughts = Math.max(1, events / 2);
                List<List<String>> summary = new ArrayList<>();
                summary.add(new ArrayList<>());
                for (int i = 0; i < thoughts; i++) {
                    if (i == (thoughts + 1) / 2) {
                        summary.add(new ArrayList<>());
                    }
                    summary.get(summary.size() - 1).add((i == 0 ? "**Thinking** " : "") + "Step " + (i + 1) + ". ");
                }
                s.items.add(
                        new Item(Kind.REASONING, "rs_" + Ids.random(24), "", "", summary, "gAAAAA" + Ids.random(40)));
                s.message(AnthropicScript.words(Math.max(1, events - events / 2)));
                break;
            case FAILED:
                s.message(AnthropicScript.words(Math.max(2, events)));
                s.failed = true;
                break;
            case SHELL:
                ShellTool.Step step = ShellTool.step(request, WireApi.RESPONSES);
                switch (step.kind()) {
                    case FUNCTION:
                        s.call(Kind.FUNCTION_CALL, step.name(), halves(step.input()));
                        break;
                    case CUSTOM:
                        s.call(Kind.CUSTOM_TOOL_CALL, step.name(), halves(step.input()));
                        break;
                    default:
                        s.message(halves(step.input()));
                        break;
                }
                break;
            default:
                s.message(AnthropicScript.words(events));
                break;
        }
        return s;
    }

    /** {@code s} in two pieces (one when it is shorter than two chars), never splitting a surrogate pair. */
    static List<String> halves(String s) {
        int mid = s.length() / 2;
        if (mid > 0 && Character.isHighSurrogate(s.charAt(mid - 1))) {
            mid--;
        }
        return mid == 0 ? List.of(s) : List.of(s.substring(0, mid), s.substring(mid));
    }

    private void message(List<String> deltas) {
        items.add(new Item(Kind.MESSAGE, "msg_" + Ids.random(24), "", "", List.of(deltas), ""));
    }

    private void call(Kind kind, String name, List<String> deltas) {
        String prefix = kind == Kind.FUNCTION_CALL ? "fc_" : "ctc_";
        items.add(new Item(kind, prefix + Ids.random(24), name, "call_" + Ids.random(24), List.of(deltas), ""));
    }

    long outputTokens() {
        long n = floodDeltas;
        for (Item it : items) {
            for (List<String> part : it.parts) {
                n += part.size();
            }
        }
        return n;
    }

    private long reasoningTokens() {
        long n = 0;
        for (Item it : items) {
            if (it.kind == Kind.REASONING) {
                for (List<String> part : it.parts) {
                    n += part.size();
                }
            }
        }
        return n;
    }

    /** The whole stream; a {@code failed} answer stops after its first delta with {@code response.failed}. */
    List<AnthropicScript.Event> events() {
        seq = 0;
        List<AnthropicScript.Event> out = new ArrayList<>();
        add(out, withResponse(event("response.created"), response("in_progress", false)), false);
        add(out, withResponse(event("response.in_progress"), response("in_progress", false)), false);
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            ObjectNode added = event("response.output_item.added").put("output_index", i);
            added.set("item", item(it, false));
            add(out, added, false);
            for (int p = 0; p < it.parts.size(); p++) {
                List<String> deltas = it.parts.get(p);
                switch (it.kind) {
                    case MESSAGE:
                        add(out, part(it, i, p, "response.content_part.added", ""), false);
                        break;
                    case REASONING:
                        add(out, part(it, i, p, "response.reasoning_summary_part.added", ""), false);
                        break;
                    default:
                        break;
                }
                for (String d : deltas) {
                    add(out, delta(it, i, p, seq++, d), true);
                    if (failed) {
                        add(out, withResponse(event("response.failed"), response("failed", false)), false);
                        return out;
                    }
                }
                String text = it.joined(p);
                switch (it.kind) {
                    case MESSAGE:
                        ObjectNode textDone =
                                inPart(it, i, p, "response.output_text.done").put("text", text);
                        textDone.putArray("logprobs");
                        add(out, textDone, false);
                        add(out, part(it, i, p, "response.content_part.done", text), false);
                        break;
                    case REASONING:
                        add(
                                out,
                                inPart(it, i, p, "response.reasoning_summary_text.done")
                                        .put("text", text),
                                false);
                        add(out, part(it, i, p, "response.reasoning_summary_part.done", text), false);
                        break;
                    case FUNCTION_CALL:
                        add(
                                out,
                                inPart(it, i, p, "response.function_call_arguments.done")
                                        .put("arguments", text),
                                false);
                        break;
                    default:
                        add(
                                out,
                                inPart(it, i, p, "response.custom_tool_call_input.done")
                                        .put("input", text),
                                false);
                        break;
                }
            }
            ObjectNode done = event("response.output_item.done").put("output_index", i);
            done.set("item", item(it, true));
            add(out, done, false);
        }
        add(out, withResponse(event("response.completed"), response("completed", true)), false);
        return out;
    }

    /**
     * The flood: one message whose text, {@code bytes / 5} filler characters, is sent as deltas and then, as the API
     * does, again in output_text.done, content_part.done, output_item.done and response.completed; about {@code bytes}
     * in all, written in chunks so the handler can stop while the channel is not writable.
     */
    Flood flood(long bytes) {
        long chars = Math.max(1, bytes / 5);
        long deltas = Flood.deltaCount(chars);
        items.clear();
        message(List.of(FLOOD_PLACEHOLDER));
        floodDeltas = deltas - 1;
        Item it = items.get(0);
        Flood f = new Flood();
        long shift = 0;
        for (AnthropicScript.Event e : events()) {
            if (e.delta()) {
                long first = readTree(e.data()).path("sequence_number").asLong();
                f.deltas(chars, (i, text) -> sse(delta(it, 0, 0, first + i, text)));
                shift = deltas - 1;
                continue;
            }
            ObjectNode ev = (ObjectNode) readTree(e.data());
            ev.put("sequence_number", ev.path("sequence_number").asLong() + shift);
            String sse = sse(ev);
            int at = sse.indexOf(FLOOD_PLACEHOLDER);
            if (at < 0) {
                f.text(sse);
            } else {
                f.text(sse.substring(0, at)).filler(chars).text(sse.substring(at + FLOOD_PLACEHOLDER.length()));
            }
        }
        return f;
    }

    /** The non-streaming answer: the response object as {@code response.completed} carries it. */
    String response() {
        return response(failed ? "failed" : "completed", !failed).toString();
    }

    private ObjectNode event(String type) {
        return JSON.createObjectNode().put("type", type).put("sequence_number", seq++);
    }

    private static ObjectNode withResponse(ObjectNode event, ObjectNode response) {
        event.set("response", response);
        return event;
    }

    private static void add(List<AnthropicScript.Event> out, ObjectNode event, boolean delta) {
        out.add(new AnthropicScript.Event(event.path("type").asText(), event.toString(), delta));
    }

    private static String sse(ObjectNode event) {
        return new AnthropicScript.Event(event.path("type").asText(), event.toString(), false).sse();
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event about part {@code p} of item {@code it}: item_id, output_index and the part's index field. */
    private ObjectNode inPart(Item it, int index, int p, String type) {
        ObjectNode e = event(type).put("item_id", it.id).put("output_index", index);
        if (it.kind == Kind.MESSAGE) {
            e.put("content_index", p);
        } else if (it.kind == Kind.REASONING) {
            e.put("summary_index", p);
        }
        return e;
    }

    /** A content_part or reasoning_summary_part event carrying the part with {@code text}. */
    private ObjectNode part(Item it, int index, int p, String type, String text) {
        ObjectNode e = inPart(it, index, p, type);
        e.set("part", it.kind == Kind.REASONING ? summaryText(text) : outputText(text));
        return e;
    }

    private ObjectNode delta(Item it, int index, int p, long sequence, String delta) {
        String type;
        switch (it.kind) {
            case MESSAGE:
                type = "response.output_text.delta";
                break;
            case REASONING:
                type = "response.reasoning_summary_text.delta";
                break;
            case FUNCTION_CALL:
                type = "response.function_call_arguments.delta";
                break;
            default:
                type = "response.custom_tool_call_input.delta";
                break;
        }
        ObjectNode e = JSON.createObjectNode()
                .put("type", type)
                .put("sequence_number", sequence)
                .put("item_id", it.id)
                .put("output_index", index);
        if (it.kind == Kind.MESSAGE) {
            e.put("content_index", p);
        } else if (it.kind == Kind.REASONING) {
            e.put("summary_index", p);
        }
        e.put("delta", delta);
        if (it.kind == Kind.MESSAGE) {
            e.putArray("logprobs");
        }
        return e;
    }

    private static ObjectNode outputText(String text) {
        ObjectNode part = JSON.createObjectNode().put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        return part.put("text", text);
    }

    private static ObjectNode summaryText(String text) {
        return JSON.createObjectNode().put("type", "summary_text").put("text", text);
    }

    private ObjectNode item(Item it, boolean done) {
        ObjectNode n = JSON.createObjectNode().put("id", it.id);
        String status = done ? "completed" : "in_progress";
        switch (it.kind) {
            case MESSAGE:
                n.put("type", "message").put("status", status).put("role", "assistant");
                ArrayNode content = n.putArray("content");
                if (done) {
                    content.add(outputText(it.joined(0)));
                }
                break;
            case REASONING:
                n.put("type", "reasoning");
                ArrayNode summary = n.putArray("summary");
                if (done) {
                    for (int p = 0; p < it.parts.size(); p++) {
                        summary.add(summaryText(it.joined(p)));
                    }
                }
                if (done && encryptedReasoning) {
                    n.put("encrypted_content", it.secret);
                } else {
                    n.putNull("encrypted_content");
                }
                break;
            case FUNCTION_CALL:
                n.put("type", "function_call").put("status", status);
                n.put("arguments", done ? it.joined(0) : "")
                        .put("call_id", it.callId)
                        .put("name", it.name);
                break;
            default:
                n.put("type", "custom_tool_call").put("status", status);
                n.put("call_id", it.callId).put("name", it.name).put("input", done ? it.joined(0) : "");
                break;
        }
        return n;
    }

    /** The response object; request settings are echoed as the API does, with its defaults when absent. */
    private ObjectNode response(String status, boolean withOutput) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id).put("object", "response").put("created_at", createdAt).put("status", status);
        r.put("background", false);
        if (status.equals("failed")) {
            r.putObject("error")
                    .put("code", "server_error")
                    .put("message", "The mock upstream failed this response (scenario 'failed').");
        } else {
            r.putNull("error");
        }
        r.putNull("incomplete_details");
        echo(r, "instructions", null);
        echo(r, "max_output_tokens", null);
        r.put("model", model);
        ArrayNode output = r.putArray("output");
        if (withOutput) {
            for (Item it : items) {
                output.add(item(it, true));
            }
        }
        r.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        echo(r, "previous_response_id", null);
        ObjectNode reasoning = r.putObject("reasoning");
        JsonNode asked = request.path("reasoning");
        reasoning.set("effort", asked.hasNonNull("effort") ? asked.get("effort") : JSON.nullNode());
        reasoning.set("summary", asked.hasNonNull("summary") ? asked.get("summary") : JSON.nullNode());
        r.put("store", request.path("store").asBoolean(true));
        echo(r, "temperature", 1.0);
        ObjectNode text = r.putObject("text");
        JsonNode askedText = request.path("text");
        if (askedText.hasNonNull("format")) {
            text.set("format", askedText.get("format"));
        } else {
            text.putObject("format").put("type", "text");
        }
        text.put("verbosity", askedText.path("verbosity").asText("medium"));
        echo(r, "tool_choice", "auto");
        if (request.path("tools").isArray()) {
            r.set("tools", request.get("tools"));
        } else {
            r.putArray("tools");
        }
        echo(r, "top_p", 1.0);
        echo(r, "truncation", "disabled");
        if (status.equals("completed") || status.equals("failed")) {
            // a failed response reports what it used up to the failure, as the API's response object does
            long generated = outputTokens();
            ObjectNode u = r.putObject("usage");
            u.put("input_tokens", inputTokens);
            u.putObject("input_tokens_details").put("cached_tokens", 0);
            u.put("output_tokens", generated);
            u.putObject("output_tokens_details").put("reasoning_tokens", reasoningTokens());
            u.put("total_tokens", inputTokens + generated);
        } else {
            r.putNull("usage");
        }
        r.putNull("user");
        if (request.path("metadata").isObject()) {
            r.set("metadata", request.get("metadata"));
        } else {
            r.putObject("metadata");
        }
        return r;
    }

    /** The request's value of {@code field}, else {@code fallback} (a String, Double or null). */
    private void echo(ObjectNode r, String field, @Nullable Object fallback) {
        if (request.hasNonNull(field)) {
            r.set(field, request.get(field));
        } else if (fallback instanceof String s) {
            r.put(field, s);
        } else if (fallback instanceof Double d) {
            r.put(field, d);
        } else {
            r.putNull(field);
        }
    }
}
