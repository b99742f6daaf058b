package io.relaygate.codec.chat;

import io.relaygate.codec.sse.SseListener;
import io.relaygate.core.Usage;

/** A streaming format converter: fed upstream SSE events, writes the client format's events to its sink. */
public interface StreamTranscoder extends SseListener {

    /** The upstream stream ended: end the client's stream well-formed. */
    void finish();

    /** The upstream failed mid-stream: end the client's stream with an error in its format. */
    void fail(String message);

    /** Tokens seen so far, in Anthropic's terms (input without cache reads). */
    Usage usage();

    boolean done();
}
