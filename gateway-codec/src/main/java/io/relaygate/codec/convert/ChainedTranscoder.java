package io.relaygate.codec.convert;

import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.core.Usage;

/**
 * Two transcoders in a row, for the OpenAI ⇄ OpenAI paths that go through Anthropic Messages: the first turns the
 * upstream's events into Anthropic events, which it hands to the second as values (no SSE written and parsed in
 * between), and the second writes the client's events.
 */
final class ChainedTranscoder implements StreamTranscoder {

    private final StreamTranscoder first;
    private final StreamTranscoder second;

    /**
     * @param first the upstream-facing transcoder, built to emit its Anthropic events to {@code second}
     * @param second the client-facing transcoder
     */
    ChainedTranscoder(StreamTranscoder first, StreamTranscoder second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        first.onEvent(eventName, data, offset, length);
    }

    @Override
    public void finish() {
        // The first ends its Anthropic message (message_stop finishes the second); the second's finish covers a
        // first that had already stopped.
        first.finish();
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
