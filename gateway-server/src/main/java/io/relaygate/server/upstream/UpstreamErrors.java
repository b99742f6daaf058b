package io.relaygate.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.core.Secrets;
import io.relaygate.core.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Reads an upstream error answer: its message for logs and errors, and whether its body can be relayed as is. */
public final class UpstreamErrors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE_CHARS = 300;

    private UpstreamErrors() {}

    /** The error message inside an Anthropic or OpenAI error body, else a short redacted excerpt; never null. */
    public static String message(ByteBuf body) {
        JsonNode node = parse(body);
        String msg = null;
        if (node != null) {
            JsonNode m = node.path("error").path("message");
            if (m.isTextual()) {
                msg = m.asText();
            } else if (node.path("message").isTextual()) {
                msg = node.path("message").asText(); // Bedrock's {"message": …}
            }
        }
        if (msg == null) {
            msg = body.toString(
                            body.readerIndex(),
                            Math.min(body.readableBytes(), MAX_MESSAGE_CHARS),
                            StandardCharsets.UTF_8)
                    .strip();
        }
        if (msg.length() > MAX_MESSAGE_CHARS) {
            msg = msg.substring(0, MAX_MESSAGE_CHARS) + "…";
        }
        return Secrets.redact(msg);
    }

    /**
     * The upstream body as the client may see it, when client and upstream speak the same format and the body is a
     * well-formed error of that format; else null (the gateway then answers with its own error).
     */
    public static byte @Nullable [] relayableBody(WireFormat client, WireFormat upstream, ByteBuf body) {
        if (client != upstream) {
            return null;
        }
        JsonNode node = parse(body);
        if (node == null || !node.path("error").path("message").isTextual()) {
            return null;
        }
        if (client == WireFormat.ANTHROPIC && !"error".equals(node.path("type").asText())) {
            return null;
        }
        byte[] bytes = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        String redacted = Secrets.redact(text);
        return redacted.equals(text) ? bytes : redacted.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code retry-after} in whole seconds, when the upstream sent one as seconds. */
    public static @Nullable Long retryAfterSeconds(HttpHeaders headers) {
        String v = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (v == null) {
            return null;
        }
        try {
            return Math.max(0, (long) Math.ceil(Double.parseDouble(v.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable JsonNode parse(ByteBuf body) {
        if (!body.isReadable()) {
            return null;
        }
        try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
            return JSON.readTree((java.io.InputStream) in);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
