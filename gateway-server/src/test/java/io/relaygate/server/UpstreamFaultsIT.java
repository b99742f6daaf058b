package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.AccountKind;
import io.relaygate.core.WireFormat;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 18, upstream faults the other suites leave out, for each client format (the account speaks Anthropic; Chat and
 * Responses clients are converted): a connection reset before the first byte (failover to another account; with none
 * left, a 502 in the client's format), a reset after the first byte (an error event in the client's format, the tokens
 * seen recorded), an upstream that never answers (the response timeout: a 504 in the client's format), and a trickle on
 * both sides of the idle timeout.
 *
 * <p>The trickle rule: {@code upstream.responseTimeout} bounds the wait for the response head only, and
 * {@code upstream.idleTimeout} the silence between two reads of the body, restarted by every byte; there is no deadline
 * for a whole stream. So a stream whose events come closer together than the idle timeout is relayed whole however
 * long it runs (here 10 events 150 ms apart, 1.5 s, against a 1 s idle and a 800 ms response timeout), and one with a
 * longer gap is cut at that gap with a timeout error event. Covered elsewhere: the Anthropic client's reset mid-stream
 * and silent upstream ({@code ErrorsIT}), streams ending before their final event ({@code StreamEndingsIT}), a proxy
 * dying mid-stream ({@code ProxyIT}), 504/524 and connect timeouts failing over ({@code RecoveryIT}).
 */
class UpstreamFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.builder()
                .upstreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(800), Duration.ofSeconds(1))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private static String path(WireFormat client) {
        return switch (client) {
            case ANTHROPIC -> "/v1/messages";
            case OPENAI_CHAT -> "/openai/v1/chat/completions";
            case OPENAI_RESPONSES -> "/openai/v1/responses";
        };
    }

    private static String body(WireFormat client, boolean stream, String text) {
        return switch (client) {
            case ANTHROPIC -> GatewayHarness.messages("claude-sonnet-4-5", stream, text);
            case OPENAI_CHAT ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":" + stream
                        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
            case OPENAI_RESPONSES ->
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":" + stream + ",\"input\":[{\"type\":\"message\","
                        + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"" + text + "\"}]}]}";
        };
    }

    /** A whole-response error in the client's own format; returns its error type. */
    private static String assertClientFormatError(WireFormat client, HttpResponse<byte[]> r, int status)
            throws Exception {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(text).isEqualTo(status);
        JsonNode n = JSON.readTree(r.body());
        if (client == WireFormat.ANTHROPIC) {
            assertThat(n.path("type").asText()).as(text).isEqualTo("error");
        } else {
            assertThat(n.has("type"))
                    .as("OpenAI errors have no top-level type: " + text)
                    .isFalse();
        }
        assertThat(n.path("error").path("message").asText()).as(text).isNotBlank();
        assertThat(text).as("no upstream address in the error").doesNotContain("127.0.0.1");
        return n.path("error").path("type").asText();
    }

    /** The stream's last event is an error in the client's format (a trailing Chat [DONE] aside). */
    private static String assertStreamEndsWithError(WireFormat client, HttpResponse<byte[]> r) throws Exception {
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(sse).isEqualTo(200);
        String trimmed = sse.endsWith("data: [DONE]\n\n") ? sse.substring(0, sse.length() - 14) : sse;
        String last = trimmed.substring(trimmed.lastIndexOf("\n\n", trimmed.length() - 3) + 2);
        switch (client) {
            case ANTHROPIC -> assertThat(last).as(sse).startsWith("event: error\n");
            case OPENAI_CHAT -> assertThat(last).as(sse).startsWith("data: {\"error\"");
            case OPENAI_RESPONSES -> assertThat(last).as(sse).matches("(?s)event: (error|response\\.failed)\n.*");
        }
        return last;
    }

    @Test
    void aResetBeforeTheFirstByteFailsOverToAnotherAccount() throws Exception {
        gw.addAccount("resetting", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-reset-before-head", 10);

        HttpResponse<byte[]> r = gw.post("/v1/messages", body(WireFormat.ANTHROPIC, true, "hello"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.account()).as("failed over").isEqualTo("mock-anthropic");
        assertThat(o.attempts()).isEqualTo(2);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aResetBeforeTheFirstByteOnEveryAccountIsA502InTheClientsFormat(WireFormat client) throws Exception {
        HttpResponse<byte[]> r = gw.post(path(client), body(client, true, "mock:reset-before-head"));

        assertClientFormatError(client, r, 502);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.status()).isEqualTo(502);
        assertThat(o.isError()).isTrue();
        assertThat(gw.post(path(client), body(client, false, "hello")).statusCode())
                .as("the next request is served")
                .isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aResetAfterTheFirstByteEndsWithAnErrorEventAndKeepsTheTokensSeen(WireFormat client) throws Exception {
        HttpResponse<byte[]> r =
                gw.post(path(client), body(client, true, "mock:reset-mid-stream"), "x-mock-event-interval-ms", "50");

        assertStreamEndsWithError(client, r);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.isError()).isTrue();
        assertThat(o.usage().inputTokens())
                .as("message_start's input tokens, seen before the reset, are recorded")
                .isPositive();
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void anUpstreamThatNeverAnswersIsA504InTheClientsFormat(WireFormat client) throws Exception {
        HttpResponse<byte[]> r = gw.post(path(client), body(client, true, "mock:hang"));

        String type = assertClientFormatError(client, r, 504);
        assertThat(type).contains("timeout");
        assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT))
                .as("the gateway hung up on the silent upstream")
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aTrickleWithinTheIdleTimeoutIsRelayedWholePastTheResponseTimeout(WireFormat client) throws Exception {
        HttpResponse<byte[]> r = gw.post(
                path(client), body(client, true, "trickle"), "x-mock-events", "10", "x-mock-event-interval-ms", "150");

        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sse)
                .as("the stream's final event")
                .contains(
                        switch (client) {
                            case ANTHROPIC -> "event: message_stop";
                            case OPENAI_CHAT -> "data: [DONE]";
                            case OPENAI_RESPONSES -> "event: response.completed";
                        })
                .doesNotContain("timeout");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.usage().outputTokens()).as("one output token per delta").isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void aTrickleSlowerThanTheIdleTimeoutIsCutWithATimeoutErrorEvent(WireFormat client) throws Exception {
        HttpResponse<byte[]> r = gw.post(
                path(client), body(client, true, "trickle"), "x-mock-events", "3", "x-mock-event-interval-ms", "3000");

        String last = assertStreamEndsWithError(client, r);
        assertThat(last).contains("upstream sent nothing for 1s");
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.UPSTREAM_FAILED_MID_STREAM);
        assertThat(o.usage().inputTokens()).as("tokens seen before the stall").isPositive();
    }
}
