package io.relaygate.codec.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseConversionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final String ANTHROPIC_REQUEST =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":"
            + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}";
    private static final String CODEX_STREAM = "event: response.output_item.done\ndata: {\"type\":"
            + "\"response.output_item.done\",\"item\":{\"type\":\"message\",\"id\":\"m1\",\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"output_text\",\"text\":\"Hi there\"}]}}\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r1\","
            + "\"status\":\"completed\",\"output\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}}\n\n";

    private final ByteArrayOutputStream clientEvents = new ByteArrayOutputStream();

    @Test
    void aWholeChatAnswerIsMappedForAnAnthropicClientOnceComplete() throws IOException {
        ResponseConversion r = response(AccountKind.OPENAI_COMPATIBLE, false, 1024);
        assertThat(r.streamsToClient()).isFalse();

        feed(r, CHAT_ANSWER.substring(0, 40));
        feed(r, CHAT_ANSWER.substring(40));
        ResponseConversion.WholeAnswer answer = r.finishWhole();

        assertThat(answer.status()).isEqualTo(200);
        JsonNode message = JSON.readTree(answer.body());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("model").asText()).as("the client's model").isEqualTo("claude-sonnet-4-5");
        assertThat(message.path("content").path(0).path("text").asText()).isEqualTo("Hello");
        assertThat(r.usage().inputTokens()).isEqualTo(9);
        assertThat(clientEvents.size()).as("nothing streamed").isZero();
    }

    @Test
    void aWholeAnswerOverTheBoundFailsAndReleaseFreesWhatWasCollected() {
        ResponseConversion r = response(AccountKind.OPENAI_COMPATIBLE, false, 16);
        feed(r, "{\"id\":\"x\",");

        assertThatThrownBy(() -> feed(r, "\"object\":\"chat.completion\"}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("over 16 bytes");
        r.release();
        r.release();
        // The leak detector (paranoid in this build) reports the collected buffer if release missed it.
    }

    @Test
    void anUnreadableAnswerIsABadGatewayInTheClientsFormat() throws IOException {
        ResponseConversion r = response(AccountKind.OPENAI_COMPATIBLE, false, 1024);
        feed(r, "<html>");

        ResponseConversion.WholeAnswer answer = r.finishWhole();

        assertThat(answer.status()).isEqualTo(502);
        assertThat(JSON.readTree(answer.body()).path("type").asText())
                .as("Anthropic's error shape")
                .isEqualTo("error");
    }

    @Test
    void theCodexBackendsStreamIsCollectedIntoTheWholeAnswerTheClientAskedFor() throws IOException {
        ResponseConversion r = response(AccountKind.CODEX_OAUTH, true, 1024);
        assertThat(r.streamsToClient())
                .as("the client asked for a whole answer")
                .isFalse();

        feed(r, CODEX_STREAM.substring(0, 100));
        feed(r, CODEX_STREAM.substring(100));
        ResponseConversion.WholeAnswer answer = r.finishWhole();

        assertThat(answer.status()).isEqualTo(200);
        JsonNode message = JSON.readTree(answer.body());
        assertThat(message.path("content").path(0).path("text").asText())
                .as("the output item from its done event")
                .isEqualTo("Hi there");
        assertThat(r.usage().inputTokens()).isEqualTo(5);
    }

    @Test
    void aFailedCollectedStreamIsABadGatewayNamingTheUpstreamsMessage() throws IOException {
        ResponseConversion r = response(AccountKind.CODEX_OAUTH, true, 1024);
        feed(
                r,
                "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":"
                        + "{\"message\":\"usage limit\"}}}\n\n");

        ResponseConversion.WholeAnswer answer = r.finishWhole();

        assertThat(answer.status()).isEqualTo(502);
        assertThat(JSON.readTree(answer.body()).path("error").path("message").asText())
                .isEqualTo("upstream failed: usage limit");
    }

    @Test
    void aStreamIsTranscodedToTheClientAsItArrivesAndFailsWithAnErrorEvent() {
        ResponseConversion r = response(AccountKind.OPENAI_COMPATIBLE, true, 1024);
        assertThat(r.streamsToClient()).isTrue();
        assertThatThrownBy(r::finishWhole).isInstanceOf(IllegalStateException.class);

        feed(r, "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel");
        assertThat(clientEvents.size())
                .as("half an upstream event: nothing yet")
                .isZero();
        feed(r, "lo\"}}]}\n\n");
        assertThat(clientEvents.toString(StandardCharsets.UTF_8))
                .startsWith("event: message_start\n")
                .contains("\"text\":\"Hello\"");
        assertThat(r.usage().outputTokens())
                .as("estimated while running: one per delta")
                .isEqualTo(1);

        r.fail("upstream reset");

        assertThat(clientEvents.toString(StandardCharsets.UTF_8))
                .endsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                        + "\"message\":\"upstream reset\"}}\n\n");
    }

    @Test
    void aFinishedStreamEndsWellFormed() {
        ResponseConversion r = response(AccountKind.OPENAI_COMPATIBLE, true, 1024);
        feed(r, "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]");

        r.finishStream();

        assertThat(clientEvents.toString(StandardCharsets.UTF_8))
                .as("the [DONE] without its blank line is still read at the end")
                .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    private ResponseConversion response(AccountKind kind, boolean sse, int maxBodyBytes) {
        Conversion c = ConversionTest.prepare(Route.MESSAGES, ANTHROPIC_REQUEST, Accounts.of(kind));
        return new ResponseConversion(c, sse, maxBodyBytes, ALLOC, clientEvents::writeBytes);
    }

    private static void feed(ResponseConversion r, String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            r.feed(buf);
        } finally {
            buf.release();
        }
    }
}
