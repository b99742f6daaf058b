package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.config.LoggingConfig;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug switch for request shapes ({@link LoggingConfig}: {@code logging.shapes}, {@code RELAYGATE_LOG_SHAPES}):
 * with {@code all} (every key) or {@code alice,bob} (those keys, by name), each request gets one line on the
 * {@code io.relaygate.shapes} logger with its size and shape: route, client, body bytes, message count, model,
 * stream flag, max tokens. Never contents: no prompt, tool, header value or credential.
 */
final class ShapeLog {

    private static final Logger shapes = LoggerFactory.getLogger("io.relaygate.shapes");

    private final LoggingConfig config;

    ShapeLog(LoggingConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** Whether requests made with the key named {@code keyName} get a shape line (names compare case-insensitively). */
    boolean covers(String keyName) {
        return config.shapesOfAllKeys() || config.shapesOfKeys().contains(keyName.toLowerCase(Locale.ROOT));
    }

    /** The shape line of {@code proxy}, without any content. */
    static String line(ProxyRequest proxy) {
        return proxy.info.id + " key=" + proxy.info.key().name() + " route=" + proxy.info.route + " client="
                + proxy.client.kind().wireName() + " body_bytes="
                + proxy.request.content().readableBytes()
                + " messages=" + proxy.skim.messageCount() + " model=" + proxy.skim.model() + " stream="
                + proxy.skim.stream() + " max_tokens=" + proxy.skim.maxTokens();
    }

    void log(ProxyRequest proxy) {
        if (covers(proxy.info.key().name())) {
            shapes.info(line(proxy));
        }
    }
}
