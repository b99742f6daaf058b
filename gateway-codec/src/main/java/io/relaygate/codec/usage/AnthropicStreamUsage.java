package io.relaygate.codec.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.relaygate.codec.json.JsonValues;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taps an Anthropic Messages SSE stream for usage, fed by an {@link SseEventParser} while the relay forwards the same
 * bytes untouched. Only the events that carry accounting are parsed (message_start, message_delta, message_stop,
 * error); content_block_* and ping, nearly every event of a stream, are skipped on their name alone. An event without
 * an {@code event:} line is parsed to find its {@code type}. Malformed event JSON is ignored: a tap never throws into
 * the relay.
 *
 * <p>Usage follows https://docs.anthropic.com/en/docs/build-with-claude/streaming: message_start.message.usage is the
 * baseline and message_delta.usage counts are cumulative, so each count present in message_delta replaces the earlier
 * one. A missing usage object leaves the counts as they were (0 if never seen). Not thread-safe: one per stream.
 */
public final class AnthropicStreamUsage implements StreamEnd {

    private static final Logger logger = LoggerFactory.getLogger(AnthropicStreamUsage.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final UsageFields total = new UsageFields();
    private final EventFields scratch = new EventFields();
    private @Nullable String model;
    private @Nullable String stopReason;
    private @Nullable String errorType;
    private boolean completed;
    private boolean failed;

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        switch (eventName) {
            case "content_block_delta", "content_block_start", "content_block_stop", "ping" -> {
                // The hot path: nothing here counts.
            }
            case "message_stop" -> completed = true;
            case "message_start", "message_delta" -> {
                if (parse(eventName, data, offset, length)) {
                    apply(eventName);
                }
            }
            case "error" -> {
                // an error event ends the stream even when its data cannot be read
                failed = true;
                if (parse(eventName, data, offset, length)) {
                    apply(eventName);
                }
            }
            case "" -> {
                if (parse(eventName, data, offset, length) && scratch.type != null) {
                    apply(scratch.type);
                }
            }
            default -> {
                // Unknown event types are allowed by the API ("handle unknown events gracefully").
            }
        }
    }

    /** The usage counted so far; absent counts are 0. */
    public Usage usage() {
        return total.toUsage();
    }

    /** message_start.message.model, or null before it arrived. */
    public @Nullable String model() {
        return model;
    }

    /** message_delta.delta.stop_reason, or null when no message_delta carried one. */
    public @Nullable String stopReason() {
        return stopReason;
    }

    /** Whether message_stop was seen. */
    public boolean completed() {
        return completed;
    }

    @Override
    public boolean ended() {
        return completed || failed;
    }

    /** The error event's type ({@code api_error} when it named none), or null when the stream had no error event. */
    @Override
    public @Nullable String error() {
        return failed ? (errorType != null ? errorType : "api_error") : null;
    }

    /** The error.type of an error event (e.g. overloaded_error), or null when none arrived. */
    public @Nullable String errorType() {
        return errorType;
    }

    private void apply(String type) {
        switch (type) {
            case "message_start" -> {
                if (scratch.model != null) {
                    model = scratch.model;
                }
                total.overwriteWith(scratch.messageUsage);
            }
            case "message_delta" -> {
                if (scratch.stopReason != null) {
                    stopReason = scratch.stopReason;
                }
                total.overwriteWith(scratch.usage);
            }
            case "message_stop" -> completed = true;
            case "error" -> {
                failed = true;
                if (scratch.errorType != null) {
                    errorType = scratch.errorType;
                }
            }
            default -> {
                // A data-only content event.
            }
        }
    }

    /** Reads the event's JSON into {@link #scratch}; false (and nothing applied) when it is not a complete object. */
    private boolean parse(String eventName, byte[] data, int offset, int length) {
        scratch.reset();
        try (JsonParser p = JSON.createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> scratch.type = JsonValues.stringOrNull(p, value);
                    case "message" -> readMessage(p, value);
                    case "delta" -> scratch.stopReason = JsonValues.stringMember(p, value, "stop_reason");
                    case "usage" -> JsonReading.readUsage(p, value, scratch.usage);
                    case "error" -> scratch.errorType = JsonValues.stringMember(p, value, "type");
                    default -> p.skipChildren();
                }
            }
            return p.currentToken() == JsonToken.END_OBJECT;
        } catch (IOException e) {
            logger.debug(
                    "Ignoring malformed '{}' event from upstream: {}",
                    eventName,
                    e.getClass().getSimpleName());
            return false;
        }
    }

    private void readMessage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "model" -> scratch.model = JsonValues.stringOrNull(p, v);
                case "usage" -> JsonReading.readUsage(p, v, scratch.messageUsage);
                default -> p.skipChildren();
            }
        }
    }

    /** What one event carried; reused for every parsed event. */
    private static final class EventFields {
        @Nullable
        String type;

        @Nullable
        String model;

        @Nullable
        String stopReason;

        @Nullable
        String errorType;

        final UsageFields messageUsage = new UsageFields();
        final UsageFields usage = new UsageFields();

        void reset() {
            type = null;
            model = null;
            stopReason = null;
            errorType = null;
            messageUsage.reset();
            usage.reset();
        }
    }
}
