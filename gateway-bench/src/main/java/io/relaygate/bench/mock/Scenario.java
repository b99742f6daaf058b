package io.relaygate.bench.mock;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What the mock answers, chosen per request. {@code shell} works in every format; {@code custom-tool} and
 * {@code failed} are Responses API scenarios (the other formats answer them as {@code text}).
 */
enum Scenario {
    TEXT("text"),
    TOOL_USE("tool_use"),
    THINKING("thinking"),
    ERROR_429("error-429"),
    ERROR_529("error-529"),
    ERROR_500("error-500"),
    ERROR_401("error-401"),
    /** A gateway in front of the upstream timed out (nginx's 504 page). */
    ERROR_504("error-504"),
    /** Cloudflare's 524: the origin took too long to answer (its HTML page). */
    ERROR_524("error-524"),
    RESET_MID_STREAM("reset-mid-stream"),
    /** The connection reset (RST) as soon as the request arrived, before any byte of the answer. */
    RESET_BEFORE_HEAD("reset-before-head"),
    HANG("hang"),
    SLOW("slow"),
    FLOOD("flood"),
    /** Call the request's own shell tool once; after its result, answer with the tool's output. */
    SHELL("shell"),
    /** A Responses {@code custom_tool_call} ({@code apply_patch}). */
    CUSTOM_TOOL("custom-tool"),
    /** A Responses stream that ends with {@code response.failed} after one delta. */
    FAILED("failed"),
    /** A stream that ends with the format's own error event after two deltas ({@link StreamFaults}). */
    STREAM_ERROR("stream-error"),
    /** A stream whose body ends (last chunk) in the middle of an event after two deltas, before its final event. */
    TRUNCATE("truncate"),
    /** A close-delimited stream whose connection closes after two deltas, before its final event. */
    TRUNCATE_CLOSE("truncate-close"),
    /**
     * A whole chunked stream, final event included, whose connection then closes without the last chunk (the body
     * short of its end, as when a proxy cuts a connection after the stream's last event); HTTP/1.1 only.
     */
    CLOSE_AFTER_END("close-after-end");

    final String wireName;

    Scenario(String wireName) {
        this.wireName = wireName;
    }

    static @Nullable Scenario of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Scenario s : values()) {
            if (s.wireName.equals(n) || s.wireName.replace('-', '_').equals(n)) {
                return s;
            }
        }
        return null;
    }
}
