package io.relaygate.core;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Renders the gateway's own errors in each client format. Anthropic:
 * {@code {"type":"error","error":{"type":…,"message":…}}}; OpenAI: {@code {"error":{"message":…,"type":…,"code":…}}}.
 * Messages are redacted here, the last point before they leave the gateway. The same error as an SSE event in a
 * started stream is gateway-codec's {@code ErrorEvents} (SSE framing lives there), built on these bodies.
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

    private static String quote(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }
}
