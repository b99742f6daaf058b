package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.LoggingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeLogTest {

    /** The shape log as the gateway builds it from {@code RELAYGATE_LOG_SHAPES}. */
    private static ShapeLog fromEnvironment(String setting) {
        return new ShapeLog(
                ConfigLoader.load(null, Map.of("RELAYGATE_LOG_SHAPES", setting)).logging());
    }

    @Test
    void theSwitchNamesKeysOrAll() {
        assertThat(new ShapeLog(LoggingConfig.defaults()).covers("alice"))
                .as("off by default")
                .isFalse();
        assertThat(fromEnvironment("  ").covers("alice")).isFalse();
        assertThat(fromEnvironment("ALL").covers("anyone")).isTrue();
        ShapeLog some = fromEnvironment("alice, Bob,");
        assertThat(some.covers("alice")).isTrue();
        assertThat(some.covers("bob"))
                .as("key names compare case-insensitively")
                .isTrue();
        assertThat(some.covers("BOB")).isTrue();
        assertThat(some.covers("carol")).isFalse();
    }
}
