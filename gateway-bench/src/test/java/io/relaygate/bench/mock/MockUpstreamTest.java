package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockUpstreamTest {

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

    @BeforeEach
    void reset() {
        mock.reset();
    }

    private HttpResponse<String> post(String path, String body, String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                        .header("x-api-key", key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String body(boolean stream, String text) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Test
    void theUsageTallyCountsWhatTheStreamedAndWholeAnswersDeclared() throws Exception {
        HttpResponse<String> streamed = post("/v1/messages", body(true, "tally one"), "mock-text");
        HttpResponse<String> whole = post("/v1/messages", body(false, "tally two"), "mock-text");
        long in = 0;
        long out = 0;
        for (Ev e : events(streamed.body())) {
            JsonNode usage = e.name().equals("message_start")
                    ? e.data().path("message").path("usage")
                    : e.data().path("usage");
            in = Math.max(in, usage.path("input_tokens").asLong());
            out = Math.max(out, usage.path("output_tokens").asLong());
        }
        JsonNode wholeUsage = json.readTree(whole.body()).path("usage");
        in += wholeUsage.path("input_tokens").asLong();
        out += wholeUsage.path("output_tokens").asLong();
        assertThat(in).isPositive();

        JsonNode tally = json.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/_mock/usage"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertThat(tally.path("requests").asLong()).isEqualTo(2);
        assertThat(tally.path("input_tokens").asLong()).isEqualTo(in);
        assertThat(tally.path("output_tokens").asLong()).isEqualTo(out);
    }

    record Ev(String name, JsonNode data) {}

    private List<Ev> events(String sse) throws Exception {
        List<Ev> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String[] lines = block.split("\n");
            assertThat(lines[0]).as("every event is named").startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            Ev e = new Ev(lines[0].substring(7), json.readTree(lines[1].substring(6)));
            assertThat(e.data().path("type").asText())
                    .as("data type matches the event name")
                    .isEqualTo(e.name());
            out.add(e);
        }
        return out;
    }

    @Test
    void textStreamFollowsTheMessagesEventOrderWithDeterministicUsage() throws Exception {
        String b = body(true, "hi");
        HttpResponse<String> r = post("/v1/messages?beta=true", b, "k");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        List<Ev> ev = events(r.body());
        List<String> names = ev.stream().map(Ev::name).toList();
        assertThat(names.subList(0, 3)).containsExactly("message_start", "content_block_start", "ping");
        assertThat(names.subList(names.size() - 3, names.size()))
                .containsExactly("content_block_stop", "message_delta", "message_stop");
        assertThat(names.stream().filter("content_block_delta"::equals).count()).isEqualTo(5);
        JsonNode start = ev.get(0).data().path("message");
        assertThat(start.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(start.path("usage").path("input_tokens").asLong()).isEqualTo(b.length() / 4);
        JsonNode delta = ev.get(ev.size() - 2).data();
        assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(5);
        assertThat(delta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");

        RecordedExchange ex = mock.awaitCompleted(0, Duration.ofSeconds(5));
        assertThat(ex.body()).isEqualTo(b.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(ex.responseBody(), StandardCharsets.UTF_8)).isEqualTo(r.body());
        assertThat(ex.uri()).isEqualTo("/v1/messages?beta=true");
        assertThat(ex.completed()).isTrue();
    }

    @Test
    void toolUseStreamsTwoToolBlocksWhosePartialJsonFormsTheInput() throws Exception {
        List<Ev> ev =
                events(post("/v1/messages", body(true, "mock:tool_use"), "k").body());
        List<Ev> starts = ev.stream()
                .filter(e -> e.name().equals("content_block_start")
                        && e.data().path("content_block").path("type").asText().equals("tool_use"))
                .toList();
        assertThat(starts).hasSize(2);
        for (Ev s : starts) {
            int index = s.data().path("index").asInt();
            StringBuilder input = new StringBuilder();
            List<Ev> deltas = ev.stream()
                    .filter(e -> e.name().equals("content_block_delta")
                            && e.data().path("index").asInt() == index)
                    .toList();
            assertThat(deltas.get(0).data().path("delta").path("partial_json").asText())
                    .isEmpty();
            deltas.forEach(d ->
                    input.append(d.data().path("delta").path("partial_json").asText()));
            assertThat(json.readTree(input.toString()).isObject()).isTrue();
        }
        assertThat(ev.get(ev.size() - 2)
                        .data()
                        .path("delta")
                        .path("stop_reason")
                        .asText())
                .isEqualTo("tool_use");
    }

    @Test
    void thinkingStreamHasThinkingDeltasAndASignature() throws Exception {
        List<Ev> ev = events(
                post("/v1/messages", body(true, "please mock:thinking"), "k").body());
        assertThat(ev.get(1).data().path("content_block").path("type").asText()).isEqualTo("thinking");
        assertThat(ev.stream()
                        .anyMatch(e ->
                                e.data().path("delta").path("type").asText().equals("signature_delta")))
                .isTrue();
        assertThat(ev.stream()
                        .anyMatch(e ->
                                e.data().path("delta").path("type").asText().equals("thinking_delta")))
                .isTrue();
    }

    @Test
    void nonStreamingAnswerHasTheSameUsageFormula() throws Exception {
        String b = body(false, "hi");
        JsonNode msg = json.readTree(post("/v1/messages", b, "k").body());
        assertThat(msg.path("type").asText()).isEqualTo("message");
        assertThat(msg.path("usage").path("input_tokens").asLong()).isEqualTo(b.length() / 4);
        assertThat(msg.path("usage").path("output_tokens").asLong()).isEqualTo(5);
        assertThat(msg.path("content").get(0).path("text").asText()).startsWith("Hello");
    }

    @Test
    void credentialPicksTheScenarioAndErrorsHaveAnthropicsShapeAndHeaders() throws Exception {
        HttpResponse<String> r = post("/v1/messages", body(false, "hi"), "mock-error-429");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.headers().firstValue("anthropic-ratelimit-requests-reset")).isPresent();
        assertThat(json.readTree(r.body()).path("error").path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(post("/v1/messages", body(true, "mock:error-529"), "k").statusCode())
                .isEqualTo(529);
        assertThat(post("/v1/messages", body(true, "mock:error-500"), "k").statusCode())
                .isEqualTo(500);
        assertThat(post("/v1/messages", body(true, "mock:error-401"), "k").statusCode())
                .isEqualTo(401);
        assertThat(post("/v1/nope", "{}", "k").statusCode()).isEqualTo(404);
        assertThat(post("/v1/messages", "not json", "k").statusCode()).isEqualTo(400);
    }

    @Test
    void countTokensAndModels() throws Exception {
        String b = body(false, "count");
        assertThat(json.readTree(post("/v1/messages/count_tokens", b, "k").body())
                        .path("input_tokens")
                        .asLong())
                .isEqualTo(b.length() / 4);
        HttpResponse<String> models = http.send(
                HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/models"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.readTree(models.body()).path("data").get(0).path("type").asText())
                .isEqualTo("model");
    }

    @Test
    void hangNeverAnswersAndAClientCloseCountsAsCancelled() throws Exception {
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            String b = body(true, "mock:hang");
            s.getOutputStream()
                    .write(("POST /v1/messages HTTP/1.1\r\nHost: m\r\ncontent-length: " + b.length() + "\r\n\r\n" + b)
                            .getBytes(StandardCharsets.UTF_8));
            mock.awaitExchange(0, Duration.ofSeconds(5));
            s.setSoTimeout(300);
            InputStream in = s.getInputStream();
            assertThat(readOrTimeout(in)).as("no answer").isEqualTo(-2);
        }
        assertThat(mock.awaitCancelledStreams(1, Duration.ofSeconds(5))).isTrue();
        assertThat(mock.exchanges().get(0).cancelled()).isTrue();
    }

    @Test
    void resetMidStreamCutsTheConnectionAfterTwoDeltas() throws Exception {
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            String b = body(true, "mock:reset-mid-stream");
            s.getOutputStream()
                    .write(("POST /v1/messages HTTP/1.1\r\nHost: m\r\ncontent-length: " + b.length() + "\r\n\r\n" + b)
                            .getBytes(StandardCharsets.UTF_8));
            s.setSoTimeout(5000);
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (java.net.SocketException reset) {
                // expected: the connection is reset
            }
            assertThat(got.toString()).contains("message_start").doesNotContain("message_stop");
        }
    }

    @Test
    void floodStallsWhenTheClientDoesNotRead() throws Exception {
        try (MockUpstream flood = MockUpstream.start(MockOptions.defaults().withFloodBytes(256L * 1024 * 1024));
                Socket s = new Socket()) {
            s.setReceiveBufferSize(8192);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", flood.port()));
            String b = body(true, "mock:flood");
            s.getOutputStream()
                    .write(("POST /v1/messages HTTP/1.1\r\nHost: m\r\ncontent-length: " + b.length() + "\r\n\r\n" + b)
                            .getBytes(StandardCharsets.UTF_8));
            long last = -1;
            for (int stable = 0; stable < 4; ) {
                Thread.sleep(150);
                long now = flood.bytesWritten();
                stable = now == last ? stable + 1 : 0;
                last = now;
            }
            assertThat(last).as("stalled far below the flood size").isLessThan(64L * 1024 * 1024);
        }
    }

    private static int readOrTimeout(InputStream in) throws java.io.IOException {
        try {
            return in.read();
        } catch (java.net.SocketTimeoutException e) {
            return -2;
        }
    }
}
