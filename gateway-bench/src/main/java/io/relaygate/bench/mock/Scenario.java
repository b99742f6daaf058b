package io.relaygate.bench.mock;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What the mock answers, chosen per request. */
enum Scenario {
    TEXT("text"),
    TOOL_USE("tool_use"),
    THINKING("thinking"),
    ERROR_429("error-429"),
    ERROR_529("error-529"),
    ERROR_500("error-500"),
    ERROR_401("error-401"),
    RESET_MID_STREAM("reset-mid-stream"),
    HANG("hang"),
    SLOW("slow"),
    FLOOD("flood");

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
