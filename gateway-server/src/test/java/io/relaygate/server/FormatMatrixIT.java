package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.AccountKind;
import io.relaygate.core.WireFormat;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every inbound format against every upstream format, streaming and not: 3 × 3 × 2 requests through the real server
 * to the mock, each answer checked against the client format's own grammar (event order, terminal events, usage) and
 * for the mock's text, and each exchange's usage against what the mock counted.
 */
class FormatMatrixIT {

    private static final Map<WireFormat, GatewayHarness> BY_UPSTREAM = new EnumMap<>(WireFormat.class);
    private static final String TEXT = "Hello from the mock upstream";
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        // The harness's own account speaks Anthropic; the others get an account that wins on priority.
        BY_UPSTREAM.put(WireFormat.ANTHROPIC, GatewayHarness.start());
        GatewayHarness chat = GatewayHarness.start();
        chat.addAccount("mock-chat", AccountKind.OPENAI_COMPATIBLE, chat.mock.baseUrl() + "/v1", "sk-chat", 1);
        BY_UPSTREAM.put(WireFormat.OPENAI_CHAT, chat);
        GatewayHarness responses = GatewayHarness.start();
        responses.addAccount("mock-responses", AccountKind.OPENAI_API, responses.mock.baseUrl(), "sk-responses", 1);
        BY_UPSTREAM.put(WireFormat.OPENAI_RESPONSES, responses);
    }

    @AfterAll
    static void stop() throws Exception {
        for (GatewayHarness gw : BY_UPSTREAM.values()) {
            gw.close();
        }
    }

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (WireFormat client : WireFormat.values()) {
            for (WireFormat upstream : WireFormat.values()) {
                out.add(Arguments.of(client, upstream, true));
                out.add(Arguments.of(client, upstream, false));
            }
        }
        return out.stream();
    }

    private static String path(WireFormat client) {
        return switch (client) {
            case ANTHROPIC -> "/v1/messages";
            case OPENAI_CHAT -> "/openai/v1/chat/completions";
            case OPENAI_RESPONSES -> "/openai/v1/responses";
        };
    }

    private static String body(WireFormat client, boolean stream) {
        return switch (client) {
            case ANTHROPIC -> GatewayHarness.messages("claude-sonnet-4-5", stream, "hello");
            case OPENAI_CHAT ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":" + stream
                        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                        + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                        + "{\"role\":\"user\",\"content\":\"hello\"}]}";
            case OPENAI_RESPONSES ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":" + stream
                        + ",\"instructions\":\"be brief\",\"input\":[{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}]}";
        };
    }

    private static String upstreamPath(WireFormat upstream) {
        return switch (upstream) {
            case ANTHROPIC -> "/v1/messages";
            case OPENAI_CHAT -> "/v1/chat/completions";
            case OPENAI_RESPONSES -> "/v1/responses";
        };
    }

    record Event(String name, JsonNode data) {}

    private List<Event> events(byte[] body) {
        List<Event> events = new ArrayList<>();
        SseEventParser parser = new SseEventParser(1 << 20, (name, data, off, len) -> {
            String text = new String(data, off, len, StandardCharsets.UTF_8);
            try {
                events.add(new Event(name, text.equals("[DONE]") ? null : json.readTree(text)));
            } catch (java.io.IOException e) {
                throw new AssertionError("event data is not JSON: " + text, e);
            }
        });
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            parser.feed(buf);
            parser.finish();
        } finally {
            buf.release();
        }
        return events;
    }

    /** Checks the client format's stream grammar and returns the streamed text. */
    private String streamedText(WireFormat client, List<Event> events) {
        StringBuilder text = new StringBuilder();
        switch (client) {
            case ANTHROPIC -> {
                assertThat(events.get(0).name()).isEqualTo("message_start");
                assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
                assertThat(events.get(events.size() - 2).name()).isEqualTo("message_delta");
                for (Event e : events) {
                    assertThat(e.data().path("type").asText()).isEqualTo(e.name());
                    text.append(e.data().path("delta").path("text").asText(""));
                }
            }
            case OPENAI_CHAT -> {
                assertThat(events.get(events.size() - 1).data())
                        .as("ends with [DONE]")
                        .isNull();
                JsonNode usage = events.get(events.size() - 2).data().path("usage");
                assertThat(usage.path("completion_tokens").asLong())
                        .as("usage chunk")
                        .isPositive();
                for (Event e : events.subList(0, events.size() - 1)) {
                    assertThat(e.data().path("object").asText()).isEqualTo("chat.completion.chunk");
                    for (JsonNode c : e.data().path("choices")) {
                        text.append(c.path("delta").path("content").asText(""));
                    }
                }
            }
            case OPENAI_RESPONSES -> {
                assertThat(events.get(0).data().path("type").asText()).isEqualTo("response.created");
                Event last = events.get(events.size() - 1);
                assertThat(last.data().path("type").asText()).isEqualTo("response.completed");
                JsonNode usage = last.data().path("response").path("usage");
                assertThat(usage.path("total_tokens").asLong())
                        .isEqualTo(usage.path("input_tokens").asLong()
                                + usage.path("output_tokens").asLong());
                assertThat(last.data().path("response").path("id").asText()).isNotEmpty();
                long seq = -1;
                String done = null;
                for (Event e : events) {
                    long s = e.data().path("sequence_number").asLong(-1);
                    assertThat(s).as("sequence numbers increase").isGreaterThan(seq);
                    seq = s;
                    if (e.data().path("type").asText().equals("response.output_text.delta")) {
                        text.append(e.data().path("delta").asText());
                    }
                    if (e.data().path("type").asText().equals("response.output_item.done")) {
                        done = e.data()
                                .path("item")
                                .path("content")
                                .get(0)
                                .path("text")
                                .asText();
                    }
                }
                assertThat(done).as("output_item.done carries the whole text").isEqualTo(text.toString());
            }
        }
        return text.toString();
    }

    private static String wholeText(WireFormat client, JsonNode answer) {
        return switch (client) {
            case ANTHROPIC -> answer.path("content").get(0).path("text").asText();
            case OPENAI_CHAT ->
                answer.path("choices").get(0).path("message").path("content").asText();
            case OPENAI_RESPONSES -> {
                StringBuilder t = new StringBuilder();
                for (JsonNode item : answer.path("output")) {
                    if (item.path("type").asText().equals("message")) {
                        t.append(item.path("content").get(0).path("text").asText());
                    }
                }
                yield t.toString();
            }
        };
    }

    @ParameterizedTest(name = "{0} client, {1} account, stream={2}")
    @MethodSource("pairs")
    void everyClientFormatIsServedByEveryAccountFormat(WireFormat client, WireFormat upstream, boolean stream)
            throws Exception {
        GatewayHarness gw = BY_UPSTREAM.get(upstream);
        gw.reset();
        gw.outcomes.clear();
        HttpResponse<byte[]> r = gw.post(path(client), body(client, stream), "authorization", "Bearer " + gw.key);
        assertThat(r.statusCode())
                .as("status; body: %s", new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        String text;
        if (stream) {
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
            text = streamedText(client, events(r.body()));
        } else {
            text = wholeText(client, json.readTree(r.body()));
        }
        assertThat(text).startsWith(TEXT);

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo(upstreamPath(upstream));
        JsonNode sent = json.readTree(ex.body());
        if (client != WireFormat.ANTHROPIC) {
            assertThat(sent.toString())
                    .as("the system prompt reached the upstream")
                    .contains("be brief");
        }
        assertThat(sent.toString()).contains("hello");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.usage().outputTokens()).as("output tokens counted").isPositive();
        assertThat(o.usage().inputTokens() + o.usage().cacheReadInputTokens())
                .as("input tokens counted")
                .isPositive();
    }
}
