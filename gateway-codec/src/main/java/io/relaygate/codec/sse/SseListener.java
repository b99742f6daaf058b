package io.relaygate.codec.sse;

/** Receives the events {@link SseEventParser} frames, on the thread that feeds the parser. */
@FunctionalInterface
public interface SseListener {

    /**
     * One complete event. {@code eventName} is {@code ""} when the event had no {@code event:} line; {@code data} is
     * the {@code data:} lines joined by {@code '\n'} as UTF-8 bytes, valid only during the call (the parser reuses the
     * array, so a listener that keeps the data must copy it).
     */
    void onEvent(String eventName, byte[] data, int offset, int length);
}
