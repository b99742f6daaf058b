package io.relaygate.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Two transcoders in a row, for the OpenAI ⇄ OpenAI paths that go through Anthropic Messages: the first turns the
 * upstream's events into Anthropic events, which an SSE parser hands to the second, which writes the client's
 * events. Both transcoders write whole events, so the parser in the middle never holds a partial one for long.
 */
final class ChainedTranscoder implements StreamTranscoder {

    private final StreamTranscoder first;
    private final StreamTranscoder second;
    private final SseEventParser middle;

    /**
     * @param first makes the upstream-facing transcoder, given the sink it writes Anthropic events to
     * @param second the client-facing transcoder, fed Anthropic events
     */
    ChainedTranscoder(Function<Consumer<byte[]>, StreamTranscoder> first, StreamTranscoder second) {
        this.second = second;
        this.middle = new SseEventParser(UsageTap.MAX_EVENT_BYTES, second);
        this.first = first.apply(this::relay);
    }

    private void relay(byte[] event) {
        ByteBuf buf = Unpooled.wrappedBuffer(event);
        try {
            middle.feed(buf);
        } finally {
            buf.release();
        }
    }

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        first.onEvent(eventName, data, offset, length);
    }

    @Override
    public void finish() {
        first.finish();
        middle.finish();
        second.finish();
    }

    @Override
    public void fail(String message) {
        // The client-facing side writes the error in the client's format; the Anthropic side only stops.
        second.fail(message);
    }

    @Override
    public Usage usage() {
        return first.usage();
    }

    @Override
    public boolean done() {
        return second.done();
    }
}
