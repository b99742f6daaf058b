package io.relaygate.codec.bedrock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * Writes Bedrock's event-stream frames with the AWS SDK's {@link Message}: what the mock upstream sends and what tests
 * and benchmarks feed {@link BedrockEventStreamDecoder}. The gateway itself never encodes frames.
 */
public final class BedrockEventStreamEncoder {

    private BedrockEventStreamEncoder() {}

    /** A {@code chunk} event carrying one Anthropic event's JSON. */
    public static byte[] chunk(String anthropicEventJson) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString("chunk"));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        String b64 = Base64.getEncoder().encodeToString(anthropicEventJson.getBytes(StandardCharsets.UTF_8));
        // Bedrock pads chunks with a "p" field of varying length to hide the token sizes.
        byte[] payload = ("{\"bytes\":\"" + b64 + "\",\"p\":\"abcdefghij\"}").getBytes(StandardCharsets.UTF_8);
        return bytes(new Message(headers, payload));
    }

    /** An exception frame, e.g. {@code throttlingException} with its message. */
    public static byte[] exception(String type, String message) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":exception-type", HeaderValue.fromString(type));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("exception"));
        String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"");
        return bytes(new Message(headers, ("{\"message\":\"" + escaped + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] bytes(Message m) {
        ByteBuffer b = m.toByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
