package io.relaygate.codec.bedrock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * Turns Bedrock's {@code invoke-with-response-stream} answer ({@code application/vnd.amazon.eventstream}: binary
 * frames with CRCs, each {@code chunk} event's payload {@code {"bytes":"<base64 Anthropic event JSON>"}}) into the
 * Anthropic SSE stream the Messages API would have sent ({@code event: <type>\ndata: <json>\n\n}), incrementally:
 * frames may be split at any byte and several may arrive in one buffer.
 *
 * <p>Framing and checksums are the AWS SDK's {@link MessageDecoder} (it keeps the bytes of an unfinished frame); the
 * chunk's JSON is read with a streaming parser and its base64 decoded once, straight into the output. The event JSON
 * is written as Bedrock sent it, including Bedrock's {@code amazon-bedrock-invocationMetrics} on the last event.
 *
 * <p>Not thread-safe; one per stream. Reads {@code in} without retaining or releasing it.
 */
public final class BedrockEventStreamDecoder {

    /** Longest frame accepted; Bedrock's chunks are a few KiB, a tool call's input delta a few hundred KiB at most. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ArrayDeque<Message> decoded = new ArrayDeque<>();
    private final MessageDecoder frames = new MessageDecoder(decoded::add);
    private final int maxFrameBytes;
    private long pendingBytes;
    private long events;

    public BedrockEventStreamDecoder() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    public BedrockEventStreamDecoder(int maxFrameBytes) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Decodes what {@code in} completes and appends the resulting SSE events to {@code out}. {@code in}'s reader index
     * is left unchanged.
     *
     * @throws BedrockStreamException when Bedrock sent an exception or error frame, or a frame is malformed or larger
     *     than the limit; the SSE of the frames before it is already in {@code out}
     */
    public void decode(ByteBuf in, ByteBuf out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return;
        }
        try {
            if (in.nioBufferCount() == 1) {
                frames.feed(in.nioBuffer(in.readerIndex(), readable));
            } else {
                for (ByteBuffer b : in.nioBuffers(in.readerIndex(), readable)) {
                    frames.feed(b);
                }
            }
        } catch (RuntimeException e) {
            // The SDK throws IllegalArgumentException/IllegalStateException on CRC or length errors.
            decoded.clear();
            throw new BedrockStreamException(BedrockStreamException.MALFORMED, "invalid event-stream frame");
        }
        pendingBytes += readable;
        while (!decoded.isEmpty()) {
            Message m = decoded.poll();
            pendingBytes = 0;
            write(m, out);
        }
        if (pendingBytes > maxFrameBytes) {
            throw new BedrockStreamException(
                    BedrockStreamException.MALFORMED, "event-stream frame larger than " + maxFrameBytes + " bytes");
        }
    }

    /** How many Anthropic events were written so far. */
    public long events() {
        return events;
    }

    private void write(Message m, ByteBuf out) {
        String messageType = header(m, ":message-type");
        if ("exception".equals(messageType)) {
            String type = header(m, ":exception-type");
            throw new BedrockStreamException(type == null ? "exception" : type, messageOf(m.getPayload()));
        }
        if ("error".equals(messageType)) {
            String code = header(m, ":error-code");
            String message = header(m, ":error-message");
            throw new BedrockStreamException(code == null ? "error" : code, message == null ? "" : message);
        }
        if (!"chunk".equals(header(m, ":event-type"))) {
            return; // initial-response and other events carry nothing for the client
        }
        byte[] event = chunkBytes(m.getPayload());
        String type = eventType(event);
        out.writeBytes(EVENT);
        out.writeCharSequence(type, StandardCharsets.US_ASCII);
        out.writeBytes(DATA);
        out.writeBytes(event);
        out.writeBytes(END);
        events++;
    }

    private static String header(Message m, String name) {
        HeaderValue v = m.getHeaders().get(name);
        return v == null ? null : v.getString();
    }

    /** The decoded {@code bytes} of a chunk payload: one Anthropic event's JSON. */
    private static byte[] chunkBytes(byte[] payload) {
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("bytes".equals(field) && p.currentToken() == JsonToken.VALUE_STRING) {
                        return p.getBinaryValue();
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // falls through to the exception below
        }
        throw new BedrockStreamException(BedrockStreamException.MALFORMED, "chunk without a readable bytes field");
    }

    /** The event's {@code type} (Anthropic puts it first), which names the SSE event. */
    private static String eventType(byte[] event) {
        try (JsonParser p = JSON.createParser(event)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("type".equals(field) && p.currentToken() == JsonToken.VALUE_STRING) {
                        String type = p.getText();
                        if (isName(type)) {
                            return type;
                        }
                        break;
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // falls through
        }
        throw new BedrockStreamException(BedrockStreamException.MALFORMED, "chunk event without a type");
    }

    /** An SSE event name must not break the line; Anthropic's types are lower-case words with underscores. */
    private static boolean isName(String type) {
        if (type.isEmpty() || type.length() > 64) {
            return false;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!(c >= 'a' && c <= 'z') && c != '_' && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** The {@code message} of an exception frame's JSON payload, else its text (bounded). */
    private static String messageOf(byte[] payload) {
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (("message".equals(field) || "Message".equals(field))
                            && p.currentToken() == JsonToken.VALUE_STRING) {
                        return bounded(p.getText());
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // not JSON: the raw text
        }
        return bounded(new String(payload, StandardCharsets.UTF_8));
    }

    private static String bounded(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
