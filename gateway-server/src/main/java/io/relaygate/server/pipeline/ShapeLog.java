package io.relaygate.server.pipeline;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The debug switch for request shapes: with {@code RELAYGATE_LOG_SHAPES=all} (every key) or
 * {@code RELAYGATE_LOG_SHAPES=alice,bob} (those keys, by name), each request gets one line on the
 * {@code io.relaygate.shapes} logger with its size and shape: route, client, body bytes, message count, model,
 * stream flag, max tokens. Never contents: no prompt, tool, header value or credential.
 */
final class ShapeLog {

    private static final Logger shapes = LoggerFactory.getLogger("io.relaygate.shapes");

    static final ShapeLog FROM_ENV = parse(System.getenv("RELAYGATE_LOG_SHAPES"));

    private final boolean all;
    private final Set<String> keys;

    private ShapeLog(boolean all, Set<String> keys) {
        this.all = all;
        this.keys = keys;
    }

    static ShapeLog parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return new ShapeLog(false, Set.of());
        }
        if (setting.trim().equalsIgnoreCase("all")) {
            return new ShapeLog(true, Set.of());
        }
        return new ShapeLog(
                false,
                Arrays.stream(setting.split(","))
                        .map(s -> s.trim().toLowerCase(Locale.ROOT))
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet()));
    }

    boolean covers(String keyName) {
        return all || keys.contains(keyName.toLowerCase(Locale.ROOT));
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
        if ((all || !keys.isEmpty()) && covers(proxy.info.key().name())) {
            shapes.info(line(proxy));
        }
    }
}
