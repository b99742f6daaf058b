package io.relaygate.bench.mock;

import static io.relaygate.bench.mock.SseEvents.parse;
import static io.relaygate.bench.mock.SseEvents.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.bench.mock.SseEvents.Ev;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's OpenAI Responses mode, checked against the event contract Codex CLI relies on. */
class MockResponsesTest {

    private static MockUpstream mock;
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    static HttpResponse<String> post(MockUpstream m, String path, String body, String bearer, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(m.baseUrl() + path))
                .header("authorization", "Bearer " + bearer)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return post(mock, path, body, "sk-test", headers);
    }

    /** A Codex-like body: a developer prompt item, then a user message with input_text parts. */
    private static String body(boolean stream, String text) {
        return "{\"model\":\"gpt-5.5\",\"stream\":" + stream
                + ",\"store\":false,\"parallel_tool_calls\":false,\"include\":[\"reasoning.encrypted_content\"],"
                + "\"input\":[{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\","
                + "\"text\":\"You are a mock client.\"}]},{\"type\":\"message\",\"role\":\"user\",\"content\":["
                + "{\"type\":\"input_text\",\"text\":\"" + text + "\"}]}]}";
    }

    /**
     * Checks what every Responses stream must hold and returns its events: sequence numbers 0, 1, 2, …; created and
     * in_progress first; each item added once and done once with the same id, its deltas in between; the final event
     * completed (or failed), with the created response's id.
     */
    private static List<Ev> checkedStream(String sse) {
        List<Ev> ev = parse(sse);
        for (int i = 0; i < ev.size(); i++) {
            assertThat(ev.get(i).data().path("sequence_number").isIntegralNumber())
                    .as("sequence_number is an integer")
                    .isTrue();
            assertThat(ev.get(i).data().path("sequence_number").asLong())
                    .as("sequence numbers count from 0 without gaps")
                    .isEqualTo(i);
        }
        assertThat(ev.get(0).type()).isEqualTo("response.created");
        assertThat(ev.get(1).type()).isEqualTo("response.in_progress");
        String id = ev.get(0).data().path("response").path("id").asText();
        assertThat(id).startsWith("resp_");
        Ev last = ev.get(ev.size() - 1);
        assertThat(last.data().path("response").path("id").asText()).isEqualTo(id);
        if (last.type().equals("response.failed")) {
            return ev;
        }
        assertThat(last.type()).isEqualTo("response.completed");
        Map<String, Integer> added = new HashMap<>();
        Map<String, Integer> done = new HashMap<>();
        for (int i = 0; i < ev.size(); i++) {
            Ev e = ev.get(i);
            String itemId = e.data().path("item").path("id").asText();
            if (e.type().equals("response.output_item.added")) {
                assertThat(added.put(itemId, i)).as("added once").isNull();
                assertThat(e.data().path("item").path("status").asText("in_progress"))
                        .isEqualTo("in_progress");
            } else if (e.type().equals("response.output_item.done")) {
                assertThat(done.put(itemId, i)).as("done once").isNull();
                assertThat(added).as("added before done").containsKey(itemId);
            } else if (e.data().has("item_id")) {
                String owner = e.data().path("item_id").asText();
                assertThat(added).as("%s inside its item", e.type()).containsKey(owner);
                assertThat(done).as("%s before its item is done", e.type()).doesNotContainKey(owner);
            }
        }
        assertThat(done.keySet()).as("every item added is done").isEqualTo(added.keySet());
        JsonNode response = last.data().path("response");
        assertThat(response.path("status").asText()).isEqualTo("completed");
        assertThat(response.path("output")).hasSize(added.size());
        for (JsonNode item : response.path("output")) {
            JsonNode itemDone =
                    ev.get(done.get(item.path("id").asText())).data().path("item");
            assertThat(item).as("completed output = the done items").isEqualTo(itemDone);
        }
        checkUsage(response.path("usage"));
        return ev;
    }

    static void checkUsage(JsonNode usage) {
        for (String f : List.of("input_tokens", "output_tokens", "total_tokens")) {
            assertThat(usage.path(f).isIntegralNumber())
                    .as(f + " is an integer")
                    .isTrue();
        }
        assertThat(usage.path("input_tokens_details").path("cached_tokens").isIntegralNumber())
                .isTrue();
        assertThat(usage.path("output_tokens_details").path("reasoning_tokens").isIntegralNumber())
                .isTrue();
        assertThat(usage.path("total_tokens").asLong())
                .as("total = input + output")
                .isEqualTo(usage.path("input_tokens").asLong()
                        + usage.path("output_tokens").asLong());
    }

    private static List<Ev> ofType(List<Ev> ev, String type) {
        return ev.stream().filter(e -> e.type().equals(type)).toList();
    }

    private static String joined(List<Ev> deltas) {
        StringBuilder sb = new StringBuilder();
        deltas.forEach(d -> sb.append(d.data().path("delta").asText()));
        return sb.toString();
    }

    @Test
    void textStreamFollowsTheResponsesEventOrderWithDeterministicUsage() throws Exception {
        String b = body(true, "hi");
        HttpResponse<String> r = post("/v1/responses", b);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).isPresent();
        assertThat(r.headers().firstValue("x-ratelimit-reset-tokens")).isPresent();
        List<Ev> ev = checkedStream(r.body());
        assertThat(ev.stream().map(Ev::type).toList())
                .containsExactly(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.content_part.added",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.done",
                        "response.content_part.done",
                        "response.output_item.done",
                        "response.completed");
        String text = joined(ofType(ev, "response.output_text.delta"));
        assertThat(text).startsWith("Hello");
        assertThat(ev.get(9).data().path("text").asText()).isEqualTo(text);
        JsonNode item = ev.get(11).data().path("item");
        assertThat(item.path("type").asText()).isEqualTo("message");
        assertThat(item.path("role").asText()).isEqualTo("assistant");
        assertThat(item.path("content").get(0).path("type").asText()).isEqualTo("output_text");
        assertThat(item.path("content").get(0).path("text").asText())
                .as("the message text is in output_item.done")
                .isEqualTo(text);
        JsonNode response = ev.get(12).data().path("response");
        assertThat(response.path("object").asText()).isEqualTo("response");
        assertThat(response.path("model").asText()).as("model echoed").isEqualTo("gpt-5.5");
        assertThat(response.path("store").asBoolean(true)).as("store echoed").isFalse();
        assertThat(response.path("usage").path("input_tokens").asLong()).isEqualTo(b.length() / 4);
        assertThat(response.path("usage").path("output_tokens").asLong()).isEqualTo(5);

        RecordedExchange ex = mock.awaitCompleted(0, Duration.ofSeconds(5));
        assertThat(ex.scenario()).isEqualTo("text");
        assertThat(new String(ex.responseBody(), StandardCharsets.UTF_8)).isEqualTo(r.body());
        assertThat(ex.completed()).isTrue();
    }

    @Test
    void everyResponsesPathAnswersAWholeResponseObjectWhenNotStreaming() throws Exception {
        for (String path :
                List.of("/v1/responses", "/openai/v1/responses", "/responses", "/backend-api/codex/responses")) {
            String b = body(false, "hi");
            HttpResponse<String> r = post(path, b);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
            JsonNode resp = tree(r.body());
            assertThat(resp.path("object").asText()).as(path).isEqualTo("response");
            assertThat(resp.path("id").asText()).startsWith("resp_");
            assertThat(resp.path("status").asText()).isEqualTo("completed");
            assertThat(resp.path("model").asText()).isEqualTo("gpt-5.5");
            assertThat(resp.path("output")
                            .get(0)
                            .path("content")
                            .get(0)
                            .path("text")
                            .asText())
                    .startsWith("Hello");
            checkUsage(resp.path("usage"));
            assertThat(resp.path("usage").path("input_tokens").asLong()).isEqualTo(b.length() / 4);
            assertThat(resp.path("usage").path("output_tokens").asLong()).isEqualTo(5);
        }
    }

    @Test
    void pacingHeadersAndRateLimitOverridesApply() throws Exception {
        HttpResponse<String> r = post(
                "/v1/responses", body(true, "hi"), "x-mock-events", "3", "x-mock-ratelimit-remaining-requests", "7");
        List<Ev> ev = checkedStream(r.body());
        assertThat(ofType(ev, "response.output_text.delta")).hasSize(3);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("7");
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isPresent();
    }

    @Test
    void toolUseStreamsFunctionCallsWhoseArgumentDeltasFormTheArguments() throws Exception {
        List<Ev> ev =
                checkedStream(post("/v1/responses", body(true, "mock:tool_use")).body());
        List<Ev> calls = ofType(ev, "response.output_item.done").stream()
                .filter(e -> e.data().path("item").path("type").asText().equals("function_call"))
                .toList();
        assertThat(calls).hasSize(2);
        for (Ev call : calls) {
            JsonNode item = call.data().path("item");
            assertThat(item.path("call_id").asText()).startsWith("call_");
            assertThat(item.path("name").asText()).isEqualTo("exec_command");
            assertThat(item.path("status").asText()).isEqualTo("completed");
            List<Ev> deltas = ofType(ev, "response.function_call_arguments.delta").stream()
                    .filter(d -> d.data()
                            .path("item_id")
                            .asText()
                            .equals(item.path("id").asText()))
                    .toList();
            assertThat(deltas).hasSizeGreaterThan(1);
            assertThat(joined(deltas)).isEqualTo(item.path("arguments").asText());
            assertThat(tree(item.path("arguments").asText()).path("cmd").isTextual())
                    .isTrue();
        }
        assertThat(ofType(ev, "response.function_call_arguments.done")).hasSize(2);
    }

    @Test
    void customToolStreamsAnApplyPatchInput() throws Exception {
        List<Ev> ev = checkedStream(
                post("/v1/responses", body(true, "mock:custom-tool")).body());
        JsonNode item = ofType(ev, "response.output_item.done").get(0).data().path("item");
        assertThat(item.path("type").asText()).isEqualTo("custom_tool_call");
        assertThat(item.path("name").asText()).isEqualTo("apply_patch");
        assertThat(item.path("input").asText()).startsWith("*** Begin Patch\n").contains("*** End Patch");
        assertThat(joined(ofType(ev, "response.custom_tool_call_input.delta")))
                .isEqualTo(item.path("input").asText());
        assertThat(ofType(ev, "response.custom_tool_call_input.done")
                        .get(0)
                        .data()
                        .path("input")
                        .asText())
                .isEqualTo(item.path("input").asText());
    }

    @Test
    void thinkingSendsAReasoningItemWithSummaryPartsBeforeTheMessage() throws Exception {
        List<Ev> ev =
                checkedStream(post("/v1/responses", body(true, "mock:thinking")).body());
        List<Ev> done = ofType(ev, "response.output_item.done");
        JsonNode reasoning = done.get(0).data().path("item");
        assertThat(reasoning.path("type").asText()).isEqualTo("reasoning");
        assertThat(reasoning.path("summary")).hasSizeGreaterThan(1);
        assertThat(reasoning.path("encrypted_content").asText())
                .as("include asked for it")
                .isNotEmpty();
        List<Ev> summaryDeltas = ofType(ev, "response.reasoning_summary_text.delta");
        StringBuilder summary = new StringBuilder();
        reasoning.path("summary").forEach(p -> summary.append(p.path("text").asText()));
        assertThat(joined(summaryDeltas)).isEqualTo(summary.toString());
        assertThat(ofType(ev, "response.reasoning_summary_part.added"))
                .hasSize(reasoning.path("summary").size());
        assertThat(ofType(ev, "response.reasoning_summary_part.done"))
                .hasSize(reasoning.path("summary").size());
        assertThat(done.get(1).data().path("item").path("type").asText()).isEqualTo("message");
        JsonNode usage = ev.get(ev.size() - 1).data().path("response").path("usage");
        assertThat(usage.path("output_tokens_details").path("reasoning_tokens").asLong())
                .isEqualTo(summaryDeltas.size());
        assertThat(usage.path("output_tokens").asLong())
                .isEqualTo(summaryDeltas.size()
                        + ofType(ev, "response.output_text.delta").size());
    }

    @Test
    void failedEndsTheStreamWithResponseFailedAfterOneDelta() throws Exception {
        List<Ev> ev =
                checkedStream(post("/v1/responses", body(true, "mock:failed")).body());
        assertThat(ofType(ev, "response.output_text.delta")).hasSize(1);
        assertThat(ofType(ev, "response.completed")).isEmpty();
        JsonNode failed = ev.get(ev.size() - 1).data();
        assertThat(failed.path("type").asText()).isEqualTo("response.failed");
        assertThat(failed.path("response").path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("response").path("error").path("code").asText()).isNotEmpty();
        assertThat(failed.path("response").path("error").path("message").asText())
                .isNotEmpty();
    }

    @Test
    void errorsUseOpenAisBodiesStatusesAndRateLimitHeaders() throws Exception {
        HttpResponse<String> r = post(mock, "/v1/responses", body(true, "hi"), "mock-error-429");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        JsonNode e = tree(r.body()).path("error");
        assertThat(e.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(e.has("message") && e.has("type") && e.has("param")).isTrue();

        HttpResponse<String> overloaded = post("/v1/responses", body(true, "mock:error-529"));
        assertThat(overloaded.statusCode()).as("OpenAI overload is a 503").isEqualTo(503);
        assertThat(tree(overloaded.body()).path("error").path("type").asText()).isEqualTo("server_error");
        HttpResponse<String> server = post("/v1/responses", body(true, "mock:error-500"));
        assertThat(server.statusCode()).isEqualTo(500);
        assertThat(tree(server.body()).path("error").has("code")).isTrue();
        HttpResponse<String> auth = post("/backend-api/codex/responses", body(false, "mock:error-401"));
        assertThat(auth.statusCode()).isEqualTo(401);
        assertThat(tree(auth.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        HttpResponse<String> bad = post("/v1/responses", "[1]");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(tree(bad.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aFunctionCallOutputAtTheEndHasNoDirectiveSoTheLoopEndsWithText() throws Exception {
        String b = "{\"model\":\"gpt-5.5\",\"stream\":false,\"input\":["
                + "{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"mock:tool_use\"}]},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"exec_command\",\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"done\"}]}";
        JsonNode resp = tree(post("/v1/responses", b).body());
        assertThat(resp.path("output")).hasSize(1);
        assertThat(resp.path("output").get(0).path("type").asText()).isEqualTo("message");
        assertThat(mock.awaitCompleted(0, Duration.ofSeconds(5)).scenario()).isEqualTo("text");

        String plain = "{\"model\":\"gpt-5.5\",\"input\":\"say mock:thinking\"}";
        assertThat(tree(post("/v1/responses", plain).body())
                        .path("output")
                        .get(0)
                        .path("type")
                        .asText())
                .as("a string input is the user text")
                .isEqualTo("reasoning");
    }

    @Test
    void aWebSocketUpgradeIsRefusedWithA404LikeAServerWithoutWebSockets() throws Exception {
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("GET /v1/responses HTTP/1.1\r\nHost: m\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "openai-beta: responses_websockets=2026-02-06\r\nauthorization: Bearer k\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            String answer = readHead(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 404");
            assertThat(answer.toLowerCase()).doesNotContain("upgrade: websocket");
        }
        RecordedExchange ex = mock.awaitCompleted(0, Duration.ofSeconds(5));
        assertThat(ex.status()).isEqualTo(404);
        assertThat(tree(new String(ex.responseBody(), StandardCharsets.UTF_8))
                        .path("error")
                        .path("type")
                        .asText())
                .isEqualTo("invalid_request_error");
    }

    @Test
    void resetMidStreamCutsTheStreamBeforeCompleted() throws Exception {
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            String b = body(true, "mock:reset-mid-stream");
            s.getOutputStream()
                    .write(("POST /v1/responses HTTP/1.1\r\nHost: m\r\ncontent-length: " + b.length() + "\r\n\r\n" + b)
                            .getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(5000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // expected: the connection is reset
            }
            assertThat(got.toString(StandardCharsets.UTF_8))
                    .contains("response.output_text.delta")
                    .doesNotContain("response.completed");
        }
    }

    @Test
    void floodRepeatsTheWholeTextInTheClosingEventsWithConsistentSequenceNumbers() throws Exception {
        long bytes = 5L * 40 * 1024;
        try (MockUpstream flood = MockUpstream.start(MockOptions.defaults().withFloodBytes(bytes))) {
            List<Ev> ev = checkedStream(
                    post(flood, "/v1/responses", body(true, "mock:flood"), "k").body());
            List<Ev> deltas = ofType(ev, "response.output_text.delta");
            assertThat(deltas).hasSize(3);
            String text = joined(deltas);
            assertThat(text).hasSize((int) (bytes / 5)).matches("x+");
            JsonNode item =
                    ofType(ev, "response.output_item.done").get(0).data().path("item");
            assertThat(item.path("content").get(0).path("text").asText()).isEqualTo(text);
            assertThat(ofType(ev, "response.output_text.done")
                            .get(0)
                            .data()
                            .path("text")
                            .asText())
                    .isEqualTo(text);
            assertThat(ev.get(ev.size() - 1)
                            .data()
                            .path("response")
                            .path("usage")
                            .path("output_tokens")
                            .asLong())
                    .isEqualTo(3);
        }
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!out.toString(StandardCharsets.UTF_8).contains("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            out.write(c);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
