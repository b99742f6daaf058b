package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * SSE events as HTTP/1.1 chunks (RFC 9112 section 7.1): the chunk-size line, the event's bytes and the closing CRLF
 * in one buffer. A paced stream writes one buffer per event this way instead of the HTTP encoder's three (size line,
 * content, CRLF) and its promise combiner; the bytes on the wire are the same.
 */
final class SseChunks {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseChunks() {}

    /**
     * {@code e} as one chunk in a buffer of {@code alloc} that the caller owns; the event's own bytes (what
     * {@link AnthropicScript.Event#sse()} encodes to) follow the size line ({@link #sizeLineLength(ByteBuf)}).
     */
    static ByteBuf chunk(ByteBufAllocator alloc, AnthropicScript.Event e) {
        String name = e.name();
        String data = e.data();
        if (data.indexOf('\n') >= 0) {
            // Several data lines: rare (never in the paced scenarios), framed by the codec's writer.
            return chunk(alloc, e.sse().getBytes(StandardCharsets.UTF_8));
        }
        int nameBytes = name.isEmpty() ? 0 : EVENT.length + ByteBufUtil.utf8Bytes(name) + 1;
        int length = nameBytes + DATA.length + ByteBufUtil.utf8Bytes(data) + 2;
        ByteBuf buf = alloc.buffer(headerLength(length) + length + 2);
        writeSizeLine(buf, length);
        if (!name.isEmpty()) {
            buf.writeBytes(EVENT);
            ByteBufUtil.writeUtf8(buf, name);
            buf.writeByte('\n');
        }
        buf.writeBytes(DATA);
        ByteBufUtil.writeUtf8(buf, data);
        buf.writeShort(('\n' << 8) | '\n');
        buf.writeShort(('\r' << 8) | '\n');
        return buf;
    }

    /** {@code body} as one chunk in a buffer of {@code alloc} that the caller owns. */
    static ByteBuf chunk(ByteBufAllocator alloc, byte[] body) {
        ByteBuf buf = alloc.buffer(headerLength(body.length) + body.length + 2);
        writeSizeLine(buf, body.length);
        buf.writeBytes(body);
        buf.writeShort(('\r' << 8) | '\n');
        return buf;
    }

    /** The size line's bytes for a chunk of {@code length} (> 0) bytes: its hex digits and CRLF. */
    static int headerLength(int length) {
        return hexDigits(length) + 2;
    }

    /** The length of the size line (CRLF included) that starts {@code chunk}'s readable bytes. */
    static int sizeLineLength(ByteBuf chunk) {
        int cr = chunk.indexOf(chunk.readerIndex(), chunk.writerIndex(), (byte) '\r');
        if (cr < 0) {
            throw new IllegalArgumentException("chunk: no size line (expected: hex digits and CRLF first)");
        }
        return cr - chunk.readerIndex() + 2;
    }

    private static int hexDigits(int length) {
        return Math.max(1, (35 - Integer.numberOfLeadingZeros(length)) / 4);
    }

    private static void writeSizeLine(ByteBuf buf, int length) {
        for (int shift = (hexDigits(length) - 1) * 4; shift >= 0; shift -= 4) {
            buf.writeByte(HEX[(length >>> shift) & 0xf]);
        }
        buf.writeShort(('\r' << 8) | '\n');
    }
}
