package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedDeltasTest {

    private static List<AnthropicScript.Event> textAnswer(int events) throws Exception {
        JsonNode request = new ObjectMapper().readTree("{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}");
        return AnthropicScript.of(Scenario.TEXT, request, 10, events).events();
    }

    @Test
    void twoAnswersShareTheirWordDeltasAndWriteTheSameBytesAsEncodingEachTime() throws Exception {
        List<AnthropicScript.Event> first = textAnswer(5);
        List<AnthropicScript.Event> second = textAnswer(7);

        List<AnthropicScript.Event> deltas =
                first.stream().filter(AnthropicScript.Event::delta).toList();
        assertThat(deltas).hasSize(5);
        for (int k = 0; k < deltas.size(); k++) {
            AnthropicScript.Event shared = deltas.get(k);
            assertThat(shared.wire()).as("delta %s is ready-made", k).isNotNull();
            assertThat(second.stream()
                            .filter(AnthropicScript.Event::delta)
                            .toList()
                            .get(k))
                    .as("the same event object in another answer")
                    .isSameAs(shared);
            AnthropicScript.Event plain = new AnthropicScript.Event(shared.name(), shared.data(), true);
            assertThat(plain.data())
                    .as("the data of the delta built per answer")
                    .isEqualTo(AnthropicScript.delta(
                            0, "text", AnthropicScript.words(5).get(k)));
            ByteBuf written = shared.encode(PooledByteBufAllocator.DEFAULT);
            ByteBuf encoded = plain.encode(PooledByteBufAllocator.DEFAULT);
            try {
                assertThat(written.toString(StandardCharsets.UTF_8))
                        .isEqualTo(encoded.toString(StandardCharsets.UTF_8))
                        .isEqualTo(plain.sse());
                assertThat(written.isDirect())
                        .as("written by the native transport without a copy")
                        .isTrue();
            } finally {
                assertThat(written.release())
                        .as("a writer's release frees nothing shared")
                        .isFalse();
                encoded.release();
            }
            ByteBuf again = shared.encode(PooledByteBufAllocator.DEFAULT);
            assertThat(again.readableBytes())
                    .as("the shared bytes survive a writer's read and release")
                    .isEqualTo(plain.sse().getBytes(StandardCharsets.UTF_8).length);
            again.release();
        }
    }

    @Test
    void otherEventsAndWordsBeyondTheCacheAreEncodedEachTime() throws Exception {
        assertThat(textAnswer(3).stream().filter(e -> !e.delta()).map(AnthropicScript.Event::wire))
                .as("message_start, block start and stop, ping, message_delta and message_stop carry usage or ids")
                .containsOnlyNulls();
        assertThat(SharedDeltas.word(0, SharedDeltas.MAX_WORDS, "x")).isNull();
        assertThat(SharedDeltas.word(2, 0, "x")).as("block index 2 is not kept").isNull();
    }
}
