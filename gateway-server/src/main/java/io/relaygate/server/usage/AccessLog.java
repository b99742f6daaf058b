package io.relaygate.server.usage;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.catalogue.PriceBasis;
import io.relaygate.core.config.LoggingConfig;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.math.BigDecimal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished exchange on the {@code io.relaygate.access} logger (its own appender in logback.xml), as
 * {@code key=value} text or, with {@code logging.accessLogFormat: json} ({@code RELAYGATE_ACCESS_LOG_FORMAT}), one JSON
 * object per line. Metadata only:
 * never bodies, prompts, tool contents, headers or credentials; the key appears by name and id (the id is the
 * non-secret part of a gateway key).
 */
public final class AccessLog implements ExchangeListener {

    private static final Logger access = LoggerFactory.getLogger("io.relaygate.access");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean json;

    public AccessLog(LoggingConfig.AccessLogFormat format) {
        this.json = requireNonNull(format, "format") == LoggingConfig.AccessLogFormat.JSON;
    }

    @Override
    public void onExchange(ExchangeOutcome o) {
        if (access.isInfoEnabled()) {
            access.info(line(o));
        }
    }

    /** A request refused before admission (or left before it) gets its line here, in the same shape. */
    @Override
    public void onRefused(ExchangeOutcome o) {
        onExchange(o);
    }

    /** The line of {@code o} in the configured format. */
    String line(ExchangeOutcome o) {
        return json ? json(o) : text(o);
    }

    static String text(ExchangeOutcome o) {
        StringBuilder sb = new StringBuilder(320);
        sb.append(o.requestId())
                .append(" key=")
                .append(orDash(o.keyName()))
                .append(" key_id=")
                .append(orDash(o.keyId()))
                .append(" route=")
                .append(o.route() == null ? "-" : o.route().name())
                .append(" client=")
                .append(o.client().wireName());
        if (o.clientVersion() != null) {
            sb.append('/').append(o.clientVersion());
        }
        sb.append(" model=")
                .append(o.model())
                .append(" upstream_model=")
                .append(o.upstreamModel())
                .append(" stream=")
                .append(o.stream())
                .append(" messages=")
                .append(o.messageCount())
                .append(" account=")
                .append(o.account())
                .append(" attempts=")
                .append(o.attempts())
                .append(" status=")
                .append(o.status())
                .append(" upstream_status=")
                .append(o.upstreamStatus())
                .append(" end=")
                .append(o.end())
                .append(" error=")
                .append(o.error() == null ? "-" : o.error())
                .append(" in=")
                .append(o.usage().inputTokens())
                .append(" out=")
                .append(o.usage().outputTokens())
                .append(" cache_write=")
                .append(o.usage().cacheCreationInputTokens())
                .append(" cache_read=")
                .append(o.usage().cacheReadInputTokens())
                .append(" cost_usd=")
                .append(cost(o).toPlainString())
                .append(" pricing=")
                .append(pricing(o))
                .append(" ms=")
                .append(o.durationMillis())
                .append(" ttfb_ms=")
                .append(o.firstByteMillis())
                .append(" from=")
                .append(o.clientAddress());
        if (o.attemptLog().size() > 1) {
            // after a failover or a retry: each attempt's account, status and time, so the bill can be followed
            sb.append(" tried=");
            for (int i = 0; i < o.attemptLog().size(); i++) {
                ExchangeOutcome.Attempt a = o.attemptLog().get(i);
                sb.append(i == 0 ? "" : ",")
                        .append(a.account())
                        .append(':')
                        .append(a.status())
                        .append(':')
                        .append(a.durationMillis())
                        .append("ms");
            }
        }
        return sb.toString();
    }

    private static String orDash(@Nullable String s) {
        return s == null ? "-" : s;
    }

    static String json(ExchangeOutcome o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("request_id", o.requestId());
        n.put("key", o.keyName());
        n.put("key_id", o.keyId());
        n.put("route", o.route() == null ? null : o.route().name().toLowerCase(Locale.ROOT));
        n.put("client", o.client().wireName());
        n.put("client_version", o.clientVersion());
        n.put("model", o.model());
        n.put("upstream_model", o.upstreamModel());
        n.put("stream", o.stream());
        n.put("messages", o.messageCount());
        n.put("account", o.account());
        n.put("attempts", o.attempts());
        n.put("status", o.status());
        n.put("upstream_status", o.upstreamStatus());
        n.put("end", o.end().name().toLowerCase(Locale.ROOT));
        n.put("error", o.error());
        n.put("client_address", o.clientAddress());
        n.put("input_tokens", o.usage().inputTokens());
        n.put("output_tokens", o.usage().outputTokens());
        n.put("cache_creation_input_tokens", o.usage().cacheCreationInputTokens());
        n.put("cache_read_input_tokens", o.usage().cacheReadInputTokens());
        n.put("cost_usd", cost(o));
        n.put("pricing", o.pricing() == null ? null : o.pricing().wireName());
        n.put("priced_as", o.pricedAs());
        n.put("duration_ms", o.durationMillis());
        n.put("ttfb_ms", o.firstByteMillis());
        if (!o.attemptLog().isEmpty()) {
            var tried = n.putArray("tried");
            for (ExchangeOutcome.Attempt a : o.attemptLog()) {
                tried.addObject()
                        .put("account", a.account())
                        .put("status", a.status())
                        .put("duration_ms", a.durationMillis())
                        .put("input_tokens", a.usage().inputTokens())
                        .put("output_tokens", a.usage().outputTokens())
                        .put("error", a.error());
            }
        }
        return n.toString();
    }

    /** {@code exact}, {@code estimated:<entry>}, {@code unpriced:fallback}, or {@code -} when there was no model. */
    private static String pricing(ExchangeOutcome o) {
        PriceBasis basis = o.pricing();
        if (basis == null) {
            return "-";
        }
        return basis == PriceBasis.EXACT ? basis.wireName() : basis.wireName() + ":" + o.pricedAs();
    }

    private static BigDecimal cost(ExchangeOutcome o) {
        return BigDecimal.valueOf(o.costMicros(), 6);
    }
}
