package io.relaygate.bench.mock;

import org.jspecify.annotations.Nullable;

/**
 * The ways the mock ends a stream badly after its second delta, each as the real APIs would show it: its own error
 * event ({@code stream-error}: Anthropic's {@code event: error}, a Chat chunk with an {@code error} object; the
 * Responses API has {@code failed} for {@code response.failed}), or no final event at all: a last chunk in the middle
 * of an event ({@code truncate}), or a close-delimited body whose connection closes ({@code truncate-close}).
 */
final class StreamFaults {

    private StreamFaults() {}

    /** What the stream does after its second delta, or null when it goes on normally. */
    enum Cut {
        /** The format's error event, then a clean end of the body. */
        ERROR_EVENT,
        /** Half of the next event, then the last chunk: the body ends cleanly, the stream does not. */
        LAST_CHUNK_MID_EVENT,
        /** The connection closes: the end of a close-delimited body. */
        CLOSE
    }

    static @Nullable Cut cut(@Nullable Scenario s) {
        if (s == null) {
            return null;
        }
        switch (s) {
            case STREAM_ERROR:
                return Cut.ERROR_EVENT;
            case TRUNCATE:
                return Cut.LAST_CHUNK_MID_EVENT;
            case TRUNCATE_CLOSE:
                return Cut.CLOSE;
            default:
                return null;
        }
    }

    /** Whether the answer's body is close-delimited (no chunked encoding; the connection closes at its end). */
    static boolean closeDelimited(@Nullable Scenario s) {
        return s == Scenario.TRUNCATE_CLOSE;
    }

    /** The format's error event as a stream carries it. */
    static String errorEvent(WireApi api) {
        switch (api) {
            case CHAT:
                return "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
            case RESPONSES:
                return "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\","
                        + "\"message\":\"The server had an error while processing your request.\",\"param\":null,"
                        + "\"sequence_number\":99}\n\n";
            default:
                return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"}}\n\n";
        }
    }

    /** What the stream's last bytes are for {@code cut}: the format's error event, or half of {@code nextEvent}. */
    static String tail(Cut cut, WireApi api, String nextEvent) {
        return cut == Cut.ERROR_EVENT ? errorEvent(api) : half(nextEvent);
    }

    /** The first half of {@code sse} (an event), so the body ends inside it. */
    static String half(String sse) {
        return sse.substring(0, Math.min(sse.length(), Math.max(1, sse.length() / 2)));
    }
}
