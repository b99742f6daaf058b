package io.relaygate.codec.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** OpenAI Chat usage: the final usage chunk of a stream, and the usage object of a whole completion. */
class ChatUsageTest {

    private static final String STREAM =
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],"
                    + "\"usage\":null}\n\n"
                    + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"the \\\"usage\\\": {not json\"},\"finish_reason\":null}],\"usage\":null}\n\n"
                    + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                    + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[],"
                    + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,\"total_tokens\":127,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":100},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n"
                    + "data: [DONE]\n\n";

    @Test
    void streamUsageComesFromTheUsageChunkWithCachedTokensAsCacheReadsAtEverySplit() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            ChatStreamUsage tap = new ChatStreamUsage();
            SseEventParser parser = new SseEventParser(64 * 1024, tap);
            ByteBuf a = Unpooled.wrappedBuffer(bytes, 0, split);
            ByteBuf b = Unpooled.wrappedBuffer(bytes, split, bytes.length - split);
            try {
                parser.feed(a);
                parser.feed(b);
                parser.finish();
            } finally {
                a.release();
                b.release();
            }
            assertThat(tap.usage()).as("split at %d", split).isEqualTo(new Usage(20, 7, 0, 100));
            assertThat(tap.model()).isEqualTo("gpt-4o-mini");
            assertThat(tap.completed()).isTrue();
        }
    }

    @Test
    void streamWithoutAUsageChunkReportsZero() {
        ChatStreamUsage tap = new ChatStreamUsage();
        byte[] chunk = "{\"model\":\"m\",\"choices\":[],\"usage\":null}".getBytes(StandardCharsets.UTF_8);
        tap.onEvent("", chunk, 0, chunk.length);
        assertThat(tap.usage()).isEqualTo(Usage.ZERO);
        assertThat(tap.completed()).isFalse();
    }

    @Test
    void wholeCompletionUsageIsReadFromTheTopLevelOnly() {
        String body = "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"{\\\"usage\\\":{\\\"prompt_tokens\\\":1}}\"},"
                + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":9,"
                + "\"total_tokens\":59,\"prompt_tokens_details\":{\"cached_tokens\":8,\"audio_tokens\":0}}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            JsonBodyUsage scan = new JsonBodyUsage();
            scan.feed(bytes, 0, split);
            scan.feed(bytes, split, bytes.length - split);
            scan.finish();
            assertThat(scan.usage()).as("split at %d", split).isEqualTo(new Usage(42, 9, 0, 8));
            assertThat(scan.model()).isEqualTo("gpt-4o");
        }
    }

    @Test
    void usageObjectSearchNeedsAnObjectValue() {
        assertThat(ChatStreamUsage.usageObjectAt(bytes("{\"usage\" : {\"a\":1}}"), 0, 19))
                .isTrue();
        assertThat(ChatStreamUsage.usageObjectAt(bytes("{\"usage\":null}"), 0, 14))
                .isFalse();
        assertThat(ChatStreamUsage.usageObjectAt(bytes("{\"x\":\"usage\"}"), 0, 13))
                .isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
