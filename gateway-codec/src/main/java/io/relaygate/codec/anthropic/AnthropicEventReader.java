package io.relaygate.codec.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStop;
import io.relaygate.codec.anthropic.AnthropicEvent.ContentBlock;
import io.relaygate.codec.anthropic.AnthropicEvent.DeltaKind;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStart;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import java.io.IOException;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Reads one framed Anthropic SSE event (from {@code SseEventParser}) into an {@link AnthropicEvent}, with a pull
 * parser: no JSON tree is built except a tool block's {@code input}, since every content delta of a stream passes
 * through here. Lenient, as the transcoders always were: data that is not a JSON object, {@code ping} and unknown events
 * read as nothing; a missing or null string reads as {@code ""}, a number or boolean as its text, an object or array
 * as {@code ""}. Stateless.
 */
public final class AnthropicEventReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnthropicEventReader() {}

    /** The fields of an event's data the model keeps, whatever order they come in. */
    private static final class Fields {
        @Nullable
        String type;

        int index;
        // message (message_start)
        String messageId = "";
        String model = "";
        Tokens messageUsage = Tokens.NONE;
        // content_block (content_block_start)
        String blockType = "";
        String text = "";
        String thinking = "";
        String signature = "";
        String data = "";
        String id = "";
        String name = "";
        JsonNode input = MissingNode.getInstance();
        // delta (content_block_delta, message_delta)
        String deltaType = "";
        String deltaText = "";
        String deltaThinking = "";
        String deltaPartialJson = "";
        String deltaSignature = "";

        @Nullable
        String stopReason;
        // usage (message_delta)
        Tokens usage = Tokens.NONE;
        // error
        String errorType = "";
        String errorMessage = "upstream error";
    }

    /**
     * The event, or null when it is nothing a transcoder acts on. The type is the SSE event name, or the data's
     * {@code type} when the event had no name (or the default name {@code message}): Anthropic always names its
     * events, a data-only stream still carries the type in the JSON.
     */
    public static @Nullable AnthropicEvent read(String eventName, byte[] data, int offset, int length) {
        Fields f = new Fields();
        try (JsonParser p = JSON.getFactory().createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            readTop(p, f);
        } catch (IOException e) {
            return null;
        }
        String type = eventName.isEmpty() || eventName.equals("message") ? (f.type == null ? "" : f.type) : eventName;
        return switch (type) {
            case "message_start" -> new MessageStart(f.messageId, f.model, f.messageUsage);
            case "content_block_start" -> new BlockStart(f.index, block(f));
            case "content_block_delta" -> {
                DeltaKind kind = DeltaKind.of(f.deltaType);
                String value =
                        switch (kind) {
                            case TEXT -> f.deltaText;
                            case THINKING -> f.deltaThinking;
                            case INPUT_JSON -> f.deltaPartialJson;
                            case SIGNATURE -> f.deltaSignature;
                            case OTHER -> "";
                        };
                yield new BlockDelta(f.index, kind, value);
            }
            case "content_block_stop" -> new BlockStop(f.index);
            case "message_delta" -> new MessageDelta(f.stopReason, f.usage);
            case "message_stop" -> MessageStop.INSTANCE;
            case "error" -> new ErrorEvent(f.errorType, f.errorMessage);
            default -> null; // ping and event types added later carry nothing for another format
        };
    }

    private static ContentBlock block(Fields f) {
        return switch (f.blockType) {
            case "text" -> new AnthropicEvent.Text(f.text);
            case "thinking" -> new AnthropicEvent.Thinking(f.thinking, f.signature);
            case "redacted_thinking" -> new AnthropicEvent.RedactedThinking(f.data);
            case "tool_use" -> new AnthropicEvent.ToolUse(f.id, f.name, f.input);
            default -> new AnthropicEvent.OtherBlock(f.blockType);
        };
    }

    private static void readTop(JsonParser p, Fields f) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> f.type = text(p, v, "");
                case "index" -> f.index = index(p, v);
                case "message" -> readObject(p, v, f, AnthropicEventReader::messageField);
                case "content_block" -> readObject(p, v, f, AnthropicEventReader::blockField);
                case "delta" -> readObject(p, v, f, AnthropicEventReader::deltaField);
                case "usage" -> f.usage = tokens(p, v);
                case "error" -> readObject(p, v, f, AnthropicEventReader::errorField);
                default -> p.skipChildren();
            }
        }
    }

    /** Reads one field of an object; skips what it does not know. */
    @FunctionalInterface
    private interface FieldReader {
        void read(JsonParser p, String field, JsonToken value, Fields f) throws IOException;
    }

    /**
     * Walks the object that starts at {@code value} field by field ({@code reader} is a static method: nothing is
     * allocated per event); anything but an object is skipped.
     */
    private static void readObject(JsonParser p, JsonToken value, Fields f, FieldReader reader) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            reader.read(p, field, p.nextToken(), f);
        }
    }

    private static void messageField(JsonParser p, String field, JsonToken value, Fields f) throws IOException {
        switch (field) {
            case "id" -> f.messageId = text(p, value, "");
            case "model" -> f.model = text(p, value, "");
            case "usage" -> f.messageUsage = tokens(p, value);
            default -> p.skipChildren();
        }
    }

    private static void blockField(JsonParser p, String field, JsonToken value, Fields f) throws IOException {
        switch (field) {
            case "type" -> f.blockType = text(p, value, "");
            case "text" -> f.text = text(p, value, "");
            case "thinking" -> f.thinking = text(p, value, "");
            case "signature" -> f.signature = text(p, value, "");
            case "data" -> f.data = text(p, value, "");
            case "id" -> f.id = text(p, value, "");
            case "name" -> f.name = text(p, value, "");
            case "input" -> f.input = p.readValueAsTree();
            default -> p.skipChildren();
        }
    }

    private static void deltaField(JsonParser p, String field, JsonToken value, Fields f) throws IOException {
        switch (field) {
            case "type" -> f.deltaType = text(p, value, "");
            case "text" -> f.deltaText = text(p, value, "");
            case "thinking" -> f.deltaThinking = text(p, value, "");
            case "partial_json" -> f.deltaPartialJson = text(p, value, "");
            case "signature" -> f.deltaSignature = text(p, value, "");
            // Only a string is a stop reason; anything else means none was given.
            case "stop_reason" -> f.stopReason = value == JsonToken.VALUE_STRING ? p.getText() : null;
            default -> p.skipChildren();
        }
    }

    private static void errorField(JsonParser p, String field, JsonToken value, Fields f) throws IOException {
        switch (field) {
            case "type" -> f.errorType = text(p, value, "");
            case "message" -> f.errorMessage = text(p, value, "upstream error");
            default -> p.skipChildren();
        }
    }

    /** Each count that is an integer; anything else, or no usage object, is absent. */
    private static Tokens tokens(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return Tokens.NONE;
        }
        long input = Tokens.ABSENT;
        long output = Tokens.ABSENT;
        long cacheCreation = Tokens.ABSENT;
        long cacheRead = Tokens.ABSENT;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_NUMBER_INT) {
                p.skipChildren();
                continue;
            }
            // A negative count (a broken upstream) counts as zero: usage is never negative (Usage refuses it).
            long n = Math.max(0, longValue(p));
            switch (field) {
                case "input_tokens" -> input = n;
                case "output_tokens" -> output = n;
                case "cache_creation_input_tokens" -> cacheCreation = n;
                case "cache_read_input_tokens" -> cacheRead = n;
                default -> {
                    // server_tool_use counts and the like: not usage the gateway accounts.
                }
            }
        }
        return new Tokens(input, output, cacheCreation, cacheRead);
    }

    /** An integer as Jackson's tree would give it: a larger one wraps, as {@code BigInteger.longValue()} does. */
    private static long longValue(JsonParser p) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger big = p.getBigIntegerValue();
            return big.longValue();
        }
        return p.getLongValue();
    }

    /** A block index; anything but a number in range reads as 0 (the transcoders keep their own count anyway). */
    private static int index(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        p.skipChildren();
        return 0;
    }

    /** A scalar's text; {@code dflt} for null; {@code ""} for an object or array, which is skipped. */
    private static String text(JsonParser p, JsonToken value, String dflt) throws IOException {
        return switch (value) {
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NULL -> dflt;
            default -> {
                p.skipChildren();
                yield "";
            }
        };
    }
}
