package io.relaygate.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metadata line per finished exchange on the {@code io.relaygate.access} logger (its own appender in
 * logback.xml): request id, key name (never the key), route, model, account, status, tokens, durations. Never bodies.
 */
final class AccessLog implements ExchangeListener {

    private static final Logger access = LoggerFactory.getLogger("io.relaygate.access");

    @Override
    public void onExchange(ExchangeOutcome o) {
        if (!access.isInfoEnabled()) {
            return;
        }
        access.info(
                "{} key={} route={} client={} model={} upstream_model={} account={} status={} end={} in={} out={} cache_write={} cache_read={} cost_usd={} ms={} ttfb_ms={}",
                o.requestId(),
                o.keyName(),
                o.route(),
                o.client().wireName(),
                o.model(),
                o.upstreamModel(),
                o.account(),
                o.status(),
                o.end(),
                o.usage().inputTokens(),
                o.usage().outputTokens(),
                o.usage().cacheCreationInputTokens(),
                o.usage().cacheReadInputTokens(),
                java.math.BigDecimal.valueOf(o.costMicros(), 6).toPlainString(),
                o.durationMillis(),
                o.firstByteMillis());
    }
}
