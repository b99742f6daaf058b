package io.relaygate.codec.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.relaygate.codec.json.JsonValues;
import io.relaygate.core.Usage;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Taps an OpenAI Chat Completions stream (fed by {@code SseEventParser}) for usage and model. Only two kinds of chunk
 * are parsed: the first (for the model) and any whose top-level {@code usage} is an object — the final usage chunk
 * sent with {@code stream_options.include_usage}; content chunks carry {@code "usage":null} or nothing and are
 * skipped by a byte search. {@code [DONE]} marks completion; a chunk whose top-level {@code error} is an object
 * (OpenAI and compatible servers send {@code {"error":{"message":…,"type":…,"code":…}}} when a stream fails) marks
 * failure, found by the same kind of byte search.
 */
public final class ChatStreamUsage implements StreamEnd {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Usage usage = Usage.ZERO;
    private @Nullable String model;
    private boolean sawFirst;
    private boolean completed;
    private @Nullable String error;

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (length == DONE.length && regionEquals(data, offset, DONE)) {
            completed = true;
            return;
        }
        if (objectAt(data, offset, length, ERROR)) {
            String failure = topLevelError(data, offset, length);
            if (failure != null) {
                error = failure;
                return;
            }
        }
        boolean first = !sawFirst;
        sawFirst = true;
        boolean hasUsage = objectAt(data, offset, length, USAGE);
        if (!first && !hasUsage) {
            return;
        }
        JsonBodyUsage scan = new JsonBodyUsage();
        scan.feed(data, offset, length);
        scan.finish();
        if (model == null) {
            model = scan.model();
        }
        if (hasUsage) {
            usage = scan.usage();
        }
    }

    public Usage usage() {
        return usage;
    }

    public @Nullable String model() {
        return model;
    }

    /** {@code data: [DONE]} seen. */
    public boolean completed() {
        return completed;
    }

    @Override
    public boolean ended() {
        return completed || error != null;
    }

    /** The error chunk's type or code ({@code error} when it named neither), or null when none arrived. */
    @Override
    public @Nullable String error() {
        return error;
    }

    /** Whether {@code "usage"} appears followed by optional whitespace, a colon, whitespace and {@code {}. */
    static boolean usageObjectAt(byte[] data, int offset, int length) {
        return objectAt(data, offset, length, USAGE);
    }

    /**
     * The type (else code, else {@code error}) of a chunk's top-level {@code error} object, or null when the chunk is
     * not an error chunk (the name appeared deeper, e.g. inside a tool's arguments).
     */
    private static @Nullable String topLevelError(byte[] data, int offset, int length) {
        try (JsonParser p = JSON.createParser(data, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("error") && value == JsonToken.START_OBJECT) {
                    String type = null;
                    String code = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if (f.equals("type")) {
                            type = JsonValues.stringOrNull(p, v);
                        } else if (f.equals("code")) {
                            code = JsonValues.stringOrNull(p, v);
                        } else {
                            p.skipChildren();
                        }
                    }
                    return type != null ? type : code != null ? code : "error";
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether {@code name} appears followed by optional whitespace, a colon, whitespace and {@code {}. */
    private static boolean objectAt(byte[] data, int offset, int length, byte[] name) {
        int end = offset + length;
        for (int i = offset; i + name.length <= end; i++) {
            if (data[i] != '"' || !regionEquals(data, i, name)) {
                continue;
            }
            int j = skipSpace(data, i + name.length, end);
            if (j < end && data[j] == ':') {
                j = skipSpace(data, j + 1, end);
                if (j < end && data[j] == '{') {
                    return true;
                }
            }
        }
        return false;
    }

    private static int skipSpace(byte[] data, int i, int end) {
        while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean regionEquals(byte[] data, int at, byte[] what) {
        for (int k = 0; k < what.length; k++) {
            if (data[at + k] != what[k]) {
                return false;
            }
        }
        return true;
    }
}
