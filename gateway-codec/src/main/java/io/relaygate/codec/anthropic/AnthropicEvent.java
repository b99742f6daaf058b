package io.relaygate.codec.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import org.jspecify.annotations.Nullable;

/**
 * One event of an Anthropic Messages stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 * {@code message_start}, then per content block {@code content_block_start} · {@code content_block_delta}… ·
 * {@code content_block_stop}, then {@code message_delta} and {@code message_stop}; or {@code error}. Only what the
 * gateway's transcoders read or write is modelled; {@code ping} and unknown events are not events here (the reader
 * skips them).
 */
public sealed interface AnthropicEvent {

    /**
     * Token counts as Anthropic reports them. A count the event did not carry is {@link #ABSENT}: {@code message_delta}
     * usage is cumulative and carries only some counts, which replace earlier ones; absent ones keep them.
     */
    record Tokens(long input, long output, long cacheCreation, long cacheRead) {

        /** Marks a count the event did not carry. */
        public static final long ABSENT = Long.MIN_VALUE;

        /** {@code message_start}'s usage when nothing is known yet. */
        public static final Tokens ZERO = new Tokens(0, 0, 0, 0);

        /** No usage object at all. */
        public static final Tokens NONE = new Tokens(ABSENT, ABSENT, ABSENT, ABSENT);

        /** The counts a transcoder into Anthropic reports in {@code message_delta}: no cache writes from OpenAI. */
        public static Tokens ofDelta(Usage u) {
            return new Tokens(u.inputTokens(), u.outputTokens(), ABSENT, u.cacheReadInputTokens());
        }

        public long inputOr(long previous) {
            return input == ABSENT ? previous : input;
        }

        public long outputOr(long previous) {
            return output == ABSENT ? previous : output;
        }

        public long cacheCreationOr(long previous) {
            return cacheCreation == ABSENT ? previous : cacheCreation;
        }

        public long cacheReadOr(long previous) {
            return cacheRead == ABSENT ? previous : cacheRead;
        }
    }

    /** The kind of a {@code content_block_delta}, with its wire type and the field that carries its value. */
    enum DeltaKind {
        TEXT("text_delta", "text"),
        THINKING("thinking_delta", "thinking"),
        INPUT_JSON("input_json_delta", "partial_json"),
        SIGNATURE("signature_delta", "signature"),
        /** citations_delta and delta types added later: read (they still start a stream), never written. */
        OTHER("", "");

        final String wireType;
        final String field;

        DeltaKind(String wireType, String field) {
            this.wireType = wireType;
            this.field = field;
        }

        static DeltaKind of(String wireType) {
            return switch (wireType) {
                case "text_delta" -> TEXT;
                case "thinking_delta" -> THINKING;
                case "input_json_delta" -> INPUT_JSON;
                case "signature_delta" -> SIGNATURE;
                default -> OTHER;
            };
        }
    }

    /** A content block as {@code content_block_start} opens it. */
    sealed interface ContentBlock {}

    record Text(String text) implements ContentBlock {
        /** A text block as a stream opens it; its text follows as deltas. */
        public static final Text EMPTY = new Text("");

        public Text {
            requireNonNull(text, "text");
        }
    }

    record Thinking(String thinking, String signature) implements ContentBlock {
        /** A thinking block as a stream opens it; thinking and signature follow as deltas. */
        public static final Thinking EMPTY = new Thinking("", "");

        public Thinking {
            requireNonNull(thinking, "thinking");
            requireNonNull(signature, "signature");
        }
    }

    record RedactedThinking(String data) implements ContentBlock {
        public RedactedThinking {
            requireNonNull(data, "data");
        }
    }

    /**
     * A tool call; {@code input} is what the block start carried (normally {@code {}}, the arguments follow as
     * {@code input_json_delta}s), or a missing node. Not to be modified.
     */
    record ToolUse(String id, String name, JsonNode input) implements ContentBlock {
        public ToolUse {
            requireNonNull(id, "id");
            requireNonNull(name, "name");
            requireNonNull(input, "input");
        }

        /**
         * A tool block as a stream opens it: input {@code {}}, the arguments follow as deltas. An upstream call
         * without an id gets a random {@code toolu_} one, so the client's tool_result can still refer to it.
         */
        public static ToolUse start(String id, String name) {
            return new ToolUse(
                    id.isEmpty() ? "toolu_" + Ids.unique(24) : id, name, JsonNodeFactory.instance.objectNode());
        }
    }

    /** {@code server_tool_use}, its results, and block types added later: nothing a transcoder shows. */
    record OtherBlock(String type) implements ContentBlock {
        public OtherBlock {
            requireNonNull(type, "type");
        }
    }

    record MessageStart(String id, String model, Tokens usage) implements AnthropicEvent {
        public MessageStart {
            requireNonNull(id, "id");
            requireNonNull(model, "model");
            requireNonNull(usage, "usage");
        }
    }

    record BlockStart(int index, ContentBlock block) implements AnthropicEvent {
        public BlockStart {
            requireNonNull(block, "block");
        }
    }

    record BlockDelta(int index, DeltaKind kind, String value) implements AnthropicEvent {
        public BlockDelta {
            requireNonNull(kind, "kind");
            requireNonNull(value, "value");
        }
    }

    record BlockStop(int index) implements AnthropicEvent {}

    /** Stop reason ({@code null} when the event carried none) and the cumulative usage. */
    record MessageDelta(@Nullable String stopReason, Tokens usage) implements AnthropicEvent {
        public MessageDelta {
            requireNonNull(usage, "usage");
        }
    }

    record MessageStop() implements AnthropicEvent {
        public static final MessageStop INSTANCE = new MessageStop();
    }

    /** An {@code error} event: Anthropic's error type ({@code api_error}, {@code overloaded_error}, …) and message. */
    record ErrorEvent(String type, String message) implements AnthropicEvent {
        public ErrorEvent {
            requireNonNull(type, "type");
            requireNonNull(message, "message");
        }
    }

    /**
     * A {@code message_start} as the transcoders into Anthropic send it: zero usage, since OpenAI upstreams report
     * tokens only at the end.
     */
    static MessageStart messageStart(String id, String model) {
        return new MessageStart(id, model, Tokens.ZERO);
    }

    /** {@code msg_} and an upstream id reduced to id characters, or a random id when none remain. */
    static String messageId(String upstreamId) {
        String id = StableIds.idCharacters(upstreamId);
        return "msg_" + (id.isEmpty() ? Ids.unique(24) : id);
    }
}
