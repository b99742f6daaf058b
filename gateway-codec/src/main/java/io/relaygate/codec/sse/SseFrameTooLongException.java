package io.relaygate.codec.sse;

/**
 * One SSE event (name plus data) grew past the parser's {@code maxEventBytes}. Stackless: an upstream that sends an
 * oversized event is an expected fault on the relay path, and the message says everything a trace would.
 */
public final class SseFrameTooLongException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int maxEventBytes;

    SseFrameTooLongException(int maxEventBytes) {
        super("SSE event larger than maxEventBytes: " + maxEventBytes + " bytes", null, false, false);
        this.maxEventBytes = maxEventBytes;
    }

    /** The limit that was exceeded. */
    public int maxEventBytes() {
        return maxEventBytes;
    }
}
