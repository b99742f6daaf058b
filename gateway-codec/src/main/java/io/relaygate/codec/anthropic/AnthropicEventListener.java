package io.relaygate.codec.anthropic;

/**
 * Receives Anthropic Messages stream events as values: the output of a transcoder into Anthropic, and the input of
 * one out of it, so two of them chain without writing and re-parsing SSE in between.
 */
@FunctionalInterface
public interface AnthropicEventListener {

    /** One event, on the thread that drives the stream; the event is immutable except a tool block's input tree. */
    void onAnthropicEvent(AnthropicEvent event);
}
