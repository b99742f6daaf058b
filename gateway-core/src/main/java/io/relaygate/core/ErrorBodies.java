package io.relaygate.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Renders the gateway's own errors in each client format. Anthropic:
 * {@code {"type":"error","error":{"type":…,"message":…}}}; OpenAI: {@code {"error":{"message":…,"type":…,"code":…}}}.
 * Messages are redacted here, the last point before they leave the gateway.
 */
public final class ErrorBodies {

    private ErrorBodies() {}

    /** The JSON body for {@code kind} and {@code message} in {@code format}. */
    public static byte[] json(WireFormat format, ErrorKind kind, String message) {
        String safe = quote(Secrets.redact(message));
        String body;
        if (format == WireFormat.ANTHROPIC) {
            body = "{\"type\":\"error\",\"error\":{\"type\":\"" + kind.anthropicType() + "\",\"message\":\"" + safe
                    + "\"}}";
        } else {
            body = "{\"error\":{\"message\":\"" + safe + "\",\"type\":\"" + kind.openAiType() + "\",\"param\":null,"
                    + "\"code\":\"" + kind.openAiType() + "\"}}";
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same error as one complete SSE event, for a failure after a stream has started. Anthropic names the event
     * {@code error}; OpenAI Chat streams have no error event, so the error object goes in a {@code data:} line; the
     * Responses API uses {@code response.failed}-style {@code error} events.
     */
    public static byte[] sseEvent(WireFormat format, ErrorKind kind, String message) {
        String json = new String(json(format, kind, message), StandardCharsets.UTF_8);
        String event;
        if (format == WireFormat.ANTHROPIC) {
            event = "event: error\ndata: " + json + "\n\n";
        } else if (format == WireFormat.OPENAI_RESPONSES) {
            String safe = quote(Secrets.redact(message));
            event = "event: error\ndata: {\"type\":\"error\",\"code\":\"" + kind.openAiType() + "\",\"message\":\""
                    + safe + "\",\"param\":null}\n\n";
        } else {
            event = "data: " + json + "\n\n";
        }
        return event.getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }
}
