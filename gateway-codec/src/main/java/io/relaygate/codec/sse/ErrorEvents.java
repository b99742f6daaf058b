package io.relaygate.codec.sse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.relaygate.core.ErrorBodies;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's own error as one complete SSE event in the client's format, for a failure after a stream has started
 * (the status line is gone, so the error travels in the stream). The JSON is {@link ErrorBodies}'s, so a mid-stream
 * error reads like the same error before the stream: redacted there, the last point before it leaves the gateway.
 */
public final class ErrorEvents {

    private ErrorEvents() {}

    /**
     * Anthropic names the event {@code error} and carries its usual error body; OpenAI Chat streams have no event
     * names, so the error object goes in a bare {@code data:} line; Responses streams get an {@code error} event whose
     * data is the flat {@code {"type":"error","code",…}} object the Responses streaming reference documents.
     */
    public static SseEvent of(WireFormat format, ErrorKind kind, String message) {
        return switch (format) {
            case ANTHROPIC ->
                new SseEvent("error", new String(ErrorBodies.json(format, kind, message), StandardCharsets.UTF_8));
            case OPENAI_RESPONSES ->
                new SseEvent(
                        "error",
                        "{\"type\":\"error\",\"code\":\"" + kind.openAiType() + "\",\"message\":\""
                                + quote(Secrets.redact(message)) + "\",\"param\":null}");
            case OPENAI_CHAT ->
                SseEvent.data(new String(ErrorBodies.json(format, kind, message), StandardCharsets.UTF_8));
        };
    }

    /** {@link #of} as SSE bytes, which the caller owns. */
    public static byte[] bytes(WireFormat format, ErrorKind kind, String message) {
        return SseWriter.bytes(of(format, kind, message));
    }

    private static String quote(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }
}
