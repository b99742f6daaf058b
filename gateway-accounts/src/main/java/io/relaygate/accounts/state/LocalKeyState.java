package io.relaygate.accounts.state;

import io.relaygate.core.KeyRules;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One key's runtime state in the in-process backend ({@link LocalSharedState}); every access holds its monitor. */
final class LocalKeyState {

    /** Lease id to expiry (epoch ms). */
    final Map<String, Long> leases = new HashMap<>();
    /** Window start (epoch ms) to {count, end}. */
    final Map<Long, long[]> requestWindows = new HashMap<>();

    final Map<Long, long[]> tokenWindows = new HashMap<>();
    final StickySessions sticky = new StickySessions();

    /** The windows of {@code rules} as they stand at {@code now}; the caller holds this state's monitor. */
    KeyWindows windows(KeyRules rules, Instant now) {
        long nowMs = now.toEpochMilli();
        return new KeyWindows(
                window(requestWindows, rules.maxRequests() == null ? null : rules.requestWindow(), now),
                window(tokenWindows, rules.maxTokens() == null ? null : rules.tokenWindow(), now),
                rules.maxConcurrency() == null
                        ? null
                        : leases.values().stream().filter(e -> e > nowMs).count());
    }

    private static KeyWindows.@Nullable Window window(
            Map<Long, long[]> windows, @Nullable Duration length, Instant now) {
        if (length == null) {
            return null;
        }
        long start = AdmissionRequest.windowStart(now, length);
        long[] w = windows.get(start);
        return new KeyWindows.Window(w == null ? 0 : w[0], Instant.ofEpochMilli(start + length.toMillis()));
    }
}
