package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Streams that do not end well, through the real server to the mock, for every client format against every upstream
 * format (passthrough when they are the same, converted otherwise): a stream that ends with the upstream's own error
 * event is recorded as {@code UPSTREAM_ERROR} with its kind and tokens and counted as an error; a stream whose body ends
 * before its final event (the last chunk mid-event, or a close-delimited body's close) ends for the client with an
 * error event in its format and is recorded as an upstream failure with the tokens seen, its connection not reused.
 */
class StreamEndingsIT {

    private static final Map<WireFormat, GatewayHarness> BY_UPSTREAM = new EnumMap<>(WireFormat.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
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
                out.add(Arguments.of(client, upstream));
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

    private static String body(WireFormat client, String text) {
        return switch (client) {
            case ANTHROPIC -> GatewayHarness.messages("claude-sonnet-4-5", true, text);
            case OPENAI_CHAT ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
            case OPENAI_RESPONSES ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"input\":[{\"type\":\"message\",\"role\":\"user\","
                        + "\"content\":[{\"type\":\"input_text\",\"text\":\"" + text + "\"}]}]}";
        };
    }

    record Event(String name, String data) {}

    private static List<Event> events(byte[] body) {
        List<Event> events = new ArrayList<>();
        SseEventParser parser = new SseEventParser(1 << 20, (name, data, off, len) -> {
            events.add(new Event(name, new String(data, off, len, StandardCharsets.UTF_8)));
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

    /** The client's stream ends with an error in its own format, readable on its own. */
    private static void assertEndsWithErrorEvent(WireFormat client, List<Event> events) throws Exception {
        List<Event> real =
                events.stream().filter(e -> !e.data().equals("[DONE]")).toList();
        assertThat(real).as("events").isNotEmpty();
        Event last = real.get(real.size() - 1);
        JsonNode data = JSON.readTree(last.data());
        switch (client) {
            case ANTHROPIC -> {
                assertThat(last.name()).isEqualTo("error");
                assertThat(data.path("type").asText()).isEqualTo("error");
                assertThat(data.path("error").path("type").asText()).isNotEmpty();
            }
            case OPENAI_CHAT ->
                assertThat(data.path("error").isObject())
                        .as("a Chat error chunk: " + last.data())
                        .isTrue();
            case OPENAI_RESPONSES -> assertThat(last.name()).isIn("error", "response.failed");
        }
    }

    @ParameterizedTest(name = "{0} client, {1} upstream")
    @MethodSource("pairs")
    void aStreamEndingWithTheUpstreamsErrorEventIsAnUpstreamErrorWithItsTokens(WireFormat client, WireFormat upstream)
            throws Exception {
        GatewayHarness gw = BY_UPSTREAM.get(upstream);
        gw.outcomes.clear();
        HttpResponse<byte[]> r = gw.post(path(client), body(client, "mock:stream-error"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertEndsWithErrorEvent(client, events(r.body()));
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_ERROR);
        assertThat(o.error())
                .as("the upstream's own error kind")
                .isEqualTo(upstream == WireFormat.ANTHROPIC ? "overloaded_error" : "server_error");
        assertThat(o.isError()).isTrue();
        if (upstream == WireFormat.ANTHROPIC) {
            assertThat(o.usage().inputTokens())
                    .as("the tokens message_start reported are kept")
                    .isPositive();
        }
    }

    @Test
    void aResponsesStreamEndingInResponseFailedIsLoggedAndCountedAsAnErrorWithItsTokens() throws Exception {
        GatewayHarness gw = BY_UPSTREAM.get(WireFormat.OPENAI_RESPONSES);
        Logger access = (Logger) LoggerFactory.getLogger("io.relaygate.access");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try {
            HttpResponse<byte[]> r =
                    gw.post(path(WireFormat.OPENAI_RESPONSES), body(WireFormat.OPENAI_RESPONSES, "mock:failed"));
            List<Event> events = events(r.body());
            assertThat(events.get(events.size() - 1).name()).isEqualTo("response.failed");
            ExchangeOutcome o = gw.outcomeOf(r);
            assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_ERROR);
            assertThat(o.error()).isEqualTo("server_error");
            assertThat(o.usage().inputTokens() + o.usage().cacheReadInputTokens())
                    .as("response.failed's usage is recorded")
                    .isPositive();
            assertThat(lines.list.stream().map(ILoggingEvent::getFormattedMessage))
                    .as("the access log says so, not status=200 end=COMPLETED error=-")
                    .anySatisfy(l -> assertThat(l)
                            .startsWith(o.requestId() + " ")
                            .contains(" end=UPSTREAM_ERROR error=server_error "));
            Scrape metrics = new Scrape(new String(gw.get("/metrics").body(), StandardCharsets.UTF_8));
            assertThat(metrics.sum("relaygate_requests_total", "route", "responses", "error", "upstream_stream_error"))
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(metrics.sum(
                            "relaygate_upstream_errors_total", "account", "mock-responses", "failure", "stream_error"))
                    .isGreaterThanOrEqualTo(1.0);
        } finally {
            access.detachAppender(lines);
        }
    }

    static Stream<Arguments> truncations() {
        List<Arguments> out = new ArrayList<>();
        for (String cut : List.of("truncate", "truncate-close")) {
            for (WireFormat client : WireFormat.values()) {
                for (WireFormat upstream : WireFormat.values()) {
                    out.add(Arguments.of(cut, client, upstream));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} client, {2} upstream")
    @MethodSource("truncations")
    void aStreamThatEndsBeforeItsFinalEventEndsWithAnErrorEventAndIsAnUpstreamFailure(
            String cut, WireFormat client, WireFormat upstream) throws Exception {
        GatewayHarness gw = BY_UPSTREAM.get(upstream);
        int before = gw.mock.exchanges().size();
        HttpResponse<byte[]> r = gw.post(path(client), body(client, "mock:" + cut));

        assertThat(r.statusCode()).isEqualTo(200);
        assertEndsWithErrorEvent(client, events(r.body()));
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.error()).isEqualTo("truncated");
        assertThat(o.isError()).isTrue();
        if (upstream == WireFormat.ANTHROPIC) {
            assertThat(o.usage().inputTokens()).as("tokens seen before the cut").isPositive();
        }

        // the client's connection stays usable and the next request is served whole (that the cut upstream
        // connection is not pooled is UpstreamRelayHandlerTest's)
        HttpResponse<byte[]> next = gw.post(path(client), body(client, "hello"));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(gw.outcomeOf(next).end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(gw.mock.exchanges()).hasSize(before + 2);
    }

    @ParameterizedTest(name = "{0} client, {1} upstream")
    @MethodSource("pairs")
    void aStreamWhoseConnectionFailsAfterItsFinalEventEndsWholeAndIsASuccess(WireFormat client, WireFormat upstream)
            throws Exception {
        GatewayHarness gw = BY_UPSTREAM.get(upstream);
        HttpResponse<byte[]> r = gw.post(path(client), body(client, "mock:close-after-end"));

        assertThat(r.statusCode()).isEqualTo(200);
        List<Event> events = events(r.body());
        Event last = events.get(events.size() - 1);
        switch (client) {
            case ANTHROPIC -> assertThat(last.name()).isEqualTo("message_stop");
            case OPENAI_CHAT -> assertThat(last.data()).isEqualTo("[DONE]");
            case OPENAI_RESPONSES -> assertThat(last.name()).isEqualTo("response.completed");
        }
        assertThat(events)
                .as("no error event after the final one")
                .noneMatch(e -> e.name().equals("error") || e.data().contains("\"error\":{"));
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.isError()).isFalse();
        assertThat(o.usage().outputTokens()).as("the whole answer's tokens").isPositive();
    }
}
