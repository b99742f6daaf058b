package io.relaygate.server.exchange;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code anthropic-ratelimit-unified-*} headers that tell Claude Code a key's standing against its cost cap, as the
 * gateway protocol asks ("Usage-limit headers — optional", testdata/clients/gateway/claude-gateway-2.1.330_protocol.md):
 * on a success the fullest cap's status, fraction and reset; on the 429 of a reached cap the {@code rejected} shape,
 * without {@code representative-claim} and {@code overage-status} (with them the client drops the gateway's message).
 * For a key with a cap the upstream's own {@code anthropic-ratelimit-*} headers are dropped: the team's quota on its
 * upstream account must not reach the person as if it were theirs.
 */
public final class UsageLimitHeaders {

    static final String PREFIX = "anthropic-ratelimit-";
    static final String UNIFIED = PREFIX + "unified-";

    private UsageLimitHeaders() {}

    /** The headers of a successful answer under {@code s}, in order. */
    public static Map<String, String> allowed(SpendStanding s) {
        Map<String, String> h = new LinkedHashMap<>();
        String status = s.status();
        h.put(UNIFIED + "status", status);
        h.put(UNIFIED + "representative-claim", "overage");
        h.put(UNIFIED + "overage-status", status);
        h.put(UNIFIED + "overage-utilization", s.utilization());
        String threshold = s.surpassedThreshold();
        if (threshold != null) {
            h.put(UNIFIED + "overage-surpassed-threshold", threshold);
        }
        putReset(h, s.resetAt());
        return h;
    }

    /**
     * The headers of the 429 that refuses a request because the cap {@code period} ({@code daily}, {@code weekly} or
     * {@code total}) is reached; {@code resetAt} null for a lifetime cap. {@code retry-after} is the caller's.
     */
    public static Map<String, String> rejected(String period, @Nullable Instant resetAt) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-should-retry", "false");
        h.put(UNIFIED + "status", "rejected");
        putReset(h, resetAt);
        h.put(UNIFIED + "overage-utilization", "1");
        h.put(UNIFIED + "overage-surpassed-threshold", "1");
        if (resetAt != null) {
            // the protocol knows daily, weekly and monthly periods; a lifetime cap has none
            h.put(UNIFIED + "overage-period", period);
        }
        h.put(UNIFIED + "overage-disabled-reason", "org_spend_cap_reached");
        return h;
    }

    private static void putReset(Map<String, String> h, @Nullable Instant resetAt) {
        if (resetAt != null) {
            String seconds = Long.toString(resetAt.getEpochSecond());
            h.put(UNIFIED + "reset", seconds);
            h.put(UNIFIED + "overage-reset", seconds);
        }
    }

    /** Removes the upstream's {@code anthropic-ratelimit-*} headers from {@code headers}. */
    public static void stripUpstream(HttpHeaders headers) {
        headers.names().stream()
                .filter(n -> n.toLowerCase(Locale.ROOT).startsWith(PREFIX))
                .toList()
                .forEach(headers::remove);
    }
}
