package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseChunksTest {

    @Test
    void aChunkIsTheSizeLineTheEventsSseBytesAndCrlf() {
        List<AnthropicScript.Event> events = new ArrayList<>(List.of(
                new AnthropicScript.Event("content_block_delta", "{\"text\":\"héllo \\u2028 ✓\"}", true),
                new AnthropicScript.Event("", "{\"choices\":[]}", true),
                new AnthropicScript.Event("ping", "line one\nline two", false),
                new AnthropicScript.Event("content_block_delta", AnthropicScript.delta(0, "text", "x"), true)));
        // Events whose chunks sit on either side of a change in the size line's length (15/16 and 255/256 bytes).
        for (int size : new int[] {15, 16, 255, 256, 4095, 4096}) {
            events.add(new AnthropicScript.Event("", "x".repeat(size - "data: ".length() - 2), true));
        }
        for (AnthropicScript.Event e : events) {
            byte[] sse = e.sse().getBytes(StandardCharsets.UTF_8);
            ByteBuf chunk = SseChunks.chunk(PooledByteBufAllocator.DEFAULT, e);
            try {
                String expected = Integer.toHexString(sse.length) + "\r\n" + e.sse() + "\r\n";
                assertThat(chunk.toString(StandardCharsets.UTF_8))
                        .as("chunk of a %d-byte event", sse.length)
                        .isEqualTo(expected);
                assertThat(chunk.readableBytes())
                        .as("the buffer holds nothing else")
                        .isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
                assertThat(SseChunks.sizeLineLength(chunk))
                        .isEqualTo(SseChunks.headerLength(sse.length))
                        .isEqualTo(Integer.toHexString(sse.length).length() + 2);
            } finally {
                chunk.release();
            }
        }
    }

    @Test
    void theSizeLineIsFoundFromTheReaderIndex() {
        ByteBuf chunk = SseChunks.chunk(PooledByteBufAllocator.DEFAULT, "abc\r\n".getBytes(StandardCharsets.UTF_8));
        try {
            assertThat(chunk.toString(StandardCharsets.UTF_8)).isEqualTo("5\r\nabc\r\n\r\n");
            chunk.readerIndex(1);
            assertThat(SseChunks.sizeLineLength(chunk))
                    .as("from the CR after the digit, not the CR inside the body")
                    .isEqualTo(2);
        } finally {
            chunk.release();
        }
    }
}
