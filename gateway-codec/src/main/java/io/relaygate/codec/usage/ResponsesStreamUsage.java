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
 * Taps an OpenAI Responses SSE stream (Codex CLI traffic relayed as is, fed by an {@link SseEventParser}) for usage
 * and model. Only the lifecycle events are parsed: {@code response.created}/{@code in_progress}/{@code queued} for
 * the model, and the terminal {@code response.completed}, {@code response.incomplete} and {@code response.failed},
 * whose {@code response.usage} holds the whole call's counts; the delta events, nearly all of a stream, are skipped on
 * their name alone. An event without an {@code event:} line is parsed until its leading {@code type} shows whether it
 * matters. Malformed JSON is ignored: a tap never throws into the relay.
 *
 * <p>Counts are in Anthropic's terms, as {@link Usage} wants them: Responses' {@code input_tokens} include
 * {@code input_tokens_details.cached_tokens}, which become cache reads and leave input. A stream without usage (or
 * with {@code "usage": null}) counts 0. Not thread-safe: one per stream.
 */
public final class ResponsesStreamUsage implements StreamEnd {

    private static final Logger logger = LoggerFactory.getLogger(ResponsesStreamUsage.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final UsageFields total = new UsageFields();
    private final UsageFields scratchUsage = new UsageFields();
    private @Nullable String scratchType;
    private @Nullable String scratchModel;
    private @Nullable String scratchStatus;
    private @Nullable String scratchErrorCode;
    private boolean scratchHasUsage;

    private @Nullable String model;
    private @Nullable String status;
    private @Nullable String errorCode;
    private boolean completed;
    private boolean failed;

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (eventName.equals("error") || eventName.equals("response.failed")) {
            // a failure ends the stream even when its data cannot be read
            failed = true;
        }
        if (eventName.isEmpty() || isCounted(eventName) || eventName.equals("error")) {
            if (parse(eventName, data, offset, length)) {
                apply(scratchType != null ? scratchType : eventName);
            }
        }
        // Every other named event (deltas, item and part events) carries no accounting.
    }

    /** The usage of the terminal event; absent counts are 0. */
    public Usage usage() {
        return total.toUsage();
    }

    /** The upstream model ({@code response.model}), or null before a lifecycle event carried one. */
    public @Nullable String model() {
        return model;
    }

    /** The terminal {@code response.status} (completed, incomplete, failed), or null when none arrived. */
    public @Nullable String status() {
        return status;
    }

    /** Whether {@code response.completed} or {@code response.incomplete} was seen: the answer ended normally. */
    public boolean completed() {
        return completed;
    }

    @Override
    public boolean ended() {
        return completed || failed;
    }

    /** The code of {@code response.failed} or an {@code error} event ({@code failed} when it named none), else null. */
    @Override
    public @Nullable String error() {
        if (!failed) {
            return null;
        }
        return errorCode != null ? errorCode : "failed";
    }

    /** The error code of {@code response.failed} or an {@code error} event, or null when none arrived. */
    public @Nullable String errorCode() {
        return errorCode;
    }

    private static boolean isCounted(String type) {
        return switch (type) {
            case "response.created",
                    "response.in_progress",
                    "response.queued",
                    "response.completed",
                    "response.incomplete",
                    "response.failed" -> true;
            default -> false;
        };
    }

    private void apply(String type) {
        if (!isCounted(type) && !type.equals("error")) {
            return;
        }
        if (scratchModel != null) {
            model = scratchModel;
        }
        switch (type) {
            case "response.completed", "response.incomplete", "response.failed" -> {
                completed |= !type.equals("response.failed");
                failed |= type.equals("response.failed");
                if (scratchStatus != null) {
                    status = scratchStatus;
                }
                if (scratchHasUsage) {
                    total.overwriteWith(scratchUsage);
                }
                if (scratchErrorCode != null) {
                    errorCode = scratchErrorCode;
                }
            }
            case "error" -> {
                failed = true;
                errorCode = scratchErrorCode != null ? scratchErrorCode : "error";
            }
            default -> {
                // created / in_progress / queued: the model only.
            }
        }
    }

    /** Reads the event into the scratch fields; false when it is malformed or, by its type, not worth reading. */
    private boolean parse(String eventName, byte[] data, int offset, int length) {
        scratchUsage.reset();
        scratchType = null;
        scratchModel = null;
        scratchStatus = null;
        scratchErrorCode = null;
        scratchHasUsage = false;
        try (JsonParser p = JSON.createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> {
                        scratchType = JsonValues.stringOrNull(p, value);
                        if (scratchType != null && !isCounted(scratchType) && !scratchType.equals("error")) {
                            // OpenAI puts type first: a data-only delta event stops here.
                            return false;
                        }
                    }
                    case "response" -> readResponse(p, value);
                    case "code" -> scratchErrorCode = JsonValues.stringOrNull(p, value);
                    case "error" -> scratchErrorCode = JsonValues.stringMember(p, value, "code");
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

    private void readResponse(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "model" -> scratchModel = JsonValues.stringOrNull(p, v);
                case "status" -> scratchStatus = JsonValues.stringOrNull(p, v);
                case "error" -> scratchErrorCode = JsonValues.stringMember(p, v, "code");
                case "usage" -> {
                    scratchHasUsage = v == JsonToken.START_OBJECT;
                    readUsage(p, v, scratchUsage);
                }
                default -> p.skipChildren();
            }
        }
    }

    /**
     * Reads a Responses usage object: {@code input_tokens} (cached included) is kept as OpenAI's prompt count so
     * {@link UsageFields#toUsage()} moves the cached part to cache reads.
     */
    static void readUsage(JsonParser p, JsonToken value, UsageFields into) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "input_tokens" -> {
                    if (JsonReading.isLongInteger(p, v)) {
                        into.set("prompt_tokens", p.getLongValue());
                    }
                }
                case "output_tokens" -> {
                    if (JsonReading.isLongInteger(p, v)) {
                        into.set("output_tokens", p.getLongValue());
                    }
                }
                case "input_tokens_details" -> {
                    Long cached = longMember(p, v, "cached_tokens");
                    if (cached != null) {
                        into.set("cached_tokens", cached);
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static @Nullable Long longMember(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        Long found = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = name.equals(p.currentName());
            JsonToken v = p.nextToken();
            if (wanted && JsonReading.isLongInteger(p, v)) {
                found = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return found;
    }
}
