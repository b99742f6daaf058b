package io.relaygate.codec.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns event-name bytes into a String without allocating for names seen before. Anthropic and OpenAI streams use a
 * few dozen fixed names, one per event, so a lookup by length and bytes beats decoding a new String every time. Names
 * not in the built-in table are learned per stream up to {@link #MAX_LEARNED} of them (a hostile upstream sending
 * random names only costs a decode each).
 */
final class EventNames {

    private static final int MAX_LEARNED = 32;
    private static final int MAX_LEARNED_LENGTH = 64;

    private static final String[] WELL_KNOWN = {
        // Anthropic Messages streaming, https://docs.anthropic.com/en/docs/build-with-claude/streaming
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
        "error",
        // OpenAI Responses streaming
        "response.created",
        "response.in_progress",
        "response.queued",
        "response.completed",
        "response.failed",
        "response.incomplete",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.delta",
        "response.output_text.done",
        "response.refusal.delta",
        "response.refusal.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "message"
    };

    private static final byte[][] WELL_KNOWN_BYTES = Arrays.stream(WELL_KNOWN)
            .map(s -> s.getBytes(StandardCharsets.UTF_8))
            .toArray(byte[][]::new);

    private final String[] learned = new String[MAX_LEARNED];
    private final byte[][] learnedBytes = new byte[MAX_LEARNED][];
    private int learnedCount;

    /** The name encoded in {@code bytes[0, length)}, {@code ""} when empty. */
    String lookup(byte[] bytes, int length) {
        if (length == 0) {
            return "";
        }
        int i = indexOf(WELL_KNOWN_BYTES, WELL_KNOWN_BYTES.length, bytes, length);
        if (i >= 0) {
            return WELL_KNOWN[i];
        }
        i = indexOf(learnedBytes, learnedCount, bytes, length);
        if (i >= 0) {
            return learned[i];
        }
        String name = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (learnedCount < MAX_LEARNED && length <= MAX_LEARNED_LENGTH) {
            learned[learnedCount] = name;
            learnedBytes[learnedCount] = Arrays.copyOf(bytes, length);
            learnedCount++;
        }
        return name;
    }

    private static int indexOf(byte[][] table, int count, byte[] bytes, int length) {
        for (int i = 0; i < count; i++) {
            byte[] candidate = table[i];
            if (candidate.length == length && Arrays.equals(candidate, 0, length, bytes, 0, length)) {
                return i;
            }
        }
        return -1;
    }
}
