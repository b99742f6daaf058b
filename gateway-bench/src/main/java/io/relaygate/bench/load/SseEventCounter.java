package io.relaygate.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Counts the SSE events of one response that contain a marker (by default Anthropic's {@code content_block_delta}),
 * fed the body in whatever pieces it arrives. A byte scanner, not a parser: the driver shares a core with the mock, so
 * it looks at each byte once and keeps nothing. An event ends at an empty line; {@code \r} is ignored, which reads
 * {@code \r\n} line ends right (the mock, the gateway and nginx all send {@code \n}).
 */
final class SseEventCounter implements ByteProcessor {

    private final byte[] marker;
    private int matched;
    private boolean markerSeen;
    private boolean atLineStart = true;
    private long events;
    /** Events that ended in the current {@link #feed(ByteBuf)}. */
    private int ended;

    SseEventCounter(String marker) {
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
    }

    /** Scans the readable bytes without consuming them; returns how many marked events ended in them. */
    int feed(ByteBuf buf) {
        ended = 0;
        // forEachByte checks the bounds once for the whole range, not once per byte as getByte does.
        buf.forEachByte(this);
        events += ended;
        return ended;
    }

    @Override
    public boolean process(byte b) {
        if (b == '\r') {
            return true;
        }
        if (b == '\n') {
            if (atLineStart && markerSeen) {
                ended++;
            }
            if (atLineStart) {
                markerSeen = false;
            }
            atLineStart = true;
            matched = 0;
            return true;
        }
        atLineStart = false;
        if (!markerSeen) {
            if (b == marker[matched]) {
                matched++;
                if (matched == marker.length) {
                    markerSeen = true;
                    matched = 0;
                }
            } else {
                matched = b == marker[0] ? 1 : 0;
            }
        }
        return true;
    }

    /** Marked events so far. */
    long events() {
        return events;
    }

    /** Ready for the next response. */
    void reset() {
        matched = 0;
        markerSeen = false;
        atLineStart = true;
        events = 0;
    }
}
