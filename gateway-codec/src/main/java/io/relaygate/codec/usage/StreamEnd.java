package io.relaygate.codec.usage;

import io.relaygate.codec.sse.SseListener;
import io.relaygate.core.WireFormat;
import org.jspecify.annotations.Nullable;

/**
 * How an upstream SSE stream ended, as the format's contract defines its final event: Anthropic Messages ends with
 * {@code message_stop}, or with an {@code error} event; OpenAI Responses with {@code response.completed} or
 * {@code response.incomplete} (an answer cut short by the model's limits, which is still an answer), or with
 * {@code response.failed} or an {@code error} event; OpenAI Chat Completions with {@code data: [DONE]}, or with a
 * chunk whose top-level {@code error} is an object. A stream whose bytes stop before any of these is truncated.
 * The format's usage listener is also its stream end, so a relay that taps usage learns the ending for free.
 */
public interface StreamEnd extends SseListener {

    /** Whether the stream's final event (a success or an error) was seen. */
    boolean ended();

    /** The upstream's error (its type or code, e.g. {@code overloaded_error}) when the stream ended with one. */
    @Nullable
    String error();

    /** A listener that follows the usage and the ending of a stream in {@code format}. */
    static StreamEnd of(WireFormat format) {
        switch (format) {
            case ANTHROPIC:
                return new AnthropicStreamUsage();
            case OPENAI_CHAT:
                return new ChatStreamUsage();
            default:
                return new ResponsesStreamUsage();
        }
    }
}
