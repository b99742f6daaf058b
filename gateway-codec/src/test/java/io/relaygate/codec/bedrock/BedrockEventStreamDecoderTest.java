package io.relaygate.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BedrockEventStreamDecoderTest {

    private static final String START =
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}";
    private static final String DELTA =
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"h\u00e9llo\"}}";
    private static final String STOP = "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":"
            + "{\"inputTokenCount\":12,\"outputTokenCount\":5,\"invocationLatency\":300,\"firstByteLatency\":90}}";

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BedrockEventStreamEncoder.chunk(START));
        out.writeBytes(BedrockEventStreamEncoder.chunk(DELTA));
        out.writeBytes(BedrockEventStreamEncoder.chunk(STOP));
        return out.toByteArray();
    }

    private static final String EXPECTED = "event: message_start\ndata: " + START + "\n\n"
            + "event: content_block_delta\ndata: " + DELTA + "\n\n"
            + "event: message_stop\ndata: " + STOP + "\n\n";

    private static String decode(BedrockEventStreamDecoder d, byte[]... parts) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (byte[] p : parts) {
                ByteBuf in = Unpooled.wrappedBuffer(p);
                d.decode(in, out);
                assertThat(in.readerIndex())
                        .as("the input is read, not consumed")
                        .isZero();
                in.release();
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void chunksBecomeAnthropicSseEventsNamedByTheirType() {
        BedrockEventStreamDecoder d = new BedrockEventStreamDecoder();
        assertThat(decode(d, stream())).isEqualTo(EXPECTED);
        assertThat(d.events()).isEqualTo(3);
    }

    @Test
    void framesSplitAtEveryByteBoundaryDecodeTheSame() {
        byte[] all = stream();
        for (int cut = 1; cut < all.length; cut++) {
            byte[] a = java.util.Arrays.copyOfRange(all, 0, cut);
            byte[] b = java.util.Arrays.copyOfRange(all, cut, all.length);
            assertThat(decode(new BedrockEventStreamDecoder(), a, b))
                    .as("split at %d", cut)
                    .isEqualTo(EXPECTED);
        }
    }

    @Test
    void byteByByteDecodesTheSame() {
        byte[] all = stream();
        byte[][] singles = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            singles[i] = new byte[] {all[i]};
        }
        assertThat(decode(new BedrockEventStreamDecoder(), singles)).isEqualTo(EXPECTED);
    }

    @Test
    void aCompositeBufferDecodesTheSame() {
        byte[] all = stream();
        ByteBuf in = Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(all, 0, 7), Unpooled.wrappedBuffer(all, 7, all.length - 7));
        ByteBuf out = Unpooled.buffer();
        try {
            new BedrockEventStreamDecoder().decode(in, out);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void anExceptionFrameIsThrownAfterTheEventsBeforeIt() {
        byte[] first = BedrockEventStreamEncoder.chunk(START);
        byte[] ex = BedrockEventStreamEncoder.exception("throttlingException", "Too many requests");
        ByteBuf in = Unpooled.wrappedBuffer(first, ex);
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> new BedrockEventStreamDecoder().decode(in, out))
                    .isInstanceOfSatisfying(BedrockStreamException.class, e -> {
                        assertThat(e.type()).isEqualTo("throttlingException");
                        assertThat(e.getMessage()).isEqualTo("Too many requests");
                    });
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("event: message_start\n");
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void aCorruptedFrameIsMalformed() {
        byte[] frame = BedrockEventStreamEncoder.chunk(START);
        frame[frame.length - 1] ^= 0x55; // the message CRC
        ByteBuf in = Unpooled.wrappedBuffer(frame);
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> new BedrockEventStreamDecoder().decode(in, out))
                    .isInstanceOfSatisfying(BedrockStreamException.class, e -> assertThat(e.type())
                            .isEqualTo(BedrockStreamException.MALFORMED));
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void anUnfinishedFrameLargerThanTheLimitFails() {
        byte[] frame = BedrockEventStreamEncoder.chunk(DELTA.repeat(20));
        ByteBuf in = Unpooled.wrappedBuffer(frame, 0, frame.length - 1);
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> new BedrockEventStreamDecoder(64).decode(in, out))
                    .isInstanceOf(BedrockStreamException.class)
                    .hasMessageContaining("larger than 64 bytes");
        } finally {
            in.release();
            out.release();
        }
    }
}
