package io.relaygate.codec.usage;

import io.relaygate.codec.sse.SseListener;
import io.relaygate.core.Usage;
import org.jspecify.annotations.Nullable;

/**
 * Taps an OpenAI Chat Completions stream (fed by {@code SseEventParser}) for usage and model. Only two kinds of chunk
 * are parsed: the first (for the model) and any whose top-level {@code usage} is an object — the final usage chunk
 * sent with {@code stream_options.include_usage}; content chunks carry {@code "usage":null} or nothing and are
 * skipped by a byte search. {@code [DONE]} marks completion.
 */
public final class ChatStreamUsage implements SseListener {

    private static final byte[] USAGE = "\"usage\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Usage usage = Usage.ZERO;
    private @Nullable String model;
    private boolean sawFirst;
    private boolean completed;

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (length == DONE.length && regionEquals(data, offset, DONE)) {
            completed = true;
            return;
        }
        boolean first = !sawFirst;
        sawFirst = true;
        boolean hasUsage = usageObjectAt(data, offset, length);
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

    /** Whether {@code "usage"} appears followed by optional whitespace, a colon, whitespace and {@code {}. */
    static boolean usageObjectAt(byte[] data, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i + USAGE.length <= end; i++) {
            if (data[i] != '"' || !regionEquals(data, i, USAGE)) {
                continue;
            }
            int j = skipSpace(data, i + USAGE.length, end);
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
